package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/plans"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

type recordRow struct {
	Date, Form, Description string
	Count                   int64
	Attachment              *storage.AttachmentInfo
	Size                    string
}

type activityPageView struct {
	Activity          storage.PlanActivity
	Plan              storage.Plan
	Area, Audience    string
	Forms, Timing     string
	Progress          []progressRow
	Records           []recordRow
	Form              recordForm
	FormChoices       []plans.Form
	Notice            string
	MaxAttachmentSize string
}

// loadActivity is the activity in the path and its plan, for the user.
func (p *Pages) loadActivity(c echo.Context) (storage.PlanActivity, storage.Plan, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return storage.PlanActivity{}, storage.Plan{}, &publishing.NotFoundError{What: "activity"}
	}
	u := currentUser(c)
	a, err := p.plans.Activity(c.Request().Context(), u, id)
	if err != nil {
		return a, storage.Plan{}, err
	}
	pl, _, err := p.plans.Plan(c.Request().Context(), u, a.PlanID)
	return a, pl, err
}

func (p *Pages) activityPage(c echo.Context) error {
	notice := ""
	if c.QueryParam("da") == "ghi-nhan" {
		notice = "Đã ghi nhận kết quả thực hiện."
	}
	return p.renderActivity(c, http.StatusOK, newRecordForm(p.now().In(p.loc)), notice)
}

func (p *Pages) renderActivity(c echo.Context, status int, f recordForm, notice string) error {
	a, pl, err := p.loadActivity(c)
	if err != nil {
		return p.adminFailed(c, err)
	}
	u := currentUser(c)
	ctx := c.Request().Context()
	labels, err := p.plans.Labels(ctx)
	if err != nil {
		return p.failed(c, err)
	}
	v := activityPageView{Activity: a, Plan: pl, Area: labels[storage.VocabContentArea][a.ContentArea],
		Audience: labels[storage.VocabAudience][a.Audience], Forms: formLabels(a.Forms), Timing: plans.TimingOf(a).Label(),
		Form: f, FormChoices: plans.Forms(), Notice: notice, MaxAttachmentSize: "10 MB"}
	if v.Progress, err = p.progressRows(c, pl, []storage.PlanActivity{a}); err != nil {
		return p.failed(c, err)
	}
	rs, atts, err := p.plans.Records(ctx, u, a.ID)
	if err != nil {
		return p.adminFailed(c, err)
	}
	for _, r := range rs {
		row := recordRow{Date: dayOf(r.OccurredOn), Form: plans.FormLabel(r.Form), Description: r.Description, Count: r.Count}
		if r.AttachmentID != nil {
			info := atts[*r.AttachmentID]
			row.Attachment, row.Size = &info, fileSize(info.Size)
		}
		v.Records = append(v.Records, row)
	}
	title := a.Title
	if a.Code != "" {
		title = a.Code + ". " + a.Title
	}
	return p.render(c, status, "plans_activity", view{Title: title, User: &u, CSRF: currentSession(c).CSRFToken, Data: v})
}

// fileSize is a size in KB or MB, Vietnamese style (comma decimals).
func fileSize(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", max(1, (n+1023)>>10))
	}
	return strings.Replace(fmt.Sprintf("%.1f MB", float64(n)/(1<<20)), ".", ",", 1)
}

// createRecord records offline work with an optional file through the
// layer; a refusal re-shows the form (the file must be chosen again).
func (p *Pages) createRecord(c echo.Context) error {
	a, _, err := p.loadActivity(c)
	if err != nil {
		return p.adminFailed(c, err)
	}
	f := recordForm{Date: c.FormValue("date"), Form: c.FormValue("form"), Description: c.FormValue("description"),
		Count: c.FormValue("count"), Errors: map[string]string{}}
	in := plans.RecordInput{ActivityID: a.ID, Date: f.Date, Form: f.Form, Description: f.Description}
	if in.Count, err = strconv.ParseInt(strings.TrimSpace(f.Count), 10, 64); err != nil {
		f.Errors["count"] = recordMessages["count"]
	}
	if fh, err := c.FormFile("attachment"); err == nil && fh.Size > 0 {
		file, err := fh.Open()
		if err != nil {
			return p.failed(c, err)
		}
		defer file.Close()
		up, err := plans.ReadUpload(file, fh.Filename)
		var tooLarge *plans.TooLargeError
		switch {
		case errors.As(err, &tooLarge):
			f.Errors["attachment"] = recordMessages["attachment"]
		case err != nil:
			return p.failed(c, err)
		}
		in.Attachment = &up
	}
	if len(f.Errors) > 0 {
		return p.renderActivity(c, http.StatusUnprocessableEntity, f, "")
	}
	_, err = p.plans.Record(c.Request().Context(), currentUser(c), in)
	var bad *publishing.InvalidError
	var tooLarge *plans.TooLargeError
	switch {
	case errors.As(err, &tooLarge):
		f.Errors["attachment"] = recordMessages["attachment"]
	case errors.As(err, &bad) && recordMessages[bad.Field] != "":
		f.Errors[bad.Field] = recordMessages[bad.Field]
	case err != nil:
		return p.adminFailed(c, err)
	default:
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/activities/%d?da=ghi-nhan", a.ID))
	}
	return p.renderActivity(c, http.StatusUnprocessableEntity, f, "")
}

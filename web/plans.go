package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/plans"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// mountPlans adds the plans pages: the plans of the user's agencies with
// each activity's progress through the year, a plan's page (its form for
// those who manage plans), an activity's page with its offline records
// and the form to add one (with a file), and attachments' downloads.
func (p *Pages) mountPlans(add adder) {
	add(http.MethodGet, "/plans", p.plansPage, p.signedIn)
	add(http.MethodGet, "/plans/new", p.newPlanPage, p.signedIn)
	add(http.MethodPost, "/plans", p.createPlan, p.signedIn, p.checkCSRF)
	add(http.MethodGet, "/plans/:id", p.planPage, p.signedIn)
	add(http.MethodPost, "/plans/:id", p.updatePlan, p.signedIn, p.checkCSRF)
	add(http.MethodGet, "/activities/:id", p.activityPage, p.signedIn)
	// The body limit comes before checkCSRF, which reads the form.
	add(http.MethodPost, "/activities/:id/records", p.createRecord, p.signedIn,
		p.logins.Upload("/activities/:id/records"), p.checkCSRF)
	add(http.MethodGet, "/attachments/:id", p.attachment, p.signedIn)
}

// plansShown bounds the plans (each with its progress) on the list page.
const plansShown = 50

// progressRow is one activity's line in a progress table.
type progressRow struct {
	ID                  int64
	Code, Title, Timing string
	Forms               string
	Quarters            [4]plans.Quarter
	Total               plans.Quarter
}

type planCard struct {
	Plan     storage.Plan
	Agency   string
	Progress []progressRow
}

type plansView struct {
	Year, PrevYear, NextYear int
	Cards                    []planCard
	Truncated                bool
	MayCreate                bool
}

func (p *Pages) plansPage(c echo.Context) error {
	u := currentUser(c)
	ctx := c.Request().Context()
	year := p.now().In(p.loc).Year()
	if y, err := strconv.Atoi(c.QueryParam("nam")); err == nil && y >= 2000 && y <= 2100 {
		year = y
	}
	ps, err := p.plans.Plans(ctx, u, 0, year)
	if err != nil {
		return p.adminFailed(c, err)
	}
	v := plansView{Year: year, PrevYear: year - 1, NextYear: year + 1, Truncated: len(ps) > plansShown,
		MayCreate: mayManage(u, publishing.ManagePlans)}
	ps = ps[:min(len(ps), plansShown)]
	names, err := p.agencyNames(ctx, u.AgencyID)
	if err != nil {
		return p.failed(c, err)
	}
	acts, err := p.plans.Activities(ctx, ps)
	if err != nil {
		return p.failed(c, err)
	}
	for _, pl := range ps {
		rows, err := p.progressRows(c, pl, acts[pl.ID])
		if err != nil {
			return p.failed(c, err)
		}
		v.Cards = append(v.Cards, planCard{Plan: pl, Agency: names[pl.AgencyID], Progress: rows})
	}
	return p.render(c, http.StatusOK, "plans", view{Title: "Kế hoạch", User: &u, CSRF: currentSession(c).CSRFToken, Data: v})
}

// progressRows is each activity of pl with what was done per quarter.
func (p *Pages) progressRows(c echo.Context, pl storage.Plan, acts []storage.PlanActivity) ([]progressRow, error) {
	prog, err := p.plans.PlanProgress(c.Request().Context(), pl.Year, acts)
	if err != nil {
		return nil, err
	}
	rows := make([]progressRow, len(acts))
	for i, a := range acts {
		rows[i] = progressRow{ID: a.ID, Code: a.Code, Title: a.Title, Timing: plans.TimingOf(a).Label(),
			Forms: formLabels(a.Forms), Quarters: prog[a.ID].Quarters, Total: prog[a.ID].Total}
	}
	return rows, nil
}

func formLabels(codes []string) string {
	out := ""
	for i, code := range codes {
		if i > 0 {
			out += ", "
		}
		out += plans.FormLabel(code)
	}
	return out
}

// loadPlan is the plan in the path for the user; outside their agencies
// it is not found.
func (p *Pages) loadPlan(c echo.Context) (storage.Plan, []storage.PlanActivity, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return storage.Plan{}, nil, &publishing.NotFoundError{What: "plan"}
	}
	return p.plans.Plan(c.Request().Context(), currentUser(c), id)
}

type planPageView struct {
	Plan     storage.Plan
	Agency   string
	Progress []progressRow
	Form     *planForm
	Notice   string
}

// planNotices are the messages shown after a redirect (?da=).
var planNotices = map[string]string{"tao": "Đã tạo kế hoạch.", "luu": "Đã lưu kế hoạch."}

func (p *Pages) planPage(c echo.Context) error {
	pl, acts, err := p.loadPlan(c)
	if err != nil {
		return p.adminFailed(c, err)
	}
	return p.renderPlan(c, http.StatusOK, pl, acts, nil, planNotices[c.QueryParam("da")])
}

// renderPlan shows a plan with its progress and, to those who may change
// it, its form (f, or one filled from the plan).
func (p *Pages) renderPlan(c echo.Context, status int, pl storage.Plan, acts []storage.PlanActivity, f *planForm, notice string) error {
	u := currentUser(c)
	ctx := c.Request().Context()
	v := planPageView{Plan: pl, Notice: notice}
	var err error
	if v.Progress, err = p.progressRows(c, pl, acts); err != nil {
		return p.failed(c, err)
	}
	names, err := p.agencyNames(ctx, u.AgencyID)
	if err != nil {
		return p.failed(c, err)
	}
	v.Agency = names[pl.AgencyID]
	if p.pub.Authorize(ctx, u, publishing.ManagePlans, "plan", pl.AgencyID, 0) == nil {
		if f == nil {
			f = formOfPlan(pl, acts)
		}
		if err := p.fillChoices(c, f); err != nil {
			return p.failed(c, err)
		}
		v.Form = f
	}
	return p.render(c, status, "plans_show", view{Title: pl.Title, User: &u, CSRF: currentSession(c).CSRFToken, Data: v})
}

func (p *Pages) newPlanPage(c echo.Context) error {
	u := currentUser(c)
	if err := publishing.Allowed(u, publishing.ManagePlans, publishing.Subject{}); err != nil {
		return p.adminFailed(c, err)
	}
	f := &planForm{Year: strconv.Itoa(p.now().In(p.loc).Year()), Rows: []activityRow{emptyRow(0)}}
	return p.renderNewPlan(c, http.StatusOK, f)
}

func (p *Pages) renderNewPlan(c echo.Context, status int, f *planForm) error {
	u := currentUser(c)
	if err := p.fillChoices(c, f); err != nil {
		return p.failed(c, err)
	}
	return p.render(c, status, "plans_new", view{Title: "Tạo kế hoạch", User: &u, CSRF: currentSession(c).CSRFToken, Data: f})
}

// createPlan adds a row ("Thêm hoạt động", nothing stored) or creates the
// plan through the layer; a refusal re-shows the form with nothing stored.
func (p *Pages) createPlan(c echo.Context) error {
	f := readPlanForm(c)
	if f.addRow() {
		return p.renderNewPlan(c, http.StatusOK, f)
	}
	in, ok := f.input()
	if ok {
		pl, _, err := p.plans.CreatePlan(c.Request().Context(), currentUser(c), in)
		if err == nil {
			return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/plans/%d?da=tao", pl.ID))
		}
		if !f.refused(err) {
			return p.adminFailed(c, err)
		}
	}
	return p.renderNewPlan(c, http.StatusUnprocessableEntity, f)
}

func (p *Pages) updatePlan(c echo.Context) error {
	pl, acts, err := p.loadPlan(c)
	if err != nil {
		return p.adminFailed(c, err)
	}
	f := readPlanForm(c)
	f.ID = pl.ID
	if f.addRow() {
		return p.renderPlan(c, http.StatusOK, pl, acts, f, "")
	}
	in, ok := f.input()
	if ok {
		_, _, err := p.plans.UpdatePlan(c.Request().Context(), currentUser(c), pl.ID, in)
		if err == nil {
			return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/plans/%d?da=luu", pl.ID))
		}
		if !f.refused(err) {
			return p.adminFailed(c, err)
		}
	}
	return p.renderPlan(c, http.StatusUnprocessableEntity, pl, acts, f, "")
}

// fillChoices gives the form its lists: the enabled terms, and any term a
// row already holds (a disabled one stays selectable where it is used).
func (p *Pages) fillChoices(c echo.Context, f *planForm) error {
	terms, err := p.plans.Vocabulary(c.Request().Context(), currentUser(c), "", true)
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for _, r := range f.Rows {
		used[storage.VocabContentArea+r.ContentArea], used[storage.VocabAudience+r.Audience] = true, true
	}
	f.Areas, f.Audiences = nil, nil
	for _, t := range terms {
		if t.DisabledAt != nil && !used[t.Kind+t.Code] {
			continue
		}
		ch := plans.Choice{Code: t.Code, Label: t.Label}
		if t.Kind == storage.VocabContentArea {
			f.Areas = append(f.Areas, ch)
		} else {
			f.Audiences = append(f.Audiences, ch)
		}
	}
	f.Forms, f.Timings = plans.Forms(), plans.TimingKindLabels()
	return nil
}

// attachment sends a record's file to a user of its agency or above, as
// a download.
func (p *Pages) attachment(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return p.adminFailed(c, &publishing.NotFoundError{What: "attachment"})
	}
	a, err := p.plans.Attachment(c.Request().Context(), currentUser(c), id)
	if err != nil {
		return p.adminFailed(c, err)
	}
	return api.SendAttachment(c, a)
}

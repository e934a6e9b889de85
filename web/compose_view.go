package web

import (
	"sort"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/plans"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// maxChoices bounds the channels listed as checkboxes; a province has
// thousands, and the selector reaches those. maxPreviews bounds the
// channels previewed at once.
const (
	maxChoices  = 200
	maxPreviews = 20
)

type targetChoice struct {
	ID          int64
	Name, Kind  string
	Checked     bool
	NeedsReauth bool
}

// previewRow is one channel's preview as the page shows it.
type previewRow struct {
	ChannelID     int64
	Channel, Kind string
	Text          string
	Length, Limit int
	Unit          string
	Over          bool
	Fields        []previewField
	Warnings      []string
	Error         string
}

type previewField struct{ Label, Value string }

// composeView is the compose form with what it needs around it.
type composeView struct {
	// Action is where the form posts; PostID is set when it changes a post.
	Action string
	PostID int64
	CSRF   string
	// Fixed is set when the post is past its draft: its channels stay.
	Fixed         bool
	Form          composeForm
	Errors        map[string]string
	Channels      []targetChoice
	ChannelsMore  int
	Zone          string
	NeedsApproval bool
	Previewed     bool
	Previews      []previewRow
	PreviewTotal  int
	PreviewMore   int
	// Areas, Audiences and Activities are the classification's choices:
	// the lists' enabled terms and the current activities of the user's
	// agency (each with any value the post already holds).
	Areas, Audiences, Activities []plans.Choice
}

// composeData builds the form's view for u: the enabled channels of u's
// agency and those beneath it, checked as in f.
func (p *Pages) composeData(c echo.Context, u storage.User, f composeForm) (composeView, error) {
	v := composeView{Action: "/posts", Form: f, Errors: map[string]string{}, Zone: zoneLabel(p.loc, p.now()),
		NeedsApproval: publishing.NeedsApproval(u)}
	chs, err := p.store.ListChannels(c.Request().Context(), u.AgencyID)
	if err != nil {
		return v, err
	}
	for _, ch := range chs {
		if ch.Status == storage.ChannelDisabled {
			continue
		}
		if len(v.Channels) == maxChoices {
			v.ChannelsMore++
			continue
		}
		v.Channels = append(v.Channels, targetChoice{ID: ch.ID, Name: ch.Name, Kind: kindLabel(ch.Kind),
			Checked: f.Channels[ch.ID], NeedsReauth: ch.Status == storage.ChannelNeedsReauth})
	}
	return v, p.classificationChoices(c, u, &v)
}

// classificationChoices fills the composer's selects: the lists' enabled
// terms and the activities of the user's agency's plans of this year
// (plans.Service decides which), keeping what the form already holds.
func (p *Pages) classificationChoices(c echo.Context, u storage.User, v *composeView) error {
	ctx := c.Request().Context()
	terms, err := p.plans.Vocabulary(ctx, u, "", true)
	if err != nil {
		return err
	}
	for _, t := range terms {
		ch := plans.Choice{Code: t.Code, Label: t.Label}
		switch {
		case t.Kind == storage.VocabContentArea && (t.DisabledAt == nil || t.Code == v.Form.ContentArea):
			v.Areas = append(v.Areas, ch)
		case t.Kind == storage.VocabAudience && (t.DisabledAt == nil || t.Code == v.Form.AudienceCode):
			v.Audiences = append(v.Audiences, ch)
		}
	}
	acts, err := p.plans.CurrentActivities(ctx, u, u.AgencyID)
	if err != nil {
		return err
	}
	for _, a := range acts {
		label := a.Title
		if a.Code != "" {
			label = a.Code + ". " + a.Title
		}
		v.Activities = append(v.Activities, plans.Choice{Code: strconv.FormatInt(a.ID, 10), Label: label})
	}
	return nil
}

// previewDraft fills v with the previews of d as Submit would send it.
func (p *Pages) previewDraft(c echo.Context, u storage.User, d publishing.Draft, v *composeView) error {
	pvs, total, err := p.pub.PreviewDraft(c.Request().Context(), u, d, maxPreviews)
	if err != nil {
		return err
	}
	v.Previewed, v.PreviewTotal, v.PreviewMore = true, total, total-len(pvs)
	v.Previews = previewRows(pvs)
	return nil
}

func previewRows(pvs []publishing.ChannelPreview) []previewRow {
	rows := make([]previewRow, 0, len(pvs))
	for _, pv := range pvs {
		r := previewRow{ChannelID: pv.ChannelID, Channel: pv.Channel, Kind: kindLabel(pv.Kind), Error: pv.Error}
		if pv.Preview != nil {
			fillPreview(&r, *pv.Preview)
		}
		rows = append(rows, r)
	}
	return rows
}

func fillPreview(r *previewRow, pv channels.Preview) {
	r.Text, r.Length, r.Limit, r.Warnings = pv.Text, pv.Length, pv.Limit, pv.Warnings
	r.Unit = pv.Unit
	if r.Unit == "" || r.Unit == "characters" {
		r.Unit = "ký tự"
	}
	r.Over = r.Limit > 0 && r.Length > r.Limit
	for key, value := range pv.Fields {
		if label, ok := previewFieldLabels[key]; ok && value != "" {
			r.Fields = append(r.Fields, previewField{Label: label, Value: value})
		}
	}
	sort.Slice(r.Fields, func(i, j int) bool { return r.Fields[i].Label < r.Fields[j].Label })
}

// previewFieldLabels name, in Vietnamese, the values adapters report they
// send; a value without a label here is not shown (its name is the
// platform's, in English).
var previewFieldLabels = map[string]string{
	"title": "Tiêu đề", "summary": "Tóm tắt", "author": "Tác giả", "description": "Mô tả", "cover": "Ảnh bìa",
	"body_blocks": "Số khối nội dung", "broadcast": "Gửi thông báo tới người quan tâm", "excerpt": "Đoạn trích",
	"slug": "Đường dẫn rút gọn", "link": "Đường dẫn kèm theo", "url": "Ảnh đăng kèm",
	"estimated_seconds": "Thời lượng đọc ước tính (giây)", "edition_label": "Bản tin phát",
	"priority_label": "Mức ưu tiên",
}

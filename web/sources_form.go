package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/sources"
	"github.com/loa-vn/loa/storage"
)

// pollChoices are the polling intervals the form offers (within the
// application layer's 5 minutes to 7 days).
var pollChoices = []option{
	{Value: "15m", Label: "15 phút một lần"}, {Value: "30m", Label: "30 phút một lần"}, {Value: "1h", Label: "1 giờ một lần"}, {Value: "3h", Label: "3 giờ một lần"},
	{Value: "6h", Label: "6 giờ một lần"}, {Value: "12h", Label: "12 giờ một lần"}, {Value: "24h", Label: "Mỗi ngày một lần"},
}

// everyLabel says a source's polling interval in words.
func everyLabel(seconds int64) string {
	d := time.Duration(seconds) * time.Second
	for _, o := range pollChoices {
		if c, err := time.ParseDuration(o.Value); err == nil && c == d {
			return o.Label
		}
	}
	if d%time.Hour == 0 {
		return strconv.FormatInt(int64(d/time.Hour), 10) + " giờ một lần"
	}
	return strconv.FormatInt(int64(d/time.Minute), 10) + " phút một lần"
}

// templateView is a source's template as the page shows it, defaults
// filled where a field is empty.
type templateView struct {
	Title, Summary, Body, Category string
}

func templateOf(src storage.Source) templateView {
	t := src.Template
	return templateView{Title: orDefault(t.Title, sources.DefaultTitleTemplate),
		Summary: orDefault(t.Summary, sources.DefaultSummaryTemplate), Body: orDefault(t.Body, sources.DefaultBodyTemplate),
		Category: t.Category}
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// placeholderHelp lists what a source template may use (sources.ItemFields
// and the placeholder helpers), explained in Vietnamese.
var placeholderHelp = []option{
	{Value: "{{.Title}}", Label: "tiêu đề của tin trong nguồn"},
	{Value: "{{.Summary}}", Label: "tóm tắt của tin (đã bỏ định dạng)"},
	{Value: "{{.Link}}", Label: "địa chỉ bài gốc"},
	{Value: "{{.Published}}", Label: "thời điểm đăng; viết {{date .Published}} để có dạng dd/mm/yyyy"},
	{Value: "{{.ImageURL}}", Label: "địa chỉ ảnh minh họa, nếu có"},
	{Value: "{{.FeedTitle}}", Label: "tên của nguồn tin"},
	{Value: "{{.GUID}}", Label: "mã định danh của tin trong nguồn"},
	{Value: "{{truncate 200 .Summary}}", Label: "cắt còn tối đa 200 ký tự (tính cả dấu …)"},
	{Value: "{{if .ImageURL}}…{{else}}…{{end}}", Label: "chọn nội dung theo việc trường có giá trị hay không; {{with .ImageURL}}…{{end}} cũng được"},
}

type sourceFormView struct {
	Name, URL, Every, Mode, MaxAgeDays string
	AgencyID                           int64
	Agencies                           []option
	Channels                           []channelChoice
	Template                           templateView
	Defaults                           templateView
	PollChoices                        []option
	Placeholders                       []option
	Errors                             map[string]string
	Problem                            string
}

type channelChoice struct {
	ID      int64
	Label   string
	Checked bool
}

// sourceNew is the form for a new feed source.
func (p *Pages) sourceNew(c echo.Context) error {
	u := currentUser(c)
	if !mayManage(u, publishing.ManageSources) {
		return p.appRefusal(c, &publishing.NotAllowedError{}, "nguồn tin")
	}
	v, err := p.sourceForm(c, u, nil)
	if err != nil {
		return p.failed(c, err)
	}
	v.Every, v.Mode, v.MaxAgeDays, v.AgencyID = "1h", storage.SourceReview, strconv.Itoa(publishing.DefaultMaxAgeDays), u.AgencyID
	return p.renderSourceForm(c, u, http.StatusOK, v)
}

func (p *Pages) renderSourceForm(c echo.Context, u storage.User, status int, v sourceFormView) error {
	return p.render(c, status, "sources_form", view{Title: "Thêm nguồn tin", User: &u, CSRF: currentSession(c).CSRFToken, Data: v})
}

// sourceForm lays out the form: agencies and active channels in u's scope.
func (p *Pages) sourceForm(c echo.Context, u storage.User, checked []int64) (sourceFormView, error) {
	ctx := c.Request().Context()
	v := sourceFormView{PollChoices: pollChoices, Placeholders: placeholderHelp, Errors: map[string]string{},
		Defaults: templateView{Title: sources.DefaultTitleTemplate, Summary: sources.DefaultSummaryTemplate, Body: sources.DefaultBodyTemplate}}
	as, err := p.store.ListAgencies(ctx, u.AgencyID)
	if err != nil {
		return v, err
	}
	v.Agencies = agencyOptions(as)
	chs, err := p.store.ListChannels(ctx, u.AgencyID)
	if err != nil {
		return v, err
	}
	for _, ch := range chs {
		if ch.Status != storage.ChannelDisabled {
			v.Channels = append(v.Channels, channelChoice{ID: ch.ID, Label: ch.Name + " (" + kindLabel(ch.Kind) + ")",
				Checked: slices.Contains(checked, ch.ID)})
		}
	}
	return v, nil
}

// sourceCreate registers the source through the application layer: its
// URL guarded and any credentials in it sealed, its template checked.
func (p *Pages) sourceCreate(c echo.Context) error {
	u := currentUser(c)
	if !mayManage(u, publishing.ManageSources) {
		return p.appRefusal(c, &publishing.NotAllowedError{}, "nguồn tin")
	}
	in, ids := sourceInput(c)
	src, err := p.channelAdmin().CreateSource(c.Request().Context(), u, in)
	if err == nil {
		p.log.Info("web: source created", "source_id", src.ID, "user_id", u.ID)
		return c.Redirect(http.StatusSeeOther, "/sources/"+strconv.FormatInt(src.ID, 10)+"?da-luu=1")
	}
	key, msg, ok := sourceFormError(err)
	if !ok {
		return p.appRefusal(c, err, "nguồn tin")
	}
	v, ferr := p.sourceForm(c, u, ids)
	if ferr != nil {
		return p.failed(c, ferr)
	}
	v.Name, v.URL, v.Every, v.Mode, v.MaxAgeDays = *in.Name, *in.URL, *in.PollEvery, *in.Mode, c.FormValue("max_age_days")
	v.Template = templateView{Title: in.Template.Title, Summary: in.Template.Summary, Body: in.Template.Body, Category: in.Template.Category}
	if in.AgencyID != nil {
		v.AgencyID = *in.AgencyID
	}
	if _, shown := sourceLabels[key]; shown {
		v.Errors[key] = msg
		v.Problem = "Chưa lưu được: hãy sửa ô được đánh dấu bên dưới."
	} else {
		v.Problem = msg
	}
	return p.renderSourceForm(c, u, http.StatusUnprocessableEntity, v)
}

// sourceInput reads the form; ids are the channels ticked.
func sourceInput(c echo.Context) (publishing.SourceInput, []int64) {
	form := func(name string) *string { v := c.FormValue(name); return &v }
	in := publishing.SourceInput{Name: form("name"), URL: form("url"), PollEvery: form("poll_every"), Mode: form("mode"),
		Template: &sources.Template{Title: c.FormValue("template_title"), Summary: c.FormValue("template_summary"),
			Body: c.FormValue("template_body"), Category: c.FormValue("template_category")}}
	if id, err := strconv.ParseInt(c.FormValue("agency_id"), 10, 64); err == nil {
		in.AgencyID = &id
	}
	if raw := strings.TrimSpace(c.FormValue("max_age_days")); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil {
			n = -1 // the layer refuses it, naming the field
		}
		in.MaxAgeDays = &n
	}
	var ids []int64
	if params, err := c.FormParams(); err == nil {
		for _, raw := range params["channel_ids"] {
			if id, err := strconv.ParseInt(raw, 10, 64); err == nil {
				ids = append(ids, id)
			}
		}
	}
	in.ChannelIDs = ids
	return in, ids
}

package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// kindChoice is a kind offered on /channels/new.
type kindChoice struct{ Name, Label string }

type kindPickerView struct {
	Kinds   []kindChoice
	Problem string
}

// channelNew is the form for a new channel of ?kind=, or the choice of a
// kind first.
func (p *Pages) channelNew(c echo.Context) error {
	u := currentUser(c)
	if !mayManage(u, publishing.ManageChannels) {
		return p.appRefusal(c, &publishing.NotAllowedError{}, "kênh")
	}
	kind, ok := p.channelAdmin().Kind(c.QueryParam("kind"))
	if !ok {
		return p.kindPicker(c, u, http.StatusOK, "")
	}
	form, err := p.newChannelForm(c, u, kind)
	if err != nil {
		return p.failed(c, err)
	}
	form.Fields = formFields(kind, nil, nil)
	return p.renderChannelForm(c, u, http.StatusOK, form)
}

func (p *Pages) kindPicker(c echo.Context, u storage.User, status int, problem string) error {
	v := kindPickerView{Problem: problem}
	for _, name := range kindOrder {
		if _, ok := p.channelAdmin().Kind(name); ok {
			v.Kinds = append(v.Kinds, kindChoice{Name: name, Label: kindLabel(name)})
		}
	}
	return p.render(c, status, "channels_new", view{Title: "Thêm kênh", User: &u, CSRF: currentSession(c).CSRFToken, Data: v})
}

func (p *Pages) newChannelForm(c echo.Context, u storage.User, kind channels.Kind) (channelForm, error) {
	as, err := p.store.ListAgencies(c.Request().Context(), u.AgencyID)
	if err != nil {
		return channelForm{}, err
	}
	return channelForm{Kind: kind.Name, KindLabel: kindLabel(kind.Name), AgencyID: u.AgencyID,
		Agencies: agencyOptions(as), HasSecrets: len(kind.SecretFields) > 0, Errors: map[string]string{}}, nil
}

func (p *Pages) renderChannelForm(c echo.Context, u storage.User, status int, form channelForm) error {
	for _, f := range form.Fields {
		form.HasAdvanced = form.HasAdvanced || f.Advanced
	}
	for i := range form.Fields {
		form.Fields[i].Error = form.Errors["cfg."+form.Fields[i].Key]
	}
	title := "Thêm kênh: " + form.KindLabel
	if form.ID != 0 {
		title = "Kênh: " + form.Heading
	}
	return p.render(c, status, "channels_form", view{Title: title, User: &u, CSRF: currentSession(c).CSRFToken, Data: form})
}

// channelCreate stores a new channel through the application layer.
func (p *Pages) channelCreate(c echo.Context) error {
	u := currentUser(c)
	if !mayManage(u, publishing.ManageChannels) {
		return p.appRefusal(c, &publishing.NotAllowedError{}, "kênh")
	}
	kind, ok := p.channelAdmin().Kind(c.FormValue("kind"))
	if !ok {
		return p.kindPicker(c, u, http.StatusUnprocessableEntity, "Hãy chọn một loại kênh trong danh sách.")
	}
	config, shown, err := configFromForm(c, kind, false)
	if err != nil {
		return p.failed(c, err)
	}
	name, slots := c.FormValue("name"), splitList(c.FormValue("slots"))
	in := publishing.ChannelInput{Name: &name, Kind: &kind.Name, Config: config, Slots: &slots}
	if id, err := strconv.ParseInt(c.FormValue("agency_id"), 10, 64); err == nil {
		in.AgencyID = &id
	}
	ch, err := p.channelAdmin().CreateChannel(c.Request().Context(), u, in)
	if err == nil {
		p.log.Info("web: channel created", "channel_id", ch.ID, "kind", ch.Kind, "user_id", u.ID)
		return c.Redirect(http.StatusSeeOther, "/channels/"+strconv.FormatInt(ch.ID, 10)+"?da-luu=1")
	}
	key, msg, ok := fieldRefusal(err, kind.Name)
	if !ok {
		return p.appRefusal(c, err, "kênh")
	}
	form, ferr := p.newChannelForm(c, u, kind)
	if ferr != nil {
		return p.failed(c, ferr)
	}
	form.Name, form.Slots = name, c.FormValue("slots")
	if in.AgencyID != nil {
		form.AgencyID = *in.AgencyID
	}
	form.Fields = formFields(kind, nil, shown)
	form.setError(key, msg)
	return p.renderChannelForm(c, u, http.StatusUnprocessableEntity, form)
}

// setError puts msg next to its field, or above the form when the field
// is not on it.
func (f *channelForm) setError(key, msg string) {
	switch {
	case key == "name" || key == "slots" || key == "status" || key == "agency_id" && f.ID == 0:
		f.Errors[key] = msg
	case strings.HasPrefix(key, "cfg.") && f.hasField(strings.TrimPrefix(key, "cfg.")):
		f.Errors[key] = msg
	default:
		f.Problem = msg
		return
	}
	f.Problem = "Chưa lưu được: hãy sửa ô được đánh dấu bên dưới. Các ô bí mật cần nhập lại."
}

func (f channelForm) hasField(key string) bool {
	for _, fv := range f.Fields {
		if fv.Key == key {
			return true
		}
	}
	return false
}

// channelShow is a channel's page: its form (read-only for an officer),
// its public feed or radio editions.
func (p *Pages) channelShow(c echo.Context) error {
	u := currentUser(c)
	form, err := p.channelPageForm(c, u)
	if err != nil {
		return p.appRefusal(c, err, "kênh")
	}
	if c.QueryParam("da-luu") != "" {
		form.Notice = "Đã lưu kênh."
	}
	return p.renderChannelForm(c, u, http.StatusOK, form)
}

// channelPageForm loads the channel in the path for u and lays out its page.
func (p *Pages) channelPageForm(c echo.Context, u storage.User) (channelForm, error) {
	id, ok := idOf(c)
	if !ok {
		return channelForm{}, &publishing.NotFoundError{What: "channel"}
	}
	ch, err := p.channelAdmin().Channel(c.Request().Context(), u, id, publishing.View)
	if err != nil {
		return channelForm{}, err
	}
	return p.storedChannelForm(c, u, ch)
}

func (p *Pages) storedChannelForm(c echo.Context, u storage.User, ch storage.Channel) (channelForm, error) {
	form := channelForm{ID: ch.ID, Heading: ch.Name, Kind: ch.Kind, KindLabel: kindLabel(ch.Kind), Name: ch.Name, AgencyID: ch.AgencyID,
		Slots: strings.Join(ch.Slots, ", "), Status: ch.Status, StatusLabel: channelStatusLabel(ch.Status),
		StatusReason: ch.StatusReason, ReadOnly: !mayManage(u, publishing.ManageChannels), Errors: map[string]string{},
		Radio: ch.Kind == "radio"}
	form.FeedRSS, form.FeedAtom, _ = p.channelAdmin().FeedURLs(ch)
	kind, ok := p.channelAdmin().Kind(ch.Kind)
	if !ok {
		form.ReadOnly = true
		return form, nil
	}
	masked, err := p.channelAdmin().MaskedConfig(ch)
	if err != nil {
		return form, err
	}
	form.HasSecrets = len(kind.SecretFields) > 0
	form.Fields = formFields(kind, maskedConfig(masked), nil)
	if form.Radio {
		if form.Editions, err = p.editionRows(c, ch); err != nil {
			return form, err
		}
	}
	return form, nil
}

// channelUpdate applies the form to the channel: config merged by its kind
// (empty secrets kept), name, slots, status.
func (p *Pages) channelUpdate(c echo.Context) error {
	u := currentUser(c)
	id, ok := idOf(c)
	if !ok {
		return p.notInScope(c, "kênh")
	}
	ctx := c.Request().Context()
	current, err := p.channelAdmin().Channel(ctx, u, id, publishing.ManageChannels)
	if err != nil {
		return p.appRefusal(c, err, "kênh")
	}
	kind, ok := p.channelAdmin().Kind(current.Kind)
	if !ok {
		return p.message(c, http.StatusUnprocessableEntity, "Không sửa được kênh",
			"Loại của kênh này không còn được hỗ trợ nên không sửa được. Hãy tắt kênh hoặc tạo kênh mới.")
	}
	config, shown, err := configFromForm(c, kind, true)
	if err != nil {
		return p.failed(c, err)
	}
	name, slots := c.FormValue("name"), splitList(c.FormValue("slots"))
	in := publishing.ChannelInput{Name: &name, Config: config, Slots: &slots}
	if st := c.FormValue("status"); st != "" {
		in.Status = &st
	}
	ch, err := p.channelAdmin().UpdateChannel(ctx, u, id, in)
	if err == nil {
		p.log.Info("web: channel changed", "channel_id", ch.ID, "user_id", u.ID)
		return c.Redirect(http.StatusSeeOther, "/channels/"+strconv.FormatInt(ch.ID, 10)+"?da-luu=1")
	}
	key, msg, ok := fieldRefusal(err, kind.Name)
	if !ok {
		return p.appRefusal(c, err, "kênh")
	}
	form, ferr := p.storedChannelForm(c, u, current)
	if ferr != nil {
		return p.failed(c, ferr)
	}
	form.Name, form.Slots = name, c.FormValue("slots")
	masked, _ := p.channelAdmin().MaskedConfig(current)
	form.Fields = formFields(kind, maskedConfig(masked), shown)
	form.setError(key, msg)
	return p.renderChannelForm(c, u, http.StatusUnprocessableEntity, form)
}

package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/channels/radio"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// channelTest is "Kiểm tra kết nối": the platform is asked, nothing is
// published; the channel's page shows the answer.
func (p *Pages) channelTest(c echo.Context) error {
	u := currentUser(c)
	id, ok := idOf(c)
	if !ok {
		return p.notInScope(c, "kênh")
	}
	res, err := p.channelAdmin().TestChannel(c.Request().Context(), u, id)
	if err != nil {
		return p.appRefusal(c, err, "kênh")
	}
	p.log.Info("web: channel tested", "channel_id", id, "ok", res.OK, "detail", res.Detail)
	form, err := p.channelPageForm(c, u)
	if err != nil {
		return p.appRefusal(c, err, "kênh")
	}
	form.Check = checkFrom(res)
	return p.renderChannelForm(c, u, http.StatusOK, form)
}

func checkFrom(res publishing.CheckOutcome) *checkView {
	return &checkView{OK: res.OK, Checked: res.Checked, Account: res.Account, Reason: res.Reason, Reauth: res.NeedsReauth}
}

// reauthView is the form to enter a channel's credentials again.
type reauthView struct {
	ID           int64
	Name         string
	KindLabel    string
	StatusLabel  string
	StatusReason string
	Fields       []fieldView
	Problem      string
}

// channelReauthPage is "Xác thực lại": the kind's secret fields, empty.
func (p *Pages) channelReauthPage(c echo.Context) error {
	return p.renderReauth(c, http.StatusOK, "")
}

func (p *Pages) renderReauth(c echo.Context, status int, problem string) error {
	u := currentUser(c)
	id, ok := idOf(c)
	if !ok {
		return p.notInScope(c, "kênh")
	}
	ch, err := p.channelAdmin().Channel(c.Request().Context(), u, id, publishing.ManageChannels)
	if err != nil {
		return p.appRefusal(c, err, "kênh")
	}
	kind, ok := p.channelAdmin().Kind(ch.Kind)
	if !ok || len(kind.SecretFields) == 0 {
		return p.message(c, http.StatusNotFound, "Không cần xác thực lại",
			"Loại kênh này không dùng thông tin xác thực. Hãy quay lại trang của kênh.")
	}
	v := reauthView{ID: ch.ID, Name: ch.Name, KindLabel: kindLabel(ch.Kind), StatusLabel: channelStatusLabel(ch.Status),
		StatusReason: ch.StatusReason, Problem: problem}
	for _, f := range formFields(kind, map[string]any{}, nil) {
		if f.Secret {
			v.Fields = append(v.Fields, f)
		}
	}
	return p.render(c, status, "channels_reauth", view{Title: "Xác thực lại: " + ch.Name, User: &u,
		CSRF: currentSession(c).CSRFToken, Data: v})
}

// channelReauth stores the credentials entered anew, sets the channel
// active again and checks the connection (publishing.ChannelAdmin.Reauthorise).
func (p *Pages) channelReauth(c echo.Context) error {
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
	kind, _ := p.channelAdmin().Kind(current.Kind)
	patch := map[string]string{}
	for _, name := range kind.SecretFields {
		if v := strings.TrimSpace(c.FormValue(cfgPrefix + name)); v != "" && slices.ContainsFunc(kindFields[kind.Name], func(f configField) bool { return f.Key == name }) {
			patch[name] = v
		}
	}
	if len(patch) == 0 {
		return p.renderReauth(c, http.StatusUnprocessableEntity, "Hãy nhập lại ít nhất một thông tin xác thực (mã hoặc mật khẩu mới).")
	}
	config, err := json.Marshal(patch)
	if err != nil {
		return p.failed(c, err)
	}
	_, res, err := p.channelAdmin().Reauthorise(ctx, u, id, config)
	if err != nil {
		if _, msg, ok := fieldRefusal(err, kind.Name); ok {
			return p.renderReauth(c, http.StatusUnprocessableEntity, msg)
		}
		return p.appRefusal(c, err, "kênh")
	}
	p.log.Info("web: channel re-authorised", "channel_id", id, "user_id", u.ID, "ok", res.OK)
	form, err := p.channelPageForm(c, u)
	if err != nil {
		return p.appRefusal(c, err, "kênh")
	}
	form.Notice = "Đã lưu thông tin xác thực mới."
	form.Check = checkFrom(res)
	return p.renderChannelForm(c, u, http.StatusOK, form)
}

// editionRow is one radio edition with its files.
type editionRow struct {
	Date    string
	AirTime string
	Items   int
	Base    string
}

// editionsShown bounds the editions listed on a radio channel's page.
const editionsShown = 30

func (p *Pages) editionRows(c echo.Context, ch storage.Channel) ([]editionRow, error) {
	eds, err := p.channelAdmin().Editions(c.Request().Context(), ch, editionsShown)
	if err != nil {
		return nil, err
	}
	rows := make([]editionRow, 0, len(eds))
	for _, e := range eds {
		date := e.Key.Date
		if len(date) == len("2006-01-02") {
			date = date[8:10] + "/" + date[5:7] + "/" + date[0:4]
		}
		rows = append(rows, editionRow{Date: date, AirTime: e.Key.AirTime, Items: e.Items,
			Base: "/channels/" + strconv.FormatInt(ch.ID, 10) + "/editions/" + e.Key.Date + "/" + e.Key.AirTime})
	}
	return rows, nil
}

// channelEdition serves an edition's script (.txt), sidecar (.json) or
// speech (.wav) to a signed-in user, as the API does to a token.
func (p *Pages) channelEdition(c echo.Context) error {
	u := currentUser(c)
	id, ok := idOf(c)
	if !ok {
		return p.notInScope(c, "bản tin")
	}
	timePart, ext, ok := strings.Cut(c.Param("file"), ".")
	key := c.Param("date") + "T" + timePart
	if !ok {
		key = ""
	}
	ctx := c.Request().Context()
	ch, ed, err := p.channelAdmin().Edition(ctx, u, id, key)
	if err != nil {
		return p.appRefusal(c, err, "bản tin")
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	switch ext {
	case "txt":
		return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(ed.Script()))
	case "json":
		body, err := ed.JSON()
		if err != nil {
			return p.failed(c, err)
		}
		return c.JSONBlob(http.StatusOK, body)
	case "wav":
		wav, err := p.channelAdmin().EditionAudio(ctx, ch, ed)
		if errors.Is(err, radio.ErrNoSpeechEngine) {
			return p.message(c, http.StatusNotImplemented, "Chưa có âm thanh",
				"Máy chủ chưa cài bộ đọc tiếng Việt (espeak-ng) nên chưa tạo được tệp âm thanh. Hãy tải kịch bản dạng văn bản.")
		}
		if err != nil {
			return p.failed(c, err)
		}
		return c.Blob(http.StatusOK, "audio/wav", wav)
	}
	return p.notInScope(c, "bản tin")
}

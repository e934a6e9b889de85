package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// mountChannels adds the channels pages' routes: the list, the forms that
// fit each kind's config, the connection test, re-authorisation and the
// radio editions. The rules are publishing.ChannelAdmin's, shared with the API.
func (p *Pages) mountChannels(add adder) {
	add(http.MethodGet, "/channels", p.channelList, p.signedIn)
	add(http.MethodGet, "/channels/new", p.channelNew, p.signedIn)
	add(http.MethodPost, "/channels", p.channelCreate, p.signedIn, p.checkCSRF)
	add(http.MethodGet, "/channels/:id", p.channelShow, p.signedIn)
	add(http.MethodPost, "/channels/:id", p.channelUpdate, p.signedIn, p.checkCSRF)
	add(http.MethodPost, "/channels/:id/test", p.channelTest, p.signedIn, p.checkCSRF)
	add(http.MethodGet, "/channels/:id/reauth", p.channelReauthPage, p.signedIn)
	add(http.MethodPost, "/channels/:id/reauth", p.channelReauth, p.signedIn, p.checkCSRF)
	add(http.MethodGet, "/channels/:id/editions/:date/:file", p.channelEdition, p.signedIn)
}

// admin is the application layer for channels and sources, the API's own.
func (p *Pages) channelAdmin() *publishing.ChannelAdmin { return p.logins.ChannelAdmin() }

// channelPage bounds the channels listed on one page.
const channelPage = 50

type channelListRow struct {
	ID           int64
	Name         string
	Kind         string
	Agency       string
	Status       string
	StatusLabel  string
	StatusReason string
	LastDelivery string
	LastStatus   string
}

type channelListView struct {
	Rows      []channelListRow
	Total     int
	MayManage bool
	Page      int
	PrevPage  int
	NextPage  int
}

// channelList is Kênh: the channels of the user's agency and those below it.
func (p *Pages) channelList(c echo.Context) error {
	u := currentUser(c)
	ctx := c.Request().Context()
	chs, err := p.store.ListChannels(ctx, u.AgencyID)
	if err != nil {
		return p.failed(c, err)
	}
	names, err := p.agencyNames(ctx, u.AgencyID)
	if err != nil {
		return p.failed(c, err)
	}
	page := pageParam(c)
	v := channelListView{Total: len(chs), Page: page, MayManage: mayManage(u, publishing.ManageChannels)}
	from, to := pageBounds(page, channelPage, len(chs))
	if page > 1 {
		v.PrevPage = page - 1
	}
	if to < len(chs) {
		v.NextPage = page + 1
	}
	for _, ch := range chs[from:to] {
		row, err := p.channelRow(ctx, ch, names)
		if err != nil {
			return p.failed(c, err)
		}
		v.Rows = append(v.Rows, row)
	}
	return p.render(c, http.StatusOK, "channels", view{Title: "Kênh", User: &u, CSRF: currentSession(c).CSRFToken, Data: v})
}

func (p *Pages) channelRow(ctx context.Context, ch storage.Channel, names map[int64]string) (channelListRow, error) {
	row := channelListRow{ID: ch.ID, Name: ch.Name, Kind: kindLabel(ch.Kind), Agency: names[ch.AgencyID],
		Status: ch.Status, StatusLabel: channelStatusLabel(ch.Status), StatusReason: ch.StatusReason}
	last, err := p.store.ListDeliveries(ctx, storage.DeliveryFilter{ChannelID: ch.ID, Limit: 1})
	if err != nil {
		return row, err
	}
	if len(last) > 0 {
		row.LastDelivery, row.LastStatus = localTime(last[0].ScheduledAt, p.loc), last[0].Status
	}
	return row, nil
}

// agencyNames names the agencies of top's subtree, each by its own name.
func (p *Pages) agencyNames(ctx context.Context, top int64) (map[int64]string, error) {
	as, err := p.store.ListAgencies(ctx, top)
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(as))
	for _, a := range as {
		names[a.ID] = a.Name
	}
	return names, nil
}

// mayManage reports whether u's role allows action at all (the policy,
// without an object): pages show their forms only then.
func mayManage(u storage.User, action publishing.Action) bool {
	return publishing.Allowed(u, action, publishing.Subject{}) == nil
}

// pageParam is the ?page= of a list, 1 when absent or wrong.
func pageParam(c echo.Context) int {
	n, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || n < 1 || n > 100000 {
		return 1
	}
	return n
}

func pageBounds(page, size, total int) (from, to int) {
	from = min((page-1)*size, total)
	return from, min(from+size, total)
}

// idOf reads the :id of a page's path; ok is false for anything but a
// positive number.
func idOf(c echo.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	return id, err == nil && id > 0
}

// appRefusal answers a page for an error of the application layer that is
// not about a field: not found (or outside the user's agencies), not
// allowed, a system error.
func (p *Pages) appRefusal(c echo.Context, err error, what string) error {
	var missing *publishing.NotFoundError
	var refused *publishing.NotAllowedError
	switch {
	case errors.As(err, &missing), errors.Is(err, storage.ErrNotFound):
		return p.notInScope(c, what)
	case errors.As(err, &refused):
		return p.message(c, http.StatusForbidden, "Không có quyền",
			"Tài khoản của bạn không có quyền thực hiện việc này (cần vai trò Người duyệt hoặc Quản trị). Không có thay đổi nào được thực hiện.")
	}
	return p.failed(c, err)
}

func (p *Pages) notInScope(c echo.Context, what string) error {
	return p.message(c, http.StatusNotFound, "Không tìm thấy",
		"Không tìm thấy "+what+" này, hoặc nó thuộc cơ quan, đơn vị ngoài phạm vi của bạn. Hãy quay lại danh sách.")
}

package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/notify"
	"github.com/loa-vn/loa/storage"
)

// notificationsPage is how many notifications one page shows; unreadCap
// how far the bell counts ("99+" beyond).
const (
	notificationsPage = 30
	unreadCap         = 100
)

// mountNotifications adds the notifications pages' routes.
func (p *Pages) mountNotifications(add adder) {
	add(http.MethodGet, "/notifications", p.notificationsList, p.signedIn)
	add(http.MethodPost, "/notifications/read", p.notificationsRead, p.signedIn, p.checkCSRF)
}

type notificationRow struct {
	ID     int64
	Text   string
	When   string
	Path   string
	Kind   string
	Unread bool
}

type notificationsView struct {
	Rows    []notificationRow
	Next    string
	Zone    string
	Unread  int
	Summary string
	Before  int64
}

// notificationKinds name the kinds of notification.
var notificationKinds = map[string]string{
	storage.NotifyPostPending:         "Tin chờ duyệt",
	storage.NotifyDeliveryFailed:      "Gửi không thành công",
	storage.NotifyDeliveryUnconfirmed: "Chưa xác nhận",
	storage.NotifyChannelReauth:       "Kênh cần xác thực lại",
}

// notificationsList is Thông báo: the user's own notifications, newest
// first, each leading to the thing that needs them.
func (p *Pages) notificationsList(c echo.Context) error {
	u := currentUser(c)
	ctx := c.Request().Context()
	before, _ := strconv.ParseInt(c.QueryParam("before"), 10, 64)
	before = max(before, 0)
	ns, err := p.store.ListNotifications(ctx, u.ID, before, notificationsPage+1)
	if err != nil {
		return p.failed(c, err)
	}
	v := notificationsView{Zone: zoneLabel(p.loc, p.now()), Before: before}
	if len(ns) > notificationsPage {
		ns = ns[:notificationsPage]
		v.Next = "/notifications?before=" + strconv.FormatInt(ns[len(ns)-1].ID, 10)
	}
	for _, n := range ns {
		v.Rows = append(v.Rows, notificationRow{ID: n.ID, Text: n.Text, When: localTime(n.CreatedAt, p.loc),
			Path: notify.Path(n), Kind: notificationKinds[n.Kind], Unread: n.ReadAt == nil})
	}
	if v.Unread, err = p.unread(ctx, u.ID); err != nil {
		return p.failed(c, err)
	}
	switch c.QueryParam("kq") {
	case "mot":
		v.Summary = "Đã đánh dấu thông báo là đã đọc."
	case "tat-ca":
		v.Summary = "Đã đánh dấu mọi thông báo là đã đọc."
	}
	return p.render(c, http.StatusOK, "notifications", view{Title: "Thông báo", User: &u, CSRF: currentSession(c).CSRFToken, Data: v})
}

// notificationsRead marks one notification ("id") or all of the user's
// ("all") read; another user's are never touched.
func (p *Pages) notificationsRead(c echo.Context) error {
	u := currentUser(c)
	var ids []int64
	done := "tat-ca"
	if c.FormValue("all") == "" {
		id, err := strconv.ParseInt(c.FormValue("id"), 10, 64)
		if err != nil || id <= 0 {
			return p.message(c, http.StatusUnprocessableEntity, "Yêu cầu không hợp lệ",
				"Không rõ thông báo nào cần đánh dấu, nên không có thay đổi nào được thực hiện. Vui lòng tải lại trang rồi thử lại.")
		}
		ids, done = []int64{id}, "mot"
	}
	if _, err := p.store.MarkNotificationsRead(c.Request().Context(), u.ID, ids); err != nil {
		return p.failed(c, err)
	}
	back := "/notifications?kq=" + done
	if before, err := strconv.ParseInt(c.FormValue("before"), 10, 64); err == nil && before > 0 {
		back += "&before=" + strconv.FormatInt(before, 10)
	}
	return c.Redirect(http.StatusSeeOther, back)
}

// unread counts the user's unread notifications, up to unreadCap.
func (p *Pages) unread(ctx context.Context, userID int64) (int, error) {
	return p.store.CountUnread(ctx, userID, unreadCap)
}

// bellCount is the unread count for the header's bell; failing to read
// it must not fail the page, so it is logged and shown as none.
func (p *Pages) bellCount(c echo.Context, userID int64) int {
	n, err := p.unread(c.Request().Context(), userID)
	if err != nil {
		p.log.Warn("web: count unread notifications", "user_id", userID, "err", err)
	}
	return n
}

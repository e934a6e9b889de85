package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/loa-vn/loa/notify"
	"github.com/loa-vn/loa/storage"
)

// The bell counts the user's unread notifications on every page; the
// list shows the user's own, each linking to its subject; marking read
// (one, then all) changes only the user's own.
func TestNotificationsListBellAndMarkRead(t *testing.T) {
	w := newLogWorld(t)
	ctx := context.Background()
	mine := []storage.Notification{
		{UserID: w.btA.ID, Kind: storage.NotifyPostPending, SubjectID: 12, Event: "audit:1", Text: "Tin «Lịch tiêm chủng» đang chờ duyệt."},
		{UserID: w.btA.ID, Kind: storage.NotifyDeliveryFailed, SubjectID: 40, Event: "attempt:2", Text: "Gửi tin «Lịch tiêm chủng» lên kênh Cổng A không thành công."},
		{UserID: w.btA.ID, Kind: storage.NotifyChannelReauth, SubjectID: w.chA.ID, Event: "audit:3", Text: "Kênh Cổng A cần Xác thực lại."},
	}
	theirs := storage.Notification{UserID: w.btB.ID, Kind: storage.NotifyPostPending, SubjectID: 99, Event: "audit:9", Text: "Tin «Của huyện B» đang chờ duyệt."}
	if _, err := w.h.store.SaveNotifications(ctx, append(mine, theirs), storage.NotifierMark{Source: "test"}); err != nil {
		t.Fatal(err)
	}
	b := w.login(w.btA)
	if d := b.get("/"); !strings.Contains(d.body, `<span class="bell-count">3<span class="visually-hidden"> chưa đọc</span>`) {
		t.Errorf("the bell on Tổng quan does not count 3 unread")
	}
	p := b.get("/notifications")
	if p.status != http.StatusOK {
		t.Fatalf("status %d", p.status)
	}
	for _, want := range []string{`href="/posts/12"`, `href="/deliveries?delivery=40"`, `href="/channels/` + strconv.FormatInt(w.chA.ID, 10) + `"`,
		"Tin chờ duyệt", "Gửi không thành công", "Kênh cần xác thực lại", "3 thông báo chưa đọc", "Thứ Hai 07/12/2026, 09:00"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("missing %q", want)
		}
	}
	if strings.Contains(p.body, "Của huyện B") {
		t.Error("shows another user's notification")
	}
	checkVietnamesePage(t, p.body, allowedTitles...)

	list, err := w.h.store.ListNotifications(ctx, w.btA.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	other, err := w.h.store.ListNotifications(ctx, w.btB.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	token := b.csrf("/notifications")
	for _, id := range []int64{list[0].ID, other[0].ID} {
		r := b.do(http.MethodPost, "/notifications/read", url.Values{"csrf_token": {token}, "id": {strconv.FormatInt(id, 10)}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("mark read: %d", r.status)
		}
	}
	if n, _ := w.h.store.CountUnread(ctx, w.btA.ID, 100); n != 2 {
		t.Errorf("unread after marking one: %d", n)
	}
	if n, _ := w.h.store.CountUnread(ctx, w.btB.ID, 100); n != 1 {
		t.Error("marked another user's notification read")
	}
	if after := b.get("/notifications?kq=mot"); !strings.Contains(after.body, "Đã đánh dấu thông báo là đã đọc.") ||
		!strings.Contains(after.body, `<span class="bell-count">2`) {
		t.Error("no summary or bell not updated")
	}
	if r := b.do(http.MethodPost, "/notifications/read", url.Values{"csrf_token": {token}, "all": {"1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("mark all: %d", r.status)
	}
	if n, _ := w.h.store.CountUnread(ctx, w.btA.ID, 100); n != 0 {
		t.Errorf("unread after marking all: %d", n)
	}
	if n, _ := w.h.store.CountUnread(ctx, w.btB.ID, 100); n != 1 {
		t.Error("mark all touched another user's")
	}
	if d := b.get("/notifications"); strings.Contains(d.body, "bell-count") {
		t.Error("the bell still counts after all are read")
	}
	bad := b.do(http.MethodPost, "/notifications/read", url.Values{"csrf_token": {token}, "id": {"abc"}})
	if bad.status != http.StatusUnprocessableEntity {
		t.Errorf("bad id: %d", bad.status)
	}
	checkVietnamesePage(t, bad.body)
}

// Every notification kind leads to a page of the UI.
func TestNotificationPaths(t *testing.T) {
	for kind, want := range map[string]string{
		storage.NotifyPostPending: "/posts/5", storage.NotifyDeliveryFailed: "/deliveries?delivery=5",
		storage.NotifyDeliveryUnconfirmed: "/deliveries?delivery=5", storage.NotifyChannelReauth: "/channels/5",
	} {
		if got := notify.Path(storage.Notification{Kind: kind, SubjectID: 5}); got != want {
			t.Errorf("%s → %s, want %s", kind, got, want)
		}
	}
}

// A failed delivery found by the notifier shows in the list and leads to
// the log filtered to it, where it can be retried.
func TestNotificationLeadsToRetry(t *testing.T) {
	w := newLogWorld(t)
	d := w.failed(w.cvA, w.chA, "Tin hỏng", "webhook: HTTP 400")
	w.h.advance(notify.DefaultSettle + 1)
	n := notify.New(notify.Options{Store: w.h.store, Publishing: w.h.pub, Now: w.h.now})
	if err := n.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	b := w.login(w.cvA)
	p := b.get("/notifications")
	link := "/deliveries?delivery=" + strconv.FormatInt(d.ID, 10)
	if !strings.Contains(p.body, `href="`+link+`"`) {
		t.Fatalf("no link to the failed delivery")
	}
	log := b.get(link)
	if got := shown(log.body); len(got) != 1 || got[0] != d.ID {
		t.Fatalf("the link shows %v", got)
	}
	if !strings.Contains(log.body, "Gửi lại lượt gửi số "+strconv.FormatInt(d.ID, 10)) {
		t.Error("no retry on the linked delivery")
	}
}

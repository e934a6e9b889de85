package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/storage"
)

// seedAgency makes, in agency, a channel needing re-authorisation, a post
// going out today and one tomorrow (local time), a failed delivery and a
// post waiting for approval, each named after tag.
func (h *harness) seedAgency(agency int64, tag string) {
	h.t.Helper()
	ctx := context.Background()
	ch := storage.Channel{Name: "Kênh " + tag, Kind: "webhook", ConfigSealed: []byte("s"), AgencyID: agency}
	bad := storage.Channel{Name: "Kênh hỏng " + tag, Kind: "webhook", ConfigSealed: []byte("s"), AgencyID: agency}
	for _, c := range []*storage.Channel{&ch, &bad} {
		if err := h.store.CreateChannel(ctx, c, "test"); err != nil {
			h.t.Fatal(err)
		}
	}
	if err := h.store.SetChannelStatus(ctx, bad.ID, storage.ChannelNeedsReauth, "mã truy cập hết hạn", "test"); err != nil {
		h.t.Fatal(err)
	}
	post := func(title, status string, at time.Time) []storage.Delivery {
		p := storage.Post{Title: title, Body: "Nội dung", Audience: "public", AgencyID: agency, Status: status, PublishAt: at}
		ds, err := h.store.CreatePost(ctx, &p, []int64{ch.ID}, nil, "test")
		if err != nil {
			h.t.Fatal(err)
		}
		return ds
	}
	now := h.now()
	post("Hôm nay "+tag, "", now.Add(time.Hour))
	post("Ngày mai "+tag, "", now.Add(26*time.Hour))
	post("Chờ duyệt "+tag, storage.PostPendingApproval, now.Add(time.Hour))
	failing := post("Hỏng "+tag, "", now)
	c, err := h.store.ClaimDelivery(ctx, failing[0].ID, "lease-"+tag, time.Minute)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.store.FinishAttempt(ctx, c, storage.Result{Status: storage.DeliveryFailed, Outcome: storage.OutcomeFailed, Error: "lỗi"}); err != nil {
		h.t.Fatal(err)
	}
}

// Tổng quan shows what the caller's agency and those below it hold, and
// nothing of a sibling agency; an officer sees no approvals section.
func TestDashboardScope(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	root, err := h.store.RootAgency(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := storage.Agency{Name: "Huyện A", Code: "a", ParentID: &root.ID}
	b := storage.Agency{Name: "Huyện B", Code: "b", ParentID: &root.ID}
	for _, ag := range []*storage.Agency{&a, &b} {
		if err := h.store.CreateAgency(ctx, ag, "test"); err != nil {
			t.Fatal(err)
		}
	}
	h.seedAgency(a.ID, "AAA")
	h.seedAgency(b.ID, "BBB")
	h.user("bt a", storage.RoleEditor, "mật khẩu đủ dài 1", a.ID)
	h.user("cv a", storage.RoleOfficer, "mật khẩu đủ dài 1", a.ID)
	h.user("bt tinh", storage.RoleEditor, "mật khẩu đủ dài 1", root.ID)

	tests := []struct {
		user      string
		want, not []string
	}{
		{"bt a", []string{"Hôm nay AAA", "Ngày mai AAA", "Hỏng AAA", "Kênh hỏng AAA", "Chờ duyệt AAA", "1 tin chờ duyệt", "1 kênh"},
			[]string{"BBB"}},
		{"cv a", []string{"Hôm nay AAA", "Hỏng AAA", "Kênh hỏng AAA"}, []string{"BBB", "Tin chờ duyệt"}},
		{"bt tinh", []string{"AAA", "BBB", "2 tin chờ duyệt", "2 kênh"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			br := h.browser()
			br.mustLogin(tt.user, "mật khẩu đủ dài 1")
			p := br.get("/")
			if p.status != http.StatusOK {
				t.Fatalf("status %d", p.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(p.body, w) {
					t.Errorf("missing %q", w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(p.body, w) {
					t.Errorf("shows %q from outside the caller's agency", w)
				}
			}
			if !strings.Contains(p.body, "Asia/Ho_Chi_Minh") || !strings.Contains(p.body, "07/12/2026") {
				t.Error("no local date or zone label")
			}
			checkVietnamesePage(t, p.body, tt.user, "AAA", "BBB")
		})
	}
}

func TestDashboardEmpty(t *testing.T) {
	h := newHarness(t)
	h.user("an", storage.RoleEditor, "mật khẩu đủ dài 1", 0)
	b := h.browser()
	b.mustLogin("an", "mật khẩu đủ dài 1")
	p := b.get("/")
	for _, w := range []string{"Hôm nay không còn lượt gửi nào", "Không có lượt gửi nào cần xử lý",
		"Mọi kênh đều đang hoạt động bình thường", "Không có tin nào chờ duyệt"} {
		if !strings.Contains(p.body, w) {
			t.Errorf("missing empty state %q", w)
		}
	}
}

// The set-password link works once, then says it is gone; an expired
// link never works; setting the password signs in and lands on /.
func TestSetupLink(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	u := h.user("admin", storage.RoleAdmin, "", 0)
	link, err := NewSetupLink(ctx, h.store, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	b := h.browser()
	set := func(b *browser, link, pw, again string) page {
		return b.do(http.MethodPost, link, url.Values{"password": {pw}, "password_again": {again}, "csrf_token": {b.csrf(link)}})
	}
	if p := set(b, link, "ngắn", "ngắn"); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "ít nhất 10 ký tự") {
		t.Fatalf("short password: %d", p.status)
	}
	if p := set(b, link, "mật khẩu đủ dài 1", "khác hẳn"); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("mismatch: %d", p.status)
	}
	if p := b.do(http.MethodPost, link, url.Values{"password": {"mật khẩu đủ dài 1"}, "password_again": {"mật khẩu đủ dài 1"}}); p.status != http.StatusForbidden {
		t.Fatalf("no csrf_token: %d", p.status)
	}
	p := set(b, link, "mật khẩu đủ dài 1", "mật khẩu đủ dài 1")
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/" {
		t.Fatalf("set password: %d %s", p.status, p.body)
	}
	if d := b.get("/"); d.status != http.StatusOK {
		t.Errorf("not signed in after setting the password: %d", d.status)
	}
	if g := h.browser().get(link); g.status != http.StatusNotFound || !strings.Contains(g.body, "đã được dùng hoặc đã hết hạn") {
		t.Errorf("used link: %d", g.status)
	}
	again := h.browser()
	again.mustLogin("admin", "mật khẩu đủ dài 1")

	expired, err := NewSetupLink(ctx, h.store, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	b2 := h.browser()
	tok := b2.csrf(expired)
	h.advance(SetupLinkTTL + time.Second)
	p = b2.do(http.MethodPost, expired, url.Values{"password": {"mật khẩu khác đủ dài"}, "password_again": {"mật khẩu khác đủ dài"}, "csrf_token": {tok}})
	if p.status != http.StatusNotFound {
		t.Errorf("expired link: %d", p.status)
	}
	if g := b2.get(expired); g.status != http.StatusNotFound {
		t.Errorf("expired link page: %d", g.status)
	}
}

// A province user's Tổng quan lists each agency below with its own counts,
// linked to the lists behind them; agencies with nothing are only counted,
// and a commune user (nothing below) gets no such section.
func TestDashboardPerAgency(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	root, err := h.store.RootAgency(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := storage.Agency{Name: "Xã Alpha", Code: "alpha", ParentID: &root.ID}
	b := storage.Agency{Name: "Xã Beta", Code: "beta", ParentID: &root.ID}
	quiet := storage.Agency{Name: "Xã Yên", Code: "yen", ParentID: &root.ID}
	for _, ag := range []*storage.Agency{&a, &b, &quiet} {
		if err := h.store.CreateAgency(ctx, ag, "test"); err != nil {
			t.Fatal(err)
		}
	}
	h.seedAgency(a.ID, "AAA")
	h.seedAgency(b.ID, "BBB")
	h.user("bt tinh", storage.RoleEditor, "mật khẩu đủ dài 1", root.ID)
	h.user("bt a", storage.RoleEditor, "mật khẩu đủ dài 1", a.ID)

	sums, err := h.store.AgencySummaries(ctx, root.ID, h.now(), h.now().Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// seedAgency: one going out today (plus the failing one, now failed),
	// one failed, one channel to re-authorise, one post to approve.
	want := storage.AgencySummary{AgencyID: a.ID, GoingOut: 1, NeedDecision: 1, Reauth: 1, WaitApproval: 1}
	if got := sums[a.ID]; got == nil || *got != want {
		t.Fatalf("summary of A: %+v, want %+v", got, want)
	}
	if sums[quiet.ID] != nil {
		t.Errorf("quiet agency counted: %+v", sums[quiet.ID])
	}

	br := h.browser()
	br.mustLogin("bt tinh", "mật khẩu đủ dài 1")
	p := br.get("/")
	for _, w := range []string{"Theo cơ quan, đơn vị trực thuộc", "Xã Alpha", "Xã Beta",
		"/deliveries?agency=" + strconv.FormatInt(a.ID, 10) + "&amp;status=failed",
		"1 cơ quan, đơn vị không có việc nào cần theo dõi"} {
		if !strings.Contains(p.body, w) {
			t.Errorf("province dashboard misses %q", w)
		}
	}
	if strings.Contains(p.body, "Xã Yên") {
		t.Error("an agency with nothing to do is listed")
	}
	checkVietnamesePage(t, p.body, "AAA", "BBB")

	commune := h.browser()
	commune.mustLogin("bt a", "mật khẩu đủ dài 1")
	if p := commune.get("/"); strings.Contains(p.body, "Theo cơ quan, đơn vị trực thuộc") {
		t.Error("a commune with nothing below gets the per-agency section")
	}
}

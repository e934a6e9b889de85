package zalo

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/loa-vn/loa/channels"
)

func TestFind(t *testing.T) {
	long := strings.Repeat("Hướng dẫn thủ tục đăng ký khai sinh trực tuyến ", 5)
	tests := []struct {
		name      string
		stored    string    // title as Zalo holds it
		created   time.Time // when Zalo created it
		msg       func(*channels.Message)
		wantFound bool
	}{
		{name: "exact title", stored: testMessage().Title, created: testNow(), wantFound: true},
		{name: "stored decomposed (NFD)", stored: norm.NFD.String(testMessage().Title), created: testNow(), wantFound: true},
		{name: "long title matches as cut", stored: func() string { s, _ := cutWords(oneLine(long), 150); return s }(), created: testNow(),
			msg: func(m *channels.Message) { m.Title = long }, wantFound: true},
		{name: "other title", stored: "Thông báo lịch tiếp công dân tháng 2/2026", created: testNow()},
		{name: "same title, an older post", stored: testMessage().Title, created: testNow().Add(-7 * 24 * time.Hour),
			msg: func(m *channels.Message) { m.ScheduledAt = testNow() }},
		{name: "same title, created just after scheduling", stored: testMessage().Title, created: testNow().Add(-time.Minute),
			msg: func(m *channels.Message) { m.ScheduledAt = testNow() }, wantFound: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSetup(t, nil)
			s.f.addArticle("Bài khác", testNow())
			id := s.f.addArticle(tt.stored, tt.created)
			z := s.channel(t, nil)
			msg := testMessage()
			if tt.msg != nil {
				tt.msg(&msg)
			}

			receipt, found, err := z.Find(context.Background(), msg)

			if err != nil {
				t.Fatalf("Find: %v", err)
			}
			if found != tt.wantFound {
				t.Fatalf("found = %v, want %v", found, tt.wantFound)
			}
			if found && receipt.ExternalID != id {
				t.Errorf("ExternalID = %q, want %q", receipt.ExternalID, id)
			}
			if s.f.calls("getslice") != 1 {
				t.Errorf("calls: %v", s.f.events.all())
			}
		})
	}
}

func TestFindErrors(t *testing.T) {
	tests := []struct {
		name      string
		reply     http.HandlerFunc
		wantClass channels.Class
	}{
		{name: "HTML page", reply: answer(200, map[string]string{"Content-Type": "text/html"}, "<html>login</html>"), wantClass: channels.ClassRetryable},
		{name: "medias of the wrong shape", reply: answer(200, nil, `{"error":0,"data":{"medias":"none"}}`), wantClass: channels.ClassRetryable},
		{name: "HTTP 500", reply: answer(500, nil, "oops"), wantClass: channels.ClassRetryable},
		{name: "rate limit", reply: zaloError(-32, "Rate limit exceeded"), wantClass: channels.ClassRetryable},
		{name: "OA disabled", reply: zaloError(-204, "OA has been disabled"), wantClass: channels.ClassPermanent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSetup(t, nil)
			s.f.script("getslice", tt.reply)
			z := s.channel(t, nil)

			_, found, err := z.Find(context.Background(), testMessage())

			assertClass(t, err, tt.wantClass)
			if found {
				t.Error("found = true on error")
			}
		})
	}
}

func TestFindEmptySlice(t *testing.T) {
	s := newSetup(t, nil)
	s.f.script("getslice", answer(200, nil, `{"error":0,"message":"Success","data":{"medias":[],"total":0}}`))
	z := s.channel(t, nil)

	_, found, err := z.Find(context.Background(), testMessage())

	if err != nil || found {
		t.Errorf("Find = %v, %v; want not found", found, err)
	}
}

func TestCheck(t *testing.T) {
	expired := func(c *config) { c.AccessTokenExpiresAt = testNow().Add(-time.Hour).Format(time.RFC3339) }
	tests := []struct {
		name        string
		edit        func(*config)
		channelID   int64
		reply       http.HandlerFunc
		replyAgain  http.HandlerFunc
		want        channels.CheckResult // Detail is checked for presence only
		wantRefresh int
	}{
		{name: "ok", want: channels.CheckResult{OK: true, Account: testOAName}},
		{name: "ok after refreshing an expired token", edit: expired, wantRefresh: 1,
			want: channels.CheckResult{OK: true, Account: testOAName}},
		{name: "refused token refreshed", reply: zaloError(-216, "Access token is invalid"), wantRefresh: 1,
			want: channels.CheckResult{OK: true, Account: testOAName}},
		{name: "dead refresh token", edit: func(c *config) { expired(c); c.RefreshToken = "refDeadxSECRET" }, wantRefresh: 1,
			want: channels.CheckResult{NeedsReauth: true, Reason: reasonRefreshDead}},
		{name: "refused token, dead refresh token", edit: func(c *config) { c.RefreshToken = "refDeadxSECRET" },
			reply: zaloError(-216, "Access token is invalid"), wantRefresh: 1,
			want: channels.CheckResult{NeedsReauth: true, Reason: reasonRefreshDead}},
		{name: "token refused again after refreshing", wantRefresh: 1,
			reply: zaloError(-216, "Access token is invalid"), replyAgain: zaloError(-216, "Access token is invalid"),
			want: channels.CheckResult{NeedsReauth: true, Reason: reasonTokenDead}},
		{name: "unsaved channel with an expired token", edit: expired, channelID: -1,
			want: channels.CheckResult{Reason: reasonNoStore}},
		{name: "OA disabled", reply: zaloError(-204, "OA has been disabled"), want: channels.CheckResult{Reason: reasonOAGone}},
		{name: "Zalo down", reply: answer(502, nil, "<h1>Bad Gateway</h1>"), want: channels.CheckResult{Reason: reasonTemporary}},
		{name: "HTML at HTTP 200", reply: answer(200, nil, "<html></html>"), want: channels.CheckResult{Reason: reasonTemporary}},
		{name: "data of the wrong shape", reply: answer(200, nil, `{"error":0,"data":{"name":5}}`), want: channels.CheckResult{Reason: reasonRejected}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSetup(t, tt.edit)
			for _, reply := range []http.HandlerFunc{tt.reply, tt.replyAgain} {
				if reply != nil {
					s.f.script("getoa", reply)
				}
			}
			z := s.channel(t, func(o *Options) {
				if tt.channelID < 0 {
					o.ChannelID = 0
				}
			})

			got := z.Check(context.Background())

			if (got.Detail == "") != got.OK {
				t.Errorf("Detail = %q with OK = %v; want a detail exactly when the check fails", got.Detail, got.OK)
			}
			assertNoSecret(t, "detail", got.Detail)
			got.Detail = ""
			if got != tt.want {
				t.Errorf("Check = %+v, want %+v", got, tt.want)
			}
			if n := s.f.calls("refresh"); n != tt.wantRefresh {
				t.Errorf("refresh calls = %d, want %d", n, tt.wantRefresh)
			}
		})
	}
}

package e2e

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/channels/webhook"
	"github.com/loa-vn/loa/web"
)

// pageRoutes is the pages' route table as this source mounts it, the
// same the binary under test was built from: a page added later is
// crawled without a change here.
func pageRoutes(t testing.TB) []web.Route {
	t.Helper()
	pages, err := web.New(web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	api.New(api.Options{Pages: pages, Logger: slog.New(slog.DiscardHandler), PasswordHashers: 1})
	return pages.Routes()
}

// fillPath puts real values into path's parameters, each looked up as
// "<segment before it>/:<name>" ("posts/:id"); ok is false, with the
// key, when ids has no value for one.
func fillPath(path string, ids map[string]string) (filled string, ok bool, key string) {
	parts := strings.Split(path, "/")
	out := slices.Clone(parts)
	for i, p := range parts {
		if !strings.HasPrefix(p, ":") {
			continue
		}
		key = parts[i-1] + "/" + p
		v, found := ids[key]
		if !found {
			return "", false, key
		}
		out[i] = v
	}
	return strings.Join(out, "/"), true, ""
}

// notPages are GET routes that answer a file, not a page: the crawl
// leaves them to their own tests.
var notPages = map[string]string{
	"/channels/:id/editions/:date/:file": "a radio edition's text, JSON or sound file (web/channels_test.go)",
	"/attachments/:id":                   "an activity record's attached scan (web/plans_test.go)",
	"/reports/export":                    "a report as .xlsx, .docx or .csv (web/reports_test.go)",
	"/posts/import/template.xlsx":        "the import template (web/import_test.go)",
	"/posts/import/template.csv":         "the import template (web/import_test.go)",
}

// wantStatus is what a crawled page answers when all is well: a made-up
// one-time link is refused with the "link not valid" page.
var wantStatus = map[string]int{"/setup/:token": http.StatusNotFound}

// crawl opens every GET page of the route table, signed in as c's user,
// with the ids of real objects, and checks each.
func (c *chrome) crawl(ids map[string]string) {
	c.t.Helper()
	n := 0
	for _, r := range pageRoutes(c.t) {
		if r.Method != http.MethodGet || strings.Contains(r.Path, "*") || notPages[r.Path] != "" {
			continue
		}
		path, ok, key := fillPath(r.Path, ids)
		if !ok {
			c.t.Errorf("page %s: the crawl has no real object for %s; create one and add it to the ids", r.Path, key)
			continue
		}
		want := wantStatus[r.Path]
		if want == 0 {
			want = http.StatusOK
		}
		c.openStatus("page "+r.Path, path, want)
		n++
	}
	if n < 2 {
		c.t.Errorf("crawled %d pages: the route table looks empty", n)
	}
}

// openStatus navigates to path, checks the answer's status and checks the
// page.
func (c *chrome) openStatus(name, path string, want int) {
	c.t.Helper()
	res, err := chromedp.Run(c.ctx, chromedp.NavigateResponse(c.base+path))
	if err != nil {
		c.t.Fatalf("open %s: %v", path, err)
	}
	if int(res.Status) != want || !strings.HasPrefix(res.MimeType, "text/html") {
		c.t.Errorf("%s: %d %s, want %d text/html", path, res.Status, res.MimeType, want)
	}
	c.checkPage(name)
}

// switchSink is the receiving site of a webhook channel; it checks the
// signature and answers with the status it is set to.
type switchSink struct {
	mu       sync.Mutex
	status   int
	received int
	srv      *httptest.Server
}

func newSwitchSink(t *testing.T) *switchSink {
	s := &switchSink{status: http.StatusCreated}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.received++
		if err := webhook.Verify(webhookSecret, r.Header, body, time.Now(), time.Minute); err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(s.status)
		if s.status < 300 {
			fmt.Fprintf(w, `{"id":"bai-%d","url":"http://cong.example/bai-%d"}`, s.received, s.received)
			return
		}
		fmt.Fprint(w, `{"error":"nội dung bị từ chối"}`)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *switchSink) answer(status int) {
	s.mu.Lock()
	s.status = status
	s.mu.Unlock()
}

// world is what the browser test creates through the API before it signs
// in: a commune under the province, its officer and editor, a province
// admin, the commune's channels — RSS, a webhook to a site that works and
// one to a site that refuses (until it is fixed) — a feed source and a
// weekly schedule.
type world struct {
	agency               int64
	officer, editor      string
	admin                string
	officerID            int64
	webhookID, rssID     int64
	brokenID             int64
	webhookName, rssName string
	brokenName           string
	sourceID, scheduleID int64
	planID, activityID   int64
}

const browserPassword = "mật khẩu thử đủ dài"

func makeWorld(c client, s, broken *switchSink) world {
	c.t.Helper()
	w := world{officer: "Trần Thị Hoa", editor: "Lê Văn Duyệt", admin: "Phạm Quản Trị",
		webhookName: "Cổng thông tin xã Tân Phú", rssName: "Bản tin xã Tân Phú", brokenName: "Trang tin Đoàn thanh niên xã"}
	var id struct {
		ID int64 `json:"id"`
	}
	var me struct {
		AgencyID int64 `json:"agency_id"`
	}
	c.mustDo("GET", "/api/v1/me", nil, 200, &me)
	c.mustDo("POST", "/api/v1/agencies", map[string]any{"name": "UBND xã Tân Phú", "code": "tan-phu", "parent_id": me.AgencyID}, 201, &id)
	w.agency = id.ID
	for name, role := range map[string]string{w.officer: "officer", w.editor: "editor"} {
		c.mustDo("POST", "/api/v1/users", map[string]any{"name": name, "role": role, "password": browserPassword, "agency_id": w.agency}, 201, &id)
		if name == w.officer {
			w.officerID = id.ID
		}
	}
	c.mustDo("POST", "/api/v1/users", map[string]any{"name": w.admin, "role": "admin", "password": browserPassword}, 201, nil)
	for _, ch := range []struct {
		name string
		sink *switchSink
		id   *int64
	}{{w.webhookName, s, &w.webhookID}, {w.brokenName, broken, &w.brokenID}} {
		c.mustDo("POST", "/api/v1/channels", map[string]any{"name": ch.name, "kind": "webhook", "agency_id": w.agency,
			"config": map[string]string{"url": ch.sink.srv.URL, "secret": webhookSecret}}, 201, &id)
		*ch.id = id.ID
	}
	c.mustDo("POST", "/api/v1/channels", map[string]any{"name": w.rssName, "kind": "rss", "agency_id": w.agency,
		"config": map[string]string{"slug": "tin-tan-phu", "title": w.rssName}}, 201, &id)
	w.rssID = id.ID
	feed := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(rw, provincialFeed(2))
	}))
	c.t.Cleanup(feed.Close)
	c.mustDo("POST", "/api/v1/sources", map[string]any{"name": "Thủ tục hành chính tỉnh", "url": feed.URL + "/rss/tthc.rss",
		"poll_every": "24h", "mode": "review", "channel_ids": []int64{w.webhookID}, "agency_id": w.agency}, 201, &id)
	w.sourceID = id.ID
	sc := weeklyCount3(w.rssID)
	sc["agency_id"] = w.agency
	c.mustDo("POST", "/api/v1/schedules", sc, 201, &id)
	w.scheduleID = id.ID
	var plan struct {
		ID         int64 `json:"id"`
		Activities []struct {
			ID int64 `json:"id"`
		} `json:"activities"`
	}
	c.mustDo("POST", "/api/v1/plans", map[string]any{"agency_id": w.agency, "title": "Kế hoạch tuyên truyền CCHC năm 2026",
		"year": 2026, "reference": "Kế hoạch số 12/KH-UBND ngày 10/01/2026", "activities": []map[string]any{
			{"code": "2.1", "title": "Tuyên truyền thủ tục hành chính trên Cổng thông tin xã", "content_area": "tthc",
				"audience": "nguoi_dan", "forms": []string{"website", "rss"}, "timing": "thuong_xuyen", "unit": "Văn phòng UBND xã", "target": 24},
			{"code": "2.2", "title": "Hội nghị tập huấn cho cán bộ, công chức", "content_area": "cong_vu",
				"audience": "can_bo", "forms": []string{"hoi_nghi"}, "timing": "Q4", "unit": "Văn phòng UBND xã", "target": 1},
		}}, 201, &plan)
	w.planID, w.activityID = plan.ID, plan.Activities[0].ID
	c.mustDo("POST", "/api/v1/activity-records", map[string]any{"activity_id": plan.Activities[1].ID, "date": "2026-11-20",
		"form": "hoi_nghi", "description": "Hội nghị tập huấn CCHC cho 35 cán bộ, công chức xã", "count": 1}, 201, nil)
	return w
}

// ids are the world's objects for the crawl's route parameters (see fillPath).
func (w world) ids(postID, deliveryID int64) map[string]string {
	s := func(n int64) string { return fmt.Sprint(n) }
	return map[string]string{"setup/:token": "ma-khong-hop-le",
		"posts/:id": s(postID), "deliveries/:id": s(deliveryID), "channels/:id": s(w.webhookID),
		"sources/:id": s(w.sourceID), "schedules/:id": s(w.scheduleID), "users/:id": s(w.officerID),
		"agencies/:id": s(w.agency), "plans/:id": s(w.planID), "activities/:id": s(w.activityID)}
}

// waitDelivery polls the API until the post's delivery to channel has
// status want.
func (c client) waitDelivery(postID, channel int64, want string, within time.Duration) delivery {
	c.t.Helper()
	var p post
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		c.mustDo("GET", fmt.Sprintf("/api/v1/posts/%d", postID), nil, 200, &p)
		for _, d := range p.Deliveries {
			if d.ChannelID == channel && d.Status == want {
				return d
			}
		}
	}
	c.t.Fatalf("post %d: no delivery to channel %d %s within %s: %+v", postID, channel, want, within, p)
	return delivery{}
}

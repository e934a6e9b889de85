package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/loa-vn/loa/storage"
)

// placeholderWords are the template syntax the source pages show as code
// (field and helper names), not untranslated labels.
const placeholderWords = "Title Summary Link Published ImageURL FeedTitle GUID date truncate if else with end"

const feedSecret = "feedPassSECRET9"

// fakeFeed serves an RSS feed of two procedure updates behind basic auth,
// or fails with 500 once broken is set.
func fakeFeed(t *testing.T, broken *atomic.Bool) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user, pass, ok := r.BasicAuth(); !ok || user != "loa" || pass != feedSecret {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if broken.Load() {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Thủ tục hành chính tỉnh</title>
<link>https://tinh.example.gov.vn</link><description>Cập nhật</description>
<item><title>Thủ tục cấp giấy phép xây dựng</title><link>https://tinh.example.gov.vn/tt/1</link><guid>tt-1</guid>
<description>Sửa đổi hồ sơ cấp phép.</description><pubDate>Mon, 07 Dec 2026 08:00:00 +0700</pubDate></item>
<item><title>Thủ tục đăng ký khai sinh</title><link>https://tinh.example.gov.vn/tt/2</link><guid>tt-2</guid>
<description>Rút ngắn thời gian giải quyết.</description><pubDate>Mon, 07 Dec 2026 07:00:00 +0700</pubDate></item>
</channel></rss>`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

var createdSource = regexp.MustCompile(`^/sources/(\d+)\?da-luu=1$`)

// A source is created through the form with credentials in its URL (shown
// masked, never whole), polled with "Lấy tin ngay", and its poll log shows
// each poll's time, outcome, items seen and added, and errors in Vietnamese.
func TestSourceCreateAndPoll(t *testing.T) {
	h := newChannelHarness(t)
	var broken atomic.Bool
	feed := fakeFeed(t, &broken)
	b := h.loginAs("bien tap", storage.RoleEditor, 0)
	chID := h.createChannel(b, "rss", url.Values{"name": {"Tin RSS xã"}, "cfg_slug": {"xa"}, "cfg_title": {"Tin xã"}})

	form := h.visit(b, "/sources/new")
	if form.status != http.StatusOK || !strings.Contains(form.body, "{{truncate 200 .Summary}}") || !strings.Contains(form.body, "Tin RSS xã") {
		t.Fatalf("form: %d", form.status)
	}
	checkVietnamesePage(t, form.body, placeholderWords, "Tin RSS xã")
	feedURL := strings.Replace(feed.URL, "http://", "http://loa:"+feedSecret+"@", 1) + "/rss"
	p := h.post(b, "/sources", url.Values{"name": {"Thủ tục tỉnh"}, "url": {feedURL}, "poll_every": {"1h"}, "mode": {"review"},
		"channel_ids": {jsonID(chID)}, "max_age_days": {"0"}})
	m := createdSource.FindStringSubmatch(p.header.Get("Location"))
	if p.status != http.StatusSeeOther || m == nil {
		t.Fatalf("create: %d %s", p.status, p.body)
	}
	path := "/sources/" + m[1]
	page := h.visit(b, path+"?da-luu=1")
	for _, w := range []string{"Đã lưu nguồn tin.", "Chưa lấy tin lần nào", "Chờ duyệt trước khi đăng", "1 giờ một lần", "Tin RSS xã", "********"} {
		if !strings.Contains(page.body, w) {
			t.Errorf("source page lacks %q", w)
		}
	}
	checkVietnamesePage(t, page.body, placeholderWords, "Thủ tục tỉnh", "Tin RSS xã")

	p = h.post(b, path+"/poll", url.Values{})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != path+"?da-lay=1" {
		t.Fatalf("poll now: %d %s", p.status, p.body)
	}
	page = h.visit(b, path+"?da-lay=1")
	for _, w := range []string{"Đã lấy tin xong", "Thành công", "2 tin", "Thủ tục cấp giấy phép xây dựng", "Thủ tục đăng ký khai sinh", "Tin số"} {
		if !strings.Contains(page.body, w) {
			t.Errorf("after poll, page lacks %q", w)
		}
	}
	checkVietnamesePage(t, page.body, placeholderWords, "Thủ tục tỉnh", "Tin RSS xã")
	posts, err := h.store.ListPosts(context.Background(), storage.PostFilter{Status: storage.PostPendingApproval, Limit: 10})
	if err != nil || len(posts) != 2 {
		t.Errorf("posts waiting for approval: %d %v", len(posts), err)
	}

	broken.Store(true)
	h.post(b, path+"/poll", url.Values{})
	page = h.visit(b, path)
	if !strings.Contains(page.body, "Máy chủ nguồn tin trả lời lỗi (mã HTTP 500)") || !strings.Contains(page.body, "Lỗi") {
		t.Errorf("failed poll not in the log: %s", page.body)
	}
	list := h.visit(b, "/sources")
	if !strings.Contains(list.body, "Thủ tục tỉnh") || !strings.Contains(list.body, "mã HTTP") || !strings.Contains(list.body, "1 lần lỗi liên tiếp") {
		t.Errorf("list lacks the source or its last error")
	}
	checkVietnamesePage(t, list.body, "Thủ tục tỉnh")
	h.noSecretsShown(t, feedSecret)
}

// Bad input is refused next to its field in Vietnamese and nothing is
// created: a private address, a template outside the allow-list, no channel.
func TestSourceFormRefusals(t *testing.T) {
	h := newChannelHarness(t)
	b := h.loginAs("bien tap", storage.RoleEditor, 0)
	chID := h.createChannel(b, "rss", url.Values{"name": {"Tin RSS xã"}, "cfg_slug": {"xa"}, "cfg_title": {"Tin xã"}})
	good := func(change map[string]string) url.Values {
		v := url.Values{"name": {"Thủ tục"}, "url": {"https://tinh.example.gov.vn/rss"}, "poll_every": {"1h"}, "mode": {"review"},
			"channel_ids": {jsonID(chID)}}
		for k, val := range change {
			v.Set(k, val)
		}
		return v
	}
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"private address", good(map[string]string{"url": "http://10.1.2.3/rss"}), "thuộc mạng nội bộ"},
		{"not a URL", good(map[string]string{"url": "tinh.gov.vn"}), "phải là địa chỉ đầy đủ"},
		{"template outside the allow-list", good(map[string]string{"template_title": "{{printf .Title}}"}), "«Mẫu tiêu đề» dùng cú pháp không được phép"},
		{"no channel", good(map[string]string{"channel_ids": ""}), "Hãy chọn ít nhất một kênh nhận tin."},
		{"max age", good(map[string]string{"max_age_days": "nhiều"}), "«Bỏ qua tin cũ hơn (ngày)»"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.form.Get("channel_ids") == "" {
				tt.form.Del("channel_ids")
			}
			p := h.post(b, "/sources", tt.form)
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, tt.want) {
				t.Fatalf("got %d, want %q in %s", p.status, tt.want, p.body)
			}
			if tt.form.Get("template_title") != "" && !strings.Contains(p.body, `value="{{printf .Title}}"`) {
				t.Error("the refused form does not keep the template entered")
			}
			checkVietnamesePage(t, p.body, placeholderWords, "Thủ tục", "Tin RSS xã", "printf")
		})
	}
	if srcs, _ := h.store.ListSources(context.Background(), 0); len(srcs) != 0 {
		t.Errorf("refused forms created %d sources", len(srcs))
	}
}

// An officer sees sources read-only and is refused changes; a source
// outside the user's subtree is not found; an editor pauses and resumes.
func TestSourceRolesAndScope(t *testing.T) {
	h := newChannelHarness(t)
	ctx := context.Background()
	root, _ := h.store.RootAgency(ctx)
	a := storage.Agency{Name: "Huyện A", Code: "a", ParentID: &root.ID}
	bAg := storage.Agency{Name: "Huyện B", Code: "b", ParentID: &root.ID}
	for _, ag := range []*storage.Agency{&a, &bAg} {
		if err := h.store.CreateAgency(ctx, ag, "test"); err != nil {
			t.Fatal(err)
		}
	}
	editorB := h.loginAs("bien tap b", storage.RoleEditor, bAg.ID)
	chID := h.createChannel(editorB, "rss", url.Values{"name": {"Tin B"}, "cfg_slug": {"b"}, "cfg_title": {"Tin B"}})
	p := h.post(editorB, "/sources", url.Values{"name": {"Nguồn B"}, "url": {"https://tinh.example.gov.vn/rss"}, "poll_every": {"1h"},
		"mode": {"review"}, "channel_ids": {jsonID(chID)}})
	m := createdSource.FindStringSubmatch(p.header.Get("Location"))
	if m == nil {
		t.Fatalf("create: %d %s", p.status, p.body)
	}
	path := "/sources/" + m[1]
	officerB := h.loginAs("can bo b", storage.RoleOfficer, bAg.ID)
	editorA := h.loginAs("bien tap a", storage.RoleEditor, a.ID)

	view := h.visit(officerB, path)
	if view.status != http.StatusOK || !strings.Contains(view.body, "Bạn chỉ xem được nguồn tin này") || strings.Contains(view.body, "Lấy tin ngay") {
		t.Errorf("officer view: %d", view.status)
	}
	checkVietnamesePage(t, view.body, placeholderWords, "Nguồn B", "Tin B")
	tests := []struct {
		who    *browser
		method string
		path   string
		want   int
		text   string
	}{
		{officerB, http.MethodGet, "/sources/new", http.StatusForbidden, "không có quyền"},
		{officerB, http.MethodPost, "/sources", http.StatusForbidden, "không có quyền"},
		{officerB, http.MethodPost, path + "/poll", http.StatusForbidden, "không có quyền"},
		{officerB, http.MethodPost, path + "/status", http.StatusForbidden, "không có quyền"},
		{editorA, http.MethodGet, path, http.StatusNotFound, "Không tìm thấy nguồn tin"},
		{editorA, http.MethodPost, path + "/poll", http.StatusNotFound, "Không tìm thấy nguồn tin"},
		{editorA, http.MethodPost, path + "/status", http.StatusNotFound, "Không tìm thấy nguồn tin"},
		{editorA, http.MethodGet, "/sources/999999", http.StatusNotFound, "Không tìm thấy nguồn tin"},
	}
	for _, tt := range tests {
		var p page
		if tt.method == http.MethodGet {
			p = tt.who.get(tt.path)
		} else {
			p = tt.who.do(tt.method, tt.path, url.Values{"csrf_token": {tt.who.csrf("/sources")}, "status": {"paused"},
				"name": {"Lạc"}, "url": {"https://x.example.gov.vn/rss"}, "poll_every": {"1h"}, "channel_ids": {jsonID(chID)}})
		}
		if p.status != tt.want || !strings.Contains(p.body, tt.text) {
			t.Errorf("%s %s: %d", tt.method, tt.path, p.status)
		}
		checkVietnamesePage(t, p.body)
	}
	if list := h.visit(editorA, "/sources"); strings.Contains(list.body, "Nguồn B") {
		t.Error("a sibling agency's source is listed")
	}
	srcs, _ := h.store.ListSources(ctx, 0)
	if len(srcs) != 1 || srcs[0].Status != storage.SourceActive {
		t.Fatalf("refused requests changed the sources: %+v", srcs)
	}
	for _, st := range []string{storage.SourcePaused, storage.SourceActive} {
		if p := h.post(editorB, path+"/status", url.Values{"status": {st}}); p.status != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", st, p.status, p.body)
		}
		if src, _ := h.store.GetSource(ctx, srcs[0].ID); src.Status != st {
			t.Errorf("status %s, want %s", src.Status, st)
		}
	}
}

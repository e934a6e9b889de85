package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/storage"
)

func TestFeeds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	feed := e.createFeed("Bản tin phường", "tin-tuc")
	hook := e.createWebhook("Cổng phường")

	published := postBody(feed.ID, hook.ID)
	published["title"] = "Lịch tiêm chủng mở rộng"
	published["body"] = `<p>Tiêm tại trạm y tế.</p><script>alert(1)</script><a href="javascript:x()">x</a>`
	p1 := e.createPost(officerToken, published)
	item, hookDelivery := p1.Deliveries[0].ID, p1.Deliveries[1].ID
	e.finish(item, storage.DeliveryDelivered)

	pending := postBody(feed.ID)
	pending["title"] = "Bài chưa đăng"
	p2 := e.createPost(officerToken, pending)
	failing := postBody(feed.ID)
	failing["title"] = "Bài gửi lỗi"
	p3 := e.createPost(officerToken, failing)
	e.finish(p3.Deliveries[0].ID, storage.DeliveryFailed)

	lastModified := testNow.Format(http.TimeFormat)
	get := func(path string, hdr map[string]string) response {
		return e.do(req{Method: http.MethodGet, Path: path, Header: hdr})
	}

	var etag string
	for _, f := range []struct{ path, contentType, marker string }{
		{"/feeds/tin-tuc.rss", "application/rss+xml; charset=utf-8", "<rss"},
		{"/feeds/tin-tuc.atom", "application/atom+xml; charset=utf-8", "<feed"},
	} {
		t.Run(f.path, func(t *testing.T) {
			r := get(f.path, nil)
			wantStatus(t, r, http.StatusOK)
			body := string(r.Body)
			if got := r.Header.Get("Content-Type"); got != f.contentType {
				t.Errorf("Content-Type = %q", got)
			}
			if r.Header.Get("ETag") == "" || r.Header.Get("Last-Modified") != lastModified {
				t.Errorf("ETag = %q, Last-Modified = %q, want %q", r.Header.Get("ETag"), r.Header.Get("Last-Modified"), lastModified)
			}
			if !strings.Contains(body, f.marker) || !strings.Contains(body, "Lịch tiêm chủng mở rộng") ||
				!strings.Contains(body, fmt.Sprintf("%s/feeds/tin-tuc/items/%d", publicURL, item)) {
				t.Errorf("feed lacks the delivered item: %s", body)
			}
			for _, absent := range []string{"Bài chưa đăng", "Bài gửi lỗi", "<script", "javascript:"} {
				if strings.Contains(body, absent) {
					t.Errorf("feed contains %q: %s", absent, body)
				}
			}
			if again := get(f.path, nil); again.Header.Get("ETag") != r.Header.Get("ETag") || string(again.Body) != body {
				t.Errorf("feed is not stable between requests")
			}
			if f.path == "/feeds/tin-tuc.rss" {
				etag = r.Header.Get("ETag")
			}
		})
	}
	if etag == "" {
		t.Fatal("no ETag")
	}

	conditional := []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"matching ETag", map[string]string{"If-None-Match": etag}, 304},
		{"weak form of the ETag", map[string]string{"If-None-Match": "W/" + etag}, 304},
		{"ETag in a list", map[string]string{"If-None-Match": `"other", ` + etag}, 304},
		{"star", map[string]string{"If-None-Match": "*"}, 304},
		{"other ETag", map[string]string{"If-None-Match": `"0123"`}, 200},
		{"If-Modified-Since = Last-Modified", map[string]string{"If-Modified-Since": lastModified}, 304},
		{"If-Modified-Since later", map[string]string{"If-Modified-Since": testNow.Add(time.Hour).Format(http.TimeFormat)}, 304},
		{"If-Modified-Since earlier", map[string]string{"If-Modified-Since": testNow.Add(-time.Second).Format(http.TimeFormat)}, 200},
		{"If-Modified-Since unparsable", map[string]string{"If-Modified-Since": "yesterday"}, 200},
		{"If-None-Match wins over If-Modified-Since", map[string]string{"If-None-Match": `"0123"`, "If-Modified-Since": lastModified}, 200},
	}
	for _, tc := range conditional {
		t.Run(tc.name, func(t *testing.T) {
			r := get("/feeds/tin-tuc.rss", tc.hdr)
			wantStatus(t, r, tc.want)
			if tc.want == http.StatusNotModified {
				if len(r.Body) != 0 {
					t.Errorf("304 has a body: %q", r.Body)
				}
				if r.Header.Get("ETag") != etag {
					t.Errorf("304 ETag = %q, want %q", r.Header.Get("ETag"), etag)
				}
			}
		})
	}

	t.Run("HEAD", func(t *testing.T) {
		r := e.do(req{Method: http.MethodHead, Path: "/feeds/tin-tuc.atom"})
		wantStatus(t, r, http.StatusOK)
		if r.Header.Get("ETag") == "" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/atom+xml") {
			t.Errorf("HEAD headers = %v", r.Header)
		}
	})

	t.Run("item page", func(t *testing.T) {
		r := get(fmt.Sprintf("/feeds/tin-tuc/items/%d", item), nil)
		wantStatus(t, r, http.StatusOK)
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Errorf("Content-Type = %q", r.Header.Get("Content-Type"))
		}
		body := string(r.Body)
		if !strings.Contains(body, "Lịch tiêm chủng mở rộng") || !strings.Contains(body, "Tiêm tại trạm y tế.") {
			t.Errorf("item page lacks the post: %s", body)
		}
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "javascript:") {
			t.Errorf("item page carries unsafe HTML: %s", body)
		}
	})

	notFound := []string{
		"/feeds/nope.rss",
		"/feeds/nope.atom",
		"/feeds/tin-tuc",
		"/feeds/tin-tuc.xml",
		"/feeds/tin-tuc.rss.rss",
		"/feeds/.rss",
		"/feeds/" + url.PathEscape(hook.Name) + ".rss",
		fmt.Sprintf("/feeds/nope/items/%d", item),
		fmt.Sprintf("/feeds/tin-tuc.rss/items/%d", item),
		fmt.Sprintf("/feeds/tin-tuc/items/%d", hookDelivery),
		fmt.Sprintf("/feeds/tin-tuc/items/%d", p2.Deliveries[0].ID),
		fmt.Sprintf("/feeds/tin-tuc/items/%d", p3.Deliveries[0].ID),
		"/feeds/tin-tuc/items/987654",
		"/feeds/tin-tuc/items/abc",
	}
	for _, path := range notFound {
		t.Run("404 "+path, func(t *testing.T) {
			wantError(t, get(path, nil), http.StatusNotFound, "not_found", "")
		})
	}

	t.Run("new item changes the ETag", func(t *testing.T) {
		e.finish(p2.Deliveries[0].ID, storage.DeliveryDelivered)
		r := get("/feeds/tin-tuc.rss", map[string]string{"If-None-Match": etag})
		wantStatus(t, r, http.StatusOK)
		if r.Header.Get("ETag") == etag || !strings.Contains(string(r.Body), "Bài chưa đăng") {
			t.Errorf("feed did not change: ETag %q", r.Header.Get("ETag"))
		}
	})

	t.Run("disabled feed is gone", func(t *testing.T) {
		e.disable(feed.ID)
		wantError(t, get("/feeds/tin-tuc.rss", nil), http.StatusNotFound, "not_found", "")
		wantError(t, get("/feeds/tin-tuc.atom", map[string]string{"If-None-Match": "*"}), http.StatusNotFound, "not_found", "")
		wantError(t, get(fmt.Sprintf("/feeds/tin-tuc/items/%d", item), nil), http.StatusNotFound, "not_found", "")
	})
}

func TestEmptyFeed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createFeed("Trống", "trong")
	r := e.get("/feeds/trong.atom", "")
	wantStatus(t, r, http.StatusOK)
	if r.Header.Get("ETag") == "" || r.Header.Get("Last-Modified") != "" {
		t.Errorf("empty feed headers: ETag %q Last-Modified %q", r.Header.Get("ETag"), r.Header.Get("Last-Modified"))
	}
	r = e.do(req{Method: http.MethodGet, Path: "/feeds/trong.atom", Header: map[string]string{"If-Modified-Since": testNow.Format(http.TimeFormat)}})
	wantStatus(t, r, http.StatusOK)
	r = e.do(req{Method: http.MethodGet, Path: "/feeds/trong.atom", Header: map[string]string{"If-None-Match": r.Header.Get("ETag")}})
	wantStatus(t, r, http.StatusNotModified)
}

package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// provincialFeed is written the way provincial portals write theirs.
func provincialFeed(n int) string {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>\n  Sở Tư pháp – Thủ tục hành chính\n</title>")
	zone := time.FixedZone("", 7*3600)
	for i := n; i >= 1; i-- {
		link := fmt.Sprintf("/Pages/tthc.aspx?ItemID=%d", i)
		fmt.Fprintf(&b, "<item><title>\n\t\tCông bố thủ tục %d: Đăng ký kết hôn có yếu tố nước ngoài\n\t</title><link>\n %s \n</link>"+
			"<description><![CDATA[<a href=\"%s\"><img src=\"/img/%d.jpg\" /></a>Quyết định số %d/QĐ-UBND công bố thủ tục.]]></description>"+
			"<pubDate>%s</pubDate></item>", i, link, link, i, 100+i, time.Now().Add(-time.Duration(n-i+1)*time.Hour).In(zone).Format("Mon, 02 Jan 2006 15:04:05 -0700"))
	}
	b.WriteString("</channel></rss>")
	return b.String()
}

func TestFeedSourcePolledThreeTimes(t *testing.T) {
	var mu sync.Mutex
	body := provincialFeed(3)
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		b := body
		mu.Unlock()
		etag := fmt.Sprintf(`"v%d"`, len(b))
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		io.WriteString(w, b)
	}))
	defer feed.Close()
	s := newSink(t)
	loa := start(t, env(t))
	c := client{t: t, base: "http://" + loa.addr, token: adminToken}
	webhookID, _ := createChannels(c, s)
	ids := map[string]int64{}
	for _, mode := range []string{"review", "auto"} {
		var src struct {
			ID int64 `json:"id"`
		}
		c.mustDo("POST", "/api/v1/sources", map[string]any{"name": "TTHC " + mode, "url": feed.URL + "/rss/tthc.rss",
			"poll_every": "24h", "mode": mode, "channel_ids": []int64{webhookID}}, 201, &src)
		ids[mode] = src.ID
	}
	type pollOut struct {
		Outcome  string `json:"outcome"`
		ItemsNew int    `json:"items_new"`
	}
	poll := func(mode string) pollOut {
		var p pollOut
		for i := 0; i < 50; i++ { // the worker may be polling the new source right now
			if c.do("POST", fmt.Sprintf("/api/v1/sources/%d/poll", ids[mode]), nil, &p) == 200 {
				return p
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("could not poll source %s", mode)
		return p
	}
	var src struct {
		Polls []pollOut `json:"polls"`
	}
	for mode := range ids {
		poll(mode) // the first or the second poll: the worker may have done the first
		c.mustDo("GET", fmt.Sprintf("/api/v1/sources/%d", ids[mode]), nil, 200, &src)
		// Newest first: the oldest poll found the 3 items, a later one got 304.
		if src.Polls[len(src.Polls)-1].ItemsNew != 3 || len(src.Polls) > 1 && src.Polls[0].Outcome != "not_modified" {
			t.Fatalf("%s polls after two = %+v", mode, src.Polls)
		}
	}
	mu.Lock()
	body = provincialFeed(4)
	mu.Unlock()
	for mode := range ids {
		if p := poll(mode); p.Outcome != "ok" || p.ItemsNew != 1 {
			t.Fatalf("%s third poll = %+v, want one new item", mode, p)
		}
	}
	var posts struct {
		Items []struct {
			ID       int64  `json:"id"`
			Title    string `json:"title"`
			Status   string `json:"status"`
			SourceID int64  `json:"source_id"`
			Origin   string `json:"origin"`
		} `json:"items"`
	}
	c.mustDo("GET", "/api/v1/posts?limit=50", nil, 200, &posts)
	perSource := map[int64]int{}
	for _, p := range posts.Items {
		perSource[p.SourceID]++
		if p.Origin != "feed" || strings.ContainsAny(p.Title, "\n\t") {
			t.Errorf("post = %+v", p)
		}
		if p.SourceID == ids["review"] && p.Status != "pending_approval" {
			t.Errorf("review-mode post %d is %s", p.ID, p.Status)
		}
	}
	if perSource[ids["review"]] != 4 || perSource[ids["auto"]] != 4 {
		t.Fatalf("posts per source = %v, want 4 each", perSource)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if total, _, _ := s.counts(); total == 4 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second)
	if total, keys, bad := s.counts(); total != 4 || keys != 4 || bad != 0 {
		t.Fatalf("CMS got %d requests for %d keys; want the 4 auto-mode posts only", total, keys)
	}
}

package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/loa-vn/loa/storage"
)

const smallFeed = `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>TTHC</title>
<item><title>
  Thủ tục đăng ký khai sinh
</title><link> /tthc/1.html </link><description><![CDATA[<p>Sửa đổi thủ tục.</p>]]></description>
<pubDate>%s</pubDate></item></channel></rss>`

func TestSources(t *testing.T) {
	e := newEnv(t)
	ch := e.createWebhook("Cổng phường")
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, fmt.Sprintf(smallFeed, time.Now().Format(time.RFC1123Z)))
	}))
	defer feed.Close()
	body := map[string]any{"name": "TTHC tỉnh", "url": feed.URL + "/rss", "poll_every": "15m", "mode": "review",
		"template": map[string]any{"title": "[TTHC] {{.Title}}"}, "channel_ids": []int64{ch.ID},
		"digest": map[string]any{"rule": "FREQ=WEEKLY;BYDAY=FR;BYHOUR=16;BYMINUTE=0"}}
	r := e.post("/api/v1/sources", editorToken, body)
	wantStatus(t, r, http.StatusCreated)
	src := decode[struct {
		ID        int64  `json:"id"`
		Mode      string `json:"mode"`
		PollEvery string `json:"poll_every"`
	}](t, r)
	if src.Mode != "review" || src.PollEvery != "15m0s" {
		t.Fatalf("source = %s", r.Body)
	}

	r = e.post(fmt.Sprintf("/api/v1/sources/%d/poll", src.ID), editorToken, nil)
	wantStatus(t, r, http.StatusOK)
	poll := decode[struct {
		Outcome  string `json:"outcome"`
		ItemsNew int    `json:"items_new"`
	}](t, r)
	if poll.Outcome != "ok" || poll.ItemsNew != 1 {
		t.Fatalf("poll = %s", r.Body)
	}
	r = e.get(fmt.Sprintf("/api/v1/sources/%d", src.ID), officerToken)
	wantStatus(t, r, http.StatusOK)
	shown := decode[struct {
		Polls []struct{ Outcome string } `json:"polls"`
		Items []struct {
			Title  string `json:"title"`
			PostID int64  `json:"post_id"`
		} `json:"items"`
	}](t, r)
	if len(shown.Polls) != 1 || len(shown.Items) != 1 || shown.Items[0].PostID == 0 {
		t.Fatalf("source detail = %s", r.Body)
	}
	r = e.get(fmt.Sprintf("/api/v1/posts/%d", shown.Items[0].PostID), editorToken)
	post := decode[struct {
		Title  string `json:"title"`
		Status string `json:"status"`
		Origin string `json:"origin"`
		Link   string `json:"link"`
	}](t, r)
	if post.Title != "[TTHC] Thủ tục đăng ký khai sinh" || post.Status != storage.PostPendingApproval || post.Origin != "feed" || post.Link != feed.URL+"/tthc/1.html" {
		t.Fatalf("feed post = %+v", post)
	}
	// Polling again finds nothing new.
	r = e.post(fmt.Sprintf("/api/v1/sources/%d/poll", src.ID), editorToken, nil)
	if p := decode[struct {
		ItemsNew int `json:"items_new"`
	}](t, r); p.ItemsNew != 0 {
		t.Fatalf("second poll = %s", r.Body)
	}

	t.Run("bad input", func(t *testing.T) {
		for field, edit := range map[string]func(map[string]any){
			"url":            func(b map[string]any) { b["url"] = "ftp://x/feed" },
			"poll_every":     func(b map[string]any) { b["poll_every"] = "10s" },
			"mode":           func(b map[string]any) { b["mode"] = "silent" },
			"template.title": func(b map[string]any) { b["template"] = map[string]any{"title": "{{.Titel}}"} },
			"digest.rule":    func(b map[string]any) { b["digest"] = map[string]any{"rule": "every friday"} },
			"channel_ids":    func(b map[string]any) { b["channel_ids"] = []int64{} },
			"max_age_days":   func(b map[string]any) { b["max_age_days"] = -1 },
		} {
			b := map[string]any{}
			for k, v := range body {
				b[k] = v
			}
			edit(b)
			wantError(t, e.post("/api/v1/sources", editorToken, b), http.StatusUnprocessableEntity, "invalid_field", field)
		}
		wantError(t, e.post("/api/v1/sources", officerToken, body), http.StatusForbidden, "forbidden", "")
	})
}

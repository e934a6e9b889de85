package api_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"

	"github.com/loa-vn/loa/storage"
)

// TestFeedWellFormedWhateverIsStored: a post stored with characters XML 1.0
// forbids (written straight to the database, as an older Loa or a manual
// fix could) used to break the feed for every reader; now they are dropped
// when the feed is written and the rest of the feed is served as usual.
func TestFeedWellFormedWhateverIsStored(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	feed := e.createFeed("Bản tin phường", "tin-tuc")
	good := e.createPost(editorToken, postBody(feed.ID))
	e.finish(good.Deliveries[0].ID, storage.DeliveryDelivered)

	bad := "x\x00y\x0bz\uFFFE\uFFFF\u0085\u009b\xff\xed\xa0\x80\u202E!"
	if e.store.Driver() == "postgres" {
		// PostgreSQL text holds neither NUL nor invalid UTF-8; the rest it stores.
		bad = "xy\x0bz\uFFFE\uFFFF\u0085\u009b\u202E!"
	}
	p := storage.Post{Title: "Tiêu đề " + bad, Summary: "Tóm tắt " + bad, Body: "<p>Nội dung " + bad + "</p>",
		Category: "Mục " + bad, Audience: "all", Priority: "normal", PublishAt: testNow, CreatedBy: e.users[editorToken].ID}
	ds, err := e.store.CreatePost(context.Background(), &p, []int64{feed.ID}, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	e.finish(ds[0].ID, storage.DeliveryDelivered)

	for _, path := range []string{"/feeds/tin-tuc.rss", "/feeds/tin-tuc.atom"} {
		t.Run(path, func(t *testing.T) {
			r := e.do(req{Method: http.MethodGet, Path: path})
			wantStatus(t, r, http.StatusOK)
			dec := xml.NewDecoder(bytes.NewReader(r.Body))
			for {
				_, err := dec.Token()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("encoding/xml: %v\n%q", err, r.Body)
				}
			}
			parsed, err := gofeed.NewParser().Parse(bytes.NewReader(r.Body))
			if err != nil {
				t.Fatalf("gofeed: %v", err)
			}
			if len(parsed.Items) != 2 {
				t.Fatalf("%d items, want 2", len(parsed.Items))
			}
			var titles []string
			for _, it := range parsed.Items {
				titles = append(titles, it.Title)
			}
			if !strings.Contains(strings.Join(titles, "|"), "Tiêu đề xyz!") {
				t.Errorf("titles = %q, want the stored one without the refused characters", titles)
			}
		})
	}
	r := e.do(req{Method: http.MethodGet, Path: fmt.Sprintf("/feeds/tin-tuc/items/%d", ds[0].ID)})
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(string(r.Body), "<h1>Tiêu đề xyz!</h1>") || bytes.ContainsAny(r.Body, "\x00\x0b\uFFFE\u202E") {
		t.Errorf("item page: %q", r.Body)
	}
}

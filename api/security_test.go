package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/loa-vn/loa/storage"
)

// TestSecurityHeadersOnEveryResponse covers the kinds of response the
// recording client then checks on every request of every test: JSON,
// errors from the router and from handlers, feeds, and an HTML page.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	feed := e.createFeed("Bản tin phường", "tin-tuc")
	p := e.createPost(officerToken, postBody(feed.ID))
	e.finish(p.Deliveries[0].ID, storage.DeliveryDelivered)
	for _, r := range []req{
		{Method: http.MethodGet, Path: "/healthz"},
		{Method: http.MethodGet, Path: "/api/v1/me", Token: officerToken},
		{Method: http.MethodGet, Path: "/api/v1/me"},
		{Method: http.MethodGet, Path: "/no/such/page"},
		{Method: http.MethodDelete, Path: "/api/v1/me", Token: officerToken},
		{Method: http.MethodPost, Path: "/api/v1/posts", Token: officerToken, Body: "{"},
		{Method: http.MethodGet, Path: "/feeds/tin-tuc.rss"},
		{Method: http.MethodGet, Path: fmt.Sprintf("/feeds/tin-tuc/items/%d", p.Deliveries[0].ID)},
	} {
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			resp := e.do(r)
			if msg := securityHeaderProblem(resp.Header, resp.Body); msg != "" {
				t.Errorf("%d: %s", resp.Status, msg)
			}
		})
	}
}

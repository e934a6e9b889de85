package wordpress

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/channels"
)

func TestReadReach(t *testing.T) {
	tests := []struct {
		name            string
		extra           map[string]any
		id              string // "" reads the stored post
		respond         func(f *fakeWP, w http.ResponseWriter, r *http.Request, route string, body []byte) bool
		want            int64
		wantUnavailable string
		wantClass       channels.Class
	}{
		{name: "Post Views Counter's post_views", extra: map[string]any{"post_views": 1234}, want: 1234},
		{name: "a views field", extra: map[string]any{"views": "56"}, want: 56},
		{name: "view_count", extra: map[string]any{"view_count": 0}, want: 0},
		{name: "no plugin: not available, not zero", wantUnavailable: "no plugin exposes a view count"},
		{name: "a field that is no count", extra: map[string]any{"post_views": map[string]any{"total": 3}},
			wantUnavailable: "post_views field is not a whole number"},
		{name: "post gone", id: "999", wantUnavailable: "rest_post_invalid_id"},
		{name: "id that is no post id", id: "12/../../users", wantUnavailable: "not a post id"},
		{name: "server error is an error", respond: func(_ *fakeWP, w http.ResponseWriter, _ *http.Request, _ string, _ []byte) bool {
			writeError(w, http.StatusServiceUnavailable, "maintenance", "Briefly unavailable for scheduled maintenance.")
			return true
		}, wantClass: channels.ClassRetryable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeWP(t, nil)
			p := f.store(newPost{Title: "Tin", Content: "<p>x</p>", Status: "publish", Slug: "tin"})
			f.setExtra(p.ID, tt.extra)
			f.mu.Lock()
			f.respond = tt.respond
			f.mu.Unlock()
			id := tt.id
			if id == "" {
				id = strconv.Itoa(p.ID)
			}
			got, err := newTestWP(t, f, 5*time.Second).ReadReach(context.Background(), id)
			if tt.wantClass != 0 {
				if err == nil || channels.ClassOf(err) != tt.wantClass {
					t.Fatalf("ReadReach = %+v, %v; want a %s error", got, err, tt.wantClass)
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadReach: %v", err)
			}
			if tt.wantUnavailable != "" {
				if !strings.Contains(got.Unavailable, tt.wantUnavailable) || len(got.Metrics) != 0 {
					t.Errorf("ReadReach = %+v, want unavailable %q and no metrics", got, tt.wantUnavailable)
				}
				return
			}
			v, ok := got.Metrics[channels.MetricViews]
			if got.Unavailable != "" || !ok || v != tt.want {
				t.Errorf("ReadReach = %+v, want views %d", got, tt.want)
			}
		})
	}
}

// TestReadReachRequest: one authenticated GET of the post, asking only for
// its id and the plugins' view fields.
func TestReadReachRequest(t *testing.T) {
	f := newFakeWP(t, nil)
	p := f.store(newPost{Title: "Tin", Status: "publish", Slug: "tin"})
	f.setExtra(p.ID, map[string]any{"post_views": 3})
	if _, err := newTestWP(t, f, 5*time.Second).ReadReach(context.Background(), strconv.Itoa(p.ID)); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) != 1 {
		t.Fatalf("requests = %d, want 1", len(reqs))
	}
	r := reqs[0]
	if r.method != http.MethodGet || r.route != "/wp/v2/posts/"+strconv.Itoa(p.ID) || r.header.Get("Authorization") != wantAuth ||
		r.query.Get("_fields") != "id,post_views,views,view_count" {
		t.Errorf("request = %s %s %v", r.method, r.route, r.query)
	}
}

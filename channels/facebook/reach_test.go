package facebook

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/channels"
)

func TestReadReach(t *testing.T) {
	tests := []struct {
		name            string
		setup           func(g *fakeGraph, id string)
		id              string // "" reads the post the fake holds
		want            map[string]int64
		wantUnavailable string // a substring; "" means available
		wantClass       channels.Class
	}{
		{name: "reported", setup: func(g *fakeGraph, id string) { g.reach[id] = 1234 },
			want: map[string]int64{channels.MetricReach: 1234}},
		{name: "reported as zero people is a real zero", setup: func(g *fakeGraph, id string) { g.reach[id] = 0 },
			want: map[string]int64{channels.MetricReach: 0}},
		{name: "no value yet is absent", setup: func(*fakeGraph, string) {},
			wantUnavailable: "returned no post_impressions_unique"},
		{name: "missing insights permission", setup: func(g *fakeGraph, _ string) {
			g.insightsFail = &graphFailure{status: 403, code: 10, message: "(#10) Requires read_insights permission"}
		}, wantUnavailable: "may not read insights"},
		{name: "permission range 200-299", setup: func(g *fakeGraph, _ string) {
			g.insightsFail = &graphFailure{status: 403, code: 200, message: "(#200) Permissions error"}
		}, wantUnavailable: "may not read insights"},
		{name: "deleted post", id: testPage + "_424242", setup: func(*fakeGraph, string) {},
			wantUnavailable: "reports no post_impressions_unique"},
		{name: "id that is no Graph id never reaches Graph", id: "../me/feed?x=1", setup: func(*fakeGraph, string) {},
			wantUnavailable: "not a Graph post id"},
		{name: "platform 500 is an error", setup: func(g *fakeGraph, _ string) {
			g.raw = &rawAnswer{status: 500, contentType: "text/html", body: "<h1>Oops</h1>"}
		}, wantClass: channels.ClassRetryable},
		{name: "transient Graph error", setup: func(g *fakeGraph, _ string) {
			g.insightsFail = &graphFailure{status: 500, code: 2, message: "Service temporarily unavailable"}
		}, wantClass: channels.ClassRetryable},
		{name: "expired token is an error, not unavailable", setup: func(g *fakeGraph, _ string) {
			g.insightsFail = &graphFailure{status: 400, code: 190, subcode: 463, message: "Session has expired"}
		}, wantClass: channels.ClassPermanent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newFakeGraph(t)
			g.reach = map[string]int{}
			id := g.addPost("Tin đã đăng", testNow())
			g.set(func(g *fakeGraph) { tt.setup(g, id) })
			if tt.id != "" {
				id = tt.id
			}
			f := newTestFacebook(t, g.srv.URL, 5*time.Second, newClock())
			got, err := f.ReadReach(context.Background(), id)
			if tt.wantClass != 0 {
				if err == nil || channels.ClassOf(err) != tt.wantClass {
					t.Fatalf("ReadReach = %+v, %v; want a %s error", got, err, tt.wantClass)
				}
				if strings.Contains(err.Error(), testToken) {
					t.Errorf("error leaks the token: %v", err)
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
				if strings.Contains(got.Unavailable, testToken) {
					t.Errorf("reason leaks the token: %q", got.Unavailable)
				}
				return
			}
			if got.Unavailable != "" || len(got.Metrics) != len(tt.want) || got.Metrics[channels.MetricReach] != tt.want[channels.MetricReach] {
				t.Errorf("ReadReach = %+v, want %v", got, tt.want)
			}
		})
	}
}

// TestReadReachAsksGraphAsDocumented checks the one request: GET
// /{version}/{post-id}/insights with the metric and the token in the query.
func TestReadReachAsksGraphAsDocumented(t *testing.T) {
	g := newFakeGraph(t)
	g.reach = map[string]int{}
	id := g.addPost("Tin", testNow())
	g.reach[id] = 7
	f := newTestFacebook(t, g.srv.URL, 5*time.Second, newClock())
	if _, err := f.ReadReach(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	req := onlyRequest(t, g)
	if req.method != "GET" || req.path != "/"+testVersion+"/"+id+"/insights" || req.query.Get("access_token") != testToken {
		t.Errorf("request = %s %s %v", req.method, req.path, req.query)
	}
}

// TestReadReachWaitsOutThrottling: once Graph says the app is throttled,
// reading reach stops calling it too.
func TestReadReachWaitsOutThrottling(t *testing.T) {
	g := newFakeGraph(t)
	g.reach = map[string]int{}
	id := g.addPost("Tin", testNow())
	g.set(func(g *fakeGraph) {
		g.insightsFail = &graphFailure{status: 400, code: 4, message: "(#4) Application request limit reached"}
	})
	c := newClock()
	f := newTestFacebook(t, g.srv.URL, 5*time.Second, c)
	if _, err := f.ReadReach(context.Background(), id); channels.ClassOf(err) != channels.ClassRetryable {
		t.Fatalf("first read: %v, want retryable", err)
	}
	if _, err := f.ReadReach(context.Background(), id); channels.ClassOf(err) != channels.ClassRetryable {
		t.Fatalf("second read: %v, want retryable", err)
	}
	if n := len(g.requests()); n != 1 {
		t.Errorf("Graph got %d requests, want 1: the second read must wait out the pause", n)
	}
}

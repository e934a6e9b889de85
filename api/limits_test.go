package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/loa-vn/loa/api"
)

// bigJSON is a syntactically valid JSON object of exactly n bytes.
func bigJSON(n int) string {
	const head = `{"name":"`
	return head + strings.Repeat("x", n-len(head)-2) + `"}`
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		limit int64 // as passed to api.Options
		max   int   // the limit in force
	}{
		{"zero means the 1 MiB default", 0, api.DefaultMaxBodyBytes},
		{"configured limit", 2048, 2048},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, func(o *api.Options) { o.MaxBodyBytes = tc.limit })
			ch := e.createWebhook("Cổng phường")
			wantStatus(t, e.post("/api/v1/posts", officerToken, postBody(ch.ID)), http.StatusCreated)
			chPath := fmt.Sprintf("/api/v1/channels/%d", ch.ID)
			for _, rt := range []struct{ method, path string }{
				{http.MethodPost, "/api/v1/channels"},
				{http.MethodPatch, chPath},
				{http.MethodPost, "/api/v1/posts"},
			} {
				for _, chunked := range []bool{false, true} {
					t.Run(fmt.Sprintf("%s %s chunked=%v", rt.method, rt.path, chunked), func(t *testing.T) {
						over := e.do(req{Method: rt.method, Path: rt.path, Token: adminToken, Body: bigJSON(tc.max + 1), Chunked: chunked})
						wantError(t, over, http.StatusRequestEntityTooLarge, "body_too_large", "")
						// A body at the limit is read and judged on its content.
						at := e.do(req{Method: rt.method, Path: rt.path, Token: adminToken, Body: bigJSON(tc.max), Chunked: chunked})
						if at.Status == http.StatusRequestEntityTooLarge || at.Status < 400 {
							t.Errorf("body at the limit: %s", at)
						}
					})
				}
			}
			if got := decode[channelJSON](t, e.get(chPath, officerToken)); got.Name != "Cổng phường" {
				t.Errorf("channel changed by refused bodies: %+v", got)
			}
			if posts, _ := e.counts(); posts != 1 {
				t.Errorf("posts = %d, want 1", posts)
			}
		})
	}
}

func TestSchedulerFailureIsNotTheClientsProblem(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ch := e.createWebhook("Cổng phường")
	p1 := e.createPost(officerToken, postBody(ch.ID))
	p2 := e.createPost(officerToken, postBody(ch.ID))
	e.finish(p2.Deliveries[0].ID, "failed")

	e.sched.mu.Lock()
	e.sched.Err = fmt.Errorf("dial tcp 10.1.2.3:6379: connection refused")
	e.sched.mu.Unlock()

	for _, r := range []response{
		e.post("/api/v1/posts", officerToken, postBody(ch.ID)),
		e.post(fmt.Sprintf("/api/v1/posts/%d/cancel", p1.ID), officerToken, nil),
		e.post(fmt.Sprintf("/api/v1/deliveries/%d/retry", p2.Deliveries[0].ID), officerToken, nil),
	} {
		if r.Status != http.StatusOK && r.Status != http.StatusCreated {
			t.Errorf("with the queue down: %s", r)
		}
		if strings.Contains(string(r.Body), "10.1.2.3") {
			t.Errorf("response leaks the scheduler error: %s", r.Body)
		}
	}
	if got := e.sched.callsOf("unschedule"); len(got) != 1 || got[0] != p1.Deliveries[0].ID {
		t.Errorf("unschedule calls = %v", got)
	}
	if got := e.sched.callsOf("run_now"); len(got) != 1 || got[0] != p2.Deliveries[0].ID {
		t.Errorf("run_now calls = %v", got)
	}
}

package api_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/internal/logbuf"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/worker/redistest"
)

type healthJSON struct {
	Status, Database, Redis string
}

func TestHealth(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	r := e.get("/healthz", "")
	wantStatus(t, r, http.StatusOK)
	if string(r.Body) != `{"database":"ok","redis":"ok","status":"ok"}`+"\n" {
		t.Errorf("healthy body = %s", r.Body)
	}

	e.redis.set(errors.New("dial tcp 10.1.2.3:6379: connect: connection refused"))
	r = e.get("/healthz", "")
	wantStatus(t, r, http.StatusServiceUnavailable)
	if h := decode[healthJSON](t, r); h != (healthJSON{"unavailable", "ok", "unavailable"}) {
		t.Errorf("redis down: %+v", h)
	}
	if strings.Contains(string(r.Body), "10.1.2.3") || strings.Contains(string(r.Body), "refused") {
		t.Errorf("health leaks the error: %s", r.Body)
	}
	e.redis.set(nil)
	wantStatus(t, e.get("/healthz", ""), http.StatusOK)

	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	r = e.get("/healthz", "")
	wantStatus(t, r, http.StatusServiceUnavailable)
	if h := decode[healthJSON](t, r); h != (healthJSON{"unavailable", "unavailable", "ok"}) {
		t.Errorf("database down: %+v", h)
	}
	if strings.Contains(string(r.Body), "closed") {
		t.Errorf("health leaks the error: %s", r.Body)
	}

	e.redis.set(errors.New("i/o timeout"))
	r = e.get("/healthz", "")
	wantStatus(t, r, http.StatusServiceUnavailable)
	if h := decode[healthJSON](t, r); h != (healthJSON{"unavailable", "unavailable", "unavailable"}) {
		t.Errorf("both down: %+v", h)
	}
}

func TestHealthWithRedis(t *testing.T) {
	t.Parallel()
	client := redistest.Client(t, 9)
	e := newEnv(t, func(o *api.Options) {
		o.PingRedis = func(ctx context.Context) error { return client.Ping(ctx).Err() }
	})
	wantStatus(t, e.get("/healthz", ""), http.StatusOK)
	client.Close()
	r := e.get("/healthz", "")
	wantStatus(t, r, http.StatusServiceUnavailable)
	if h := decode[healthJSON](t, r); h.Redis != "unavailable" || h.Database != "ok" {
		t.Errorf("health = %+v", h)
	}
}

func logTo(b *logbuf.Buffer) envOption {
	return func(o *api.Options) { o.Logger = slog.New(slog.NewTextHandler(b, nil)) }
}

// wantInternal checks a 5xx response says nothing but the fixed message
// (the client checks the shape) and carries none of leaks.
func wantInternal(t *testing.T, r response, leaks ...string) {
	t.Helper()
	wantError(t, r, http.StatusInternalServerError, "internal_error", "")
	for _, l := range leaks {
		if strings.Contains(strings.ToLower(string(r.Body)), strings.ToLower(l)) {
			t.Errorf("500 body leaks %q: %s", l, r.Body)
		}
	}
}

func TestServerErrorsDoNotLeak(t *testing.T) {
	t.Parallel()

	t.Run("sealed with another key", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		hook := e.createWebhook("Cổng phường")
		feed := e.createFeed("Bản tin", "ban-tin")
		p := e.createPost(officerToken, postBody(feed.ID))
		e.finish(p.Deliveries[0].ID, storage.DeliveryDelivered)

		var log logbuf.Buffer
		other := e.serve(t, newBox(t, 2), logTo(&log))
		do := func(r req) response { return doOn(t, e.client, other.URL, r) }
		leaks := []string{"secrets", "LOA_SECRET_KEY", "cannot open", "sealed", "api:", "storage:"}
		wantInternal(t, do(req{Method: http.MethodGet, Path: "/api/v1/channels", Token: officerToken}), leaks...)
		wantInternal(t, do(req{Method: http.MethodGet, Path: fmt.Sprintf("/api/v1/channels/%d", hook.ID), Token: officerToken}), leaks...)
		wantInternal(t, do(req{Method: http.MethodPatch, Path: fmt.Sprintf("/api/v1/channels/%d", hook.ID), Token: editorToken,
			Body: `{"config":{"url":"https://new.example/hook"}}`}), leaks...)
		wantInternal(t, do(req{Method: http.MethodGet, Path: "/feeds/ban-tin.rss"}), leaks...)
		wantInternal(t, do(req{Method: http.MethodGet, Path: fmt.Sprintf("/feeds/ban-tin/items/%d", p.Deliveries[0].ID)}), leaks...)
		r := do(req{Method: http.MethodHead, Path: "/feeds/ban-tin.atom"})
		if r.Status != http.StatusInternalServerError || len(r.Body) != 0 {
			t.Errorf("HEAD = %s", r)
		}

		// The detail went to the log instead, without tokens.
		logged := log.String()
		if !strings.Contains(logged, "cannot open sealed value") {
			t.Errorf("server log lacks the internal error:\n%s", logged)
		}
		for _, tok := range []string{officerToken, editorToken} {
			if strings.Contains(logged, tok) {
				t.Errorf("server log contains a token")
			}
		}
		// The failed PATCH changed nothing.
		if cfg := e.storedConfig(hook.ID); cfg["url"] != "https://cms.example.gov.vn/loa-hook" {
			t.Errorf("config after failed patch = %v", cfg)
		}
	})

	t.Run("scheduler panics", func(t *testing.T) {
		t.Parallel()
		var log logbuf.Buffer
		e := newEnv(t, logTo(&log))
		ch := e.createWebhook("Cổng phường")
		e.sched.mu.Lock()
		e.sched.Panic = "scheduler exploded at redis://:hunter2@10.1.2.3:6379"
		e.sched.mu.Unlock()
		wantInternal(t, e.post("/api/v1/posts", editorToken, postBody(ch.ID)), "exploded", "hunter2", "panic", "goroutine")
		if !strings.Contains(log.String(), "scheduler exploded") {
			t.Errorf("server log lacks the panic:\n%s", log.String())
		}
	})

	t.Run("database closed", func(t *testing.T) {
		t.Parallel()
		var log logbuf.Buffer
		e := newEnv(t, logTo(&log))
		ch := e.createWebhook("Cổng phường")
		e.createFeed("Bản tin", "ban-tin")
		if err := e.store.Close(); err != nil {
			t.Fatal(err)
		}
		leaks := []string{"sql", "closed", "database", "storage", "gorm"}
		wantInternal(t, e.get("/api/v1/posts", officerToken), leaks...)
		wantInternal(t, e.get("/api/v1/me", adminToken), leaks...)
		wantInternal(t, e.post("/api/v1/posts", officerToken, postBody(ch.ID)), leaks...)
		wantInternal(t, e.get("/feeds/ban-tin.rss", ""), leaks...)
		wantInternal(t, e.get("/feeds/ban-tin/items/1", ""), leaks...)
		if !strings.Contains(log.String(), "database is closed") {
			t.Errorf("server log lacks the internal error:\n%s", log.String())
		}
		if calls := e.sched.Calls(); len(calls) != 0 {
			t.Errorf("scheduler called: %+v", calls)
		}
	})
}

// isProbe reports whether path is a probe whose failure body is its own
// status document rather than the error shape.
func isProbe(path string) bool {
	return path == "/healthz" || path == "/readyz"
}

type readyJSON struct {
	Status string
	Down   []string
}

func TestLivezAndReadyz(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	wantReady := func(status int, down ...string) {
		t.Helper()
		r := e.get("/readyz", "")
		wantStatus(t, r, status)
		got := decode[readyJSON](t, r)
		want := readyJSON{Status: "ok", Down: []string{}}
		if status != http.StatusOK {
			want = readyJSON{Status: "unavailable", Down: down}
		}
		if got.Status != want.Status || fmt.Sprint(got.Down) != fmt.Sprint(want.Down) {
			t.Errorf("readyz = %s, want %+v", r.Body, want)
		}
		if strings.Contains(string(r.Body), "10.1.2.3") || strings.Contains(string(r.Body), "closed") {
			t.Errorf("readyz leaks the error: %s", r.Body)
		}
	}
	wantLive := func() {
		t.Helper()
		r := e.get("/livez", "")
		wantStatus(t, r, http.StatusOK)
		if string(r.Body) != `{"status":"ok"}`+"\n" {
			t.Errorf("livez = %s", r.Body)
		}
	}

	wantLive()
	wantReady(http.StatusOK)
	e.redis.set(errors.New("dial tcp 10.1.2.3:6379: connect: connection refused"))
	wantReady(http.StatusServiceUnavailable, "redis")
	wantLive()
	e.redis.set(nil)
	wantReady(http.StatusOK)
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	wantReady(http.StatusServiceUnavailable, "database")
	e.redis.set(errors.New("i/o timeout"))
	wantReady(http.StatusServiceUnavailable, "database", "redis")
	wantLive()
}

// TestReadyzTimesOut: a Redis that never answers makes /readyz answer 503
// within its short timeout, not hang the prober.
func TestReadyzTimesOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *api.Options) {
		o.PingRedis = func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	})
	start := time.Now()
	r := e.get("/readyz", "")
	took := time.Since(start)
	wantStatus(t, r, http.StatusServiceUnavailable)
	if h := decode[readyJSON](t, r); fmt.Sprint(h.Down) != "[redis]" {
		t.Errorf("readyz = %s", r.Body)
	}
	t.Logf("readyz with a hung Redis answered in %v", took)
	if took > 2*time.Second {
		t.Errorf("readyz took %v with a hung Redis", took)
	}
	wantStatus(t, e.get("/livez", ""), http.StatusOK)
}

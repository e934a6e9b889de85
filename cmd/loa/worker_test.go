package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/internal/logbuf"
	"github.com/loa-vn/loa/worker/redistest"
)

// TestWorkerMetricsAddr runs `loa worker --metrics-addr` and checks its
// listener: probes for anyone, /metrics for an admin's token only; and
// that the worker stops cleanly when told to.
func TestWorkerMetricsAddr(t *testing.T) {
	t.Setenv("LOA_DATABASE_URL", "")
	t.Setenv("LOA_REDIS_URL", redistest.URL(t, 14))
	t.Setenv("LOA_DATA_DIR", t.TempDir())
	t.Setenv("LOA_LOG_LEVEL", "warn")
	t.Setenv("LOA_METRICS_ADDR", "")
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"migrate"}, &out, io.Discard); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"token", "--name", "ops", "--role", "admin"}, &out, io.Discard); err != nil {
		t.Fatalf("token: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	token := lines[len(lines)-1]

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	var logs logbuf.Buffer
	done := make(chan error, 1)
	go func() { done <- run(wctx, []string{"worker", "--metrics-addr", addr}, io.Discard, &logs) }()

	get := func(path, token string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if status, _ := get("/livez", ""); status == http.StatusOK {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("worker stopped: %v\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the worker's listener never answered\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if status, body := get("/readyz", ""); status != http.StatusOK {
		t.Errorf("/readyz = %d %s", status, body)
	}
	if status, body := get("/metrics", token); status != http.StatusOK || !strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics = %d %.300s", status, body)
	}
	if status, _ := get("/metrics", ""); status != http.StatusUnauthorized {
		t.Errorf("/metrics without a token = %d", status)
	}
	if status, _ := get("/api/v1/me", token); status != http.StatusNotFound {
		t.Errorf("the worker serves the API: /api/v1/me = %d", status)
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("worker: %v\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the worker did not stop")
	}
}

func TestWorkerMetricsAddrRefused(t *testing.T) {
	t.Setenv("LOA_DATA_DIR", t.TempDir())
	err := run(context.Background(), []string{"worker", "--metrics-addr", "9090"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "LOA_METRICS_ADDR must be empty (no metrics listener) or host:port") {
		t.Fatalf("err = %v", err)
	}
}

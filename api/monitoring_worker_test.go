package api_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/metrics"
)

// The worker's listener (LOA_METRICS_ADDR) answers the probes and serves
// /metrics to admins only, as the API server does, and nothing else.
func TestWorkerProbes(t *testing.T) {
	t.Parallel()
	e := newEnv(t) // for its store and users
	m := metrics.New()
	m.Delivered("webhook", "delivered", 0, 0)
	var redisDown atomic.Bool
	srv := httptest.NewServer(api.NewProbes(api.ProbeOptions{Store: e.store, Metrics: m.Handler(), Logger: slog.New(slog.DiscardHandler),
		PingRedis: func(context.Context) error {
			if redisDown.Load() {
				return errors.New("connection refused")
			}
			return nil
		}}))
	t.Cleanup(srv.Close)
	// A plain client: this listener is not the API that api/openapi.yaml
	// describes (it answers 404 to the API's own paths).
	plain := &http.Client{}
	get := func(path, token string) response {
		t.Helper()
		return doOn(t, plain, srv.URL, req{Method: http.MethodGet, Path: path, Token: token})
	}

	wantStatus(t, get("/livez", ""), http.StatusOK)
	wantStatus(t, get("/readyz", ""), http.StatusOK)
	r := get("/metrics", adminToken)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(string(r.Body), `loa_deliveries_total{kind="webhook",outcome="delivered"} 1`) {
		t.Errorf("/metrics lacks the counter:\n%s", r.Body)
	}
	wantError(t, get("/metrics", ""), http.StatusUnauthorized, "unauthorized", "")
	for _, tok := range []string{editorToken, officerToken} {
		wantError(t, get("/metrics", tok), http.StatusForbidden, "forbidden", "")
	}
	for _, path := range []string{"/api/v1/me", "/healthz", "/monitoring/", "/"} {
		wantError(t, get(path, adminToken), http.StatusNotFound, "not_found", "")
	}

	redisDown.Store(true)
	r = get("/readyz", "")
	wantStatus(t, r, http.StatusServiceUnavailable)
	if !strings.Contains(string(r.Body), `"down":["redis"]`) {
		t.Errorf("readyz = %s", r.Body)
	}
	wantStatus(t, get("/livez", ""), http.StatusOK)
}

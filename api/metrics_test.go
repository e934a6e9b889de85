package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/metrics"
)

func TestMetricsEndpoint(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	m.Delivered("webhook", "delivered", 120*time.Millisecond, 3*time.Second)
	m.Delivered("webhook", "retry", time.Second, 0)
	e := newEnv(t, func(o *api.Options) { o.Metrics = m.Handler() })

	r := e.get("/metrics", adminToken)
	wantStatus(t, r, http.StatusOK)
	body := string(r.Body)
	for _, want := range []string{
		`loa_deliveries_total{kind="webhook",outcome="delivered"} 1`,
		`loa_deliveries_total{kind="webhook",outcome="retry"} 1`,
		`loa_delivery_duration_seconds_count{kind="webhook",outcome="retry"} 1`,
		`loa_schedule_lag_seconds_sum{kind="webhook"} 3`,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", body)
	}

	wantError(t, e.get("/metrics", ""), http.StatusUnauthorized, "unauthorized", "")
	wantError(t, e.get("/metrics", "tok-nobody"), http.StatusUnauthorized, "unauthorized", "")
	for _, tok := range []string{editorToken, officerToken} {
		wantError(t, e.get("/metrics", tok), http.StatusForbidden, "forbidden", "")
	}

	// A server given no metrics has none to show.
	wantError(t, newEnv(t).get("/metrics", adminToken), http.StatusNotFound, "not_found", "")
}

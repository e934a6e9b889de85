package worker_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/loa-vn/loa/adapters"
	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/metrics"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/worker"
)

// TestMetricsMatchTheDatabase runs deliveries with every outcome through
// the worker and checks loa_deliveries_total equals the attempts the
// database recorded, per channel kind and outcome, and that the latency
// and lag histograms saw the same attempts.
func TestMetricsMatchTheDatabase(t *testing.T) {
	h := newHarness(t)
	var mu sync.Mutex
	calls := map[string]int{}
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls[r.URL.Path]++
		n := calls[r.URL.Path]
		mu.Unlock()
		switch {
		case r.URL.Path == "/bad":
			w.WriteHeader(http.StatusBadRequest) // permanent: failed at once
		case r.URL.Path == "/down":
			w.WriteHeader(http.StatusServiceUnavailable) // retry, retry, failed
		case r.URL.Path == "/once" && n == 1:
			w.WriteHeader(http.StatusServiceUnavailable) // retry, then delivered
		}
	}))
	t.Cleanup(sink.Close)
	var ids []int64
	for _, path := range []string{"/ok1", "/ok2", "/ok3", "/bad", "/down", "/once"} {
		ids = append(ids, h.channel("webhook", map[string]string{"url": sink.URL + path, "secret": secret}).ID)
	}

	m := metrics.New()
	d := worker.NewDeliverer(worker.DelivererOptions{
		Store: h.store, Policy: h.policy, Lease: h.lease, Observer: m,
		Channels: adapters.NewChannelSet(h.registry, h.box,
			channels.Env{HTTPClient: h.guard.Client(2 * time.Second), PublicBaseURL: "http://loa.test"}),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	srv := worker.NewServer(h.rdb, d, worker.ServerOptions{Concurrency: 4, ShutdownTimeout: 2 * time.Second,
		PollInterval: 100 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			srv.Shutdown()
		}
	})

	ds := h.post(time.Now(), ids...)
	want := map[[2]string]int{}
	for _, dl := range ds {
		status := storage.DeliveryDelivered
		if ch := dl.ChannelID; ch == ids[3] || ch == ids[4] {
			status = storage.DeliveryFailed
		}
		_, attempts := h.waitStatus(dl.ID, status, 20*time.Second)
		for _, a := range attempts {
			want[[2]string{"webhook", a.Outcome}]++
		}
	}
	// Shutdown waits for running handlers, so every observation is in.
	srv.Shutdown()
	stopped = true

	got := map[[2]string]int{}
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var durations, lags uint64
	for _, f := range families {
		for _, mt := range f.GetMetric() {
			l := labels(mt)
			switch f.GetName() {
			case "loa_deliveries_total":
				got[[2]string{l["kind"], l["outcome"]}] = int(mt.GetCounter().GetValue())
			case "loa_delivery_duration_seconds":
				durations += mt.GetHistogram().GetSampleCount()
			case "loa_schedule_lag_seconds":
				lags += mt.GetHistogram().GetSampleCount()
				if l["kind"] != "webhook" || mt.GetHistogram().GetSampleSum() < 0 {
					t.Errorf("lag %v", mt)
				}
			}
		}
	}
	t.Logf("database attempts by kind and outcome: %v; counters: %v", want, got)
	wantCounts := map[[2]string]int{{"webhook", "delivered"}: 4, {"webhook", "retry"}: 3, {"webhook", "failed"}: 2}
	if len(want) != len(wantCounts) {
		t.Errorf("database attempts %v, want %v", want, wantCounts)
	}
	for k, n := range wantCounts {
		if want[k] != n {
			t.Errorf("database has %d %v attempts, want %d", want[k], k, n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("counters %v, database %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("loa_deliveries_total%v = %d, database has %d", k, got[k], n)
		}
	}
	if durations != 9 || lags != 4 {
		t.Errorf("duration samples %d (want 9 attempts), lag samples %d (want 4 delivered)", durations, lags)
	}
}

func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

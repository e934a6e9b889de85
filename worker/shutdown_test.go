package worker_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/worker"
)

// TestShutdownReturnsInFlightTask: a worker stopping while a platform
// hangs returns within its shutdown timeout (LOA_SHUTDOWN_TIMEOUT), and the
// delivery it was sending is neither lost nor stuck: its lease is given
// up, so the next worker delivers it at once, not after the lease.
func TestShutdownReturnsInFlightTask(t *testing.T) {
	h := newHarness(t)
	h.lease = time.Hour
	var hang atomic.Bool
	hang.Store(true)
	release := make(chan struct{})
	arrived := make(chan struct{})
	var once sync.Once
	var requests atomic.Int32
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if hang.Load() {
			once.Do(func() { close(arrived) })
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
	}))
	t.Cleanup(sink.Close)
	// Runs before sink.Close, which waits for the hanging handler.
	t.Cleanup(func() { close(release) })
	ch := h.channel("webhook", map[string]string{"url": sink.URL, "secret": secret})

	const timeout = 500 * time.Millisecond
	srv := worker.NewServer(h.rdb, h.deliverer(), worker.ServerOptions{Concurrency: 1, ShutdownTimeout: timeout,
		PollInterval: 100 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	ds := h.post(time.Now(), ch.ID)
	select {
	case <-arrived:
	case <-time.After(15 * time.Second):
		t.Fatal("the delivery never reached the platform")
	}
	start := time.Now()
	srv.Shutdown()
	took := time.Since(start)
	t.Logf("shutdown with a hung platform took %v (timeout %v)", took, timeout)
	if took > timeout+2*time.Second {
		t.Errorf("shutdown took %v, timeout %v", took, timeout)
	}
	d, as, err := h.store.GetDelivery(t.Context(), ds[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after shutdown: status %q, attempts %d", d.Status, len(as))
	if d.Status == storage.DeliveryDelivered || d.Status == storage.DeliveryFailed {
		t.Errorf("status after an interrupted send = %q", d.Status)
	}
	// The attempt was either cut short and recorded, or its lease given up:
	// never left held for the hour-long lease.
	if d.Status == storage.DeliverySending && (d.LeaseUntil == nil || d.LeaseUntil.After(time.Now())) || !d.Uncertain {
		t.Errorf("after shutdown: %s, lease until %v, uncertain %v; want it free to take over, as one that may have landed", d.Status, d.LeaseUntil, d.Uncertain)
	}

	hang.Store(false)
	h.startServer()
	d, as = h.waitStatus(ds[0].ID, storage.DeliveryDelivered, 20*time.Second)
	t.Logf("next worker: %q after %d attempts, %d requests to the platform", d.Status, len(as), requests.Load())
}

package metrics_test

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/loa-vn/loa/metrics"
	"github.com/loa-vn/loa/worker/redistest"
)

const redisDB = 11

func TestQueueGauges(t *testing.T) {
	rdb := redistest.Client(t, redisDB)
	m := metrics.New()
	m.WatchQueues(asynq.NewInspectorFromRedisClient(rdb), slog.New(slog.NewTextHandler(io.Discard, nil)))
	client := asynq.NewClientFromRedisClient(rdb)
	for i := range 3 {
		if _, err := client.Enqueue(asynq.NewTask("t", []byte{byte(i)}), asynq.Queue("deliveries")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := client.Enqueue(asynq.NewTask("t", nil), asynq.Queue("deliveries"), asynq.ProcessIn(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		want float64
	}{{"asynq_up", 1}, {"asynq_queue_size", 4}, {"asynq_queue_paused_total", 0}} {
		got, err := testutil.GatherAndCount(m.Registry(), c.name)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d series", c.name, got)
		if got == 0 {
			t.Errorf("no %s series", c.name)
		}
	}
	pending, scheduled := gauge(t, m, "pending"), gauge(t, m, "scheduled")
	t.Logf("deliveries queue: pending %v, scheduled %v", pending, scheduled)
	if pending != 3 || scheduled != 1 {
		t.Errorf("pending %v scheduled %v, want 3 and 1", pending, scheduled)
	}

	// Redis gone: the scrape still answers, with asynq_up 0.
	rdb.(*redis.Client).Close()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == "asynq_up" && f.GetMetric()[0].GetGauge().GetValue() != 0 {
			t.Errorf("asynq_up with Redis closed = %v", f.GetMetric()[0].GetGauge().GetValue())
		}
	}
}

func gauge(t *testing.T, m *metrics.Metrics, state string) float64 {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != "asynq_queue_size" {
			continue
		}
		for _, mt := range f.GetMetric() {
			l := map[string]string{}
			for _, p := range mt.GetLabel() {
				l[p.GetName()] = p.GetValue()
			}
			if l["queue"] == "deliveries" && l["state"] == state {
				return mt.GetGauge().GetValue()
			}
		}
	}
	t.Fatalf("no asynq_queue_size for %s", state)
	return 0
}

package worker_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/worker"
)

// benchBatch deliveries are due at the same moment in each iteration.
const benchBatch = 500

// BenchmarkDeliveryPipeline measures deliveries per second through the real
// handler (claim, publish to a no-op channel, durable outcome) on the
// configured Redis and database.
func BenchmarkDeliveryPipeline(b *testing.B) {
	fake := &fakeKind{publish: func(int32) error { return nil }}
	h := newHarness(b, fake.kind("noop"))
	ch := benchChannel(b, h)
	srv := worker.NewServer(h.rdb, h.deliverer(), worker.ServerOptions{
		Concurrency: 20, ShutdownTimeout: 5 * time.Second, PollInterval: 100 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	defer srv.Shutdown()
	ctx := context.Background()
	b.ResetTimer()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ids := make([]int64, 0, benchBatch)
		for j := 0; j < benchBatch; j++ {
			p := storage.Post{Title: fmt.Sprintf("Tin %d-%d", i, j), Audience: "all", PublishAt: time.Now()}
			ds, err := h.store.CreatePost(ctx, &p, []int64{ch.ID}, nil, "bench")
			if err != nil {
				b.Fatal(err)
			}
			ids = append(ids, ds[0].ID)
		}
		start := time.Now()
		b.StartTimer()
		for _, id := range ids {
			if err := h.queue.Schedule(ctx, id, start); err != nil {
				b.Fatal(err)
			}
		}
		waitAllDelivered(b, h, ids)
		total += time.Since(start)
	}
	b.ReportMetric(float64(benchBatch*b.N)/total.Seconds(), "deliveries/s")
}

// BenchmarkRawAsynq is the ceiling: no-op tasks on the same Redis.
func BenchmarkRawAsynq(b *testing.B) {
	h := newHarness(b)
	var done atomic.Int64
	mux := asynq.NewServeMux()
	mux.HandleFunc("noop", func(context.Context, *asynq.Task) error { done.Add(1); return nil })
	srv := asynq.NewServerFromRedisClient(h.rdb, asynq.Config{Concurrency: 20, TaskCheckInterval: 100 * time.Millisecond,
		Logger: worker.AsynqLogger(slog.New(slog.DiscardHandler)), LogLevel: asynq.FatalLevel})
	if err := srv.Start(mux); err != nil {
		b.Fatal(err)
	}
	defer srv.Shutdown()
	client := asynq.NewClientFromRedisClient(h.rdb)
	var total time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		want := done.Load() + benchBatch
		for j := 0; j < benchBatch; j++ {
			if _, err := client.Enqueue(asynq.NewTask("noop", nil)); err != nil {
				b.Fatal(err)
			}
		}
		for done.Load() < want {
			time.Sleep(time.Millisecond)
		}
		total += time.Since(start)
	}
	b.ReportMetric(float64(benchBatch*b.N)/total.Seconds(), "tasks/s")
}

func benchChannel(b *testing.B, h *harness) storage.Channel {
	sealed, err := h.box.Seal([]byte(`{}`))
	if err != nil {
		b.Fatal(err)
	}
	ch := storage.Channel{Name: "noop", Kind: "noop", ConfigSealed: sealed}
	if err := h.store.CreateChannel(context.Background(), &ch, "bench"); err != nil {
		b.Fatal(err)
	}
	return ch
}

func waitAllDelivered(b *testing.B, h *harness, ids []int64) {
	ctx := context.Background()
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		ds, err := h.store.ListDeliveries(ctx, storage.DeliveryFilter{Status: storage.DeliveryDelivered, Limit: 1, BeforeID: ids[len(ids)-1] + 1})
		if err != nil {
			b.Fatal(err)
		}
		if len(ds) == 1 && countDelivered(b, h, ids) == len(ids) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.Fatal("deliveries not done within 5 minutes")
}

func countDelivered(b *testing.B, h *harness, ids []int64) int {
	n := 0
	cursor := ids[len(ids)-1] + 1
	for {
		ds, err := h.store.ListDeliveries(context.Background(), storage.DeliveryFilter{Status: storage.DeliveryDelivered, Limit: 200, BeforeID: cursor})
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range ds {
			if d.ID >= ids[0] {
				n++
			}
		}
		if len(ds) < 200 || ds[len(ds)-1].ID < ids[0] {
			return n
		}
		cursor = ds[len(ds)-1].ID
	}
}

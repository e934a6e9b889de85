package worker_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

type countingEnqueuer struct {
	mu  sync.Mutex
	ids []int64
}

func (c *countingEnqueuer) RunNow(context.Context, int64) error     { return nil }
func (c *countingEnqueuer) Unschedule(context.Context, int64) error { return nil }

func (c *countingEnqueuer) ScheduleMany(ctx context.Context, ids []int64, at time.Time) error {
	for _, id := range ids {
		if err := c.Schedule(ctx, id, at); err != nil {
			return err
		}
	}
	return nil
}

func (c *countingEnqueuer) Schedule(_ context.Context, id int64, _ time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ids = append(c.ids, id)
	return nil
}

func TestConcurrentMaterializersCreateEachOccurrenceOnce(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	ch := h.channel("webhook", map[string]string{"url": "https://example.org", "secret": secret})
	author := storage.User{Name: "Biên tập", Role: storage.RoleEditor}
	if err := h.store.CreateUser(ctx, &author, "test"); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 1, 30, 0, 0, time.UTC)
	sc := storage.Schedule{Name: "Hằng ngày", Rule: "FREQ=DAILY;BYHOUR=16;BYMINUTE=30", Timezone: "Asia/Ho_Chi_Minh",
		StartsAt: now, Count: 10, Template: storage.PostTemplate{Title: "Tin ngày {{.Date}}"},
		Targets: storage.Targets{ChannelIDs: []int64{ch.ID}}, CreatedBy: author.ID}
	if err := h.store.CreateSchedule(ctx, &sc, "test"); err != nil {
		t.Fatal(err)
	}
	enq := &countingEnqueuer{}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var wg sync.WaitGroup
	created := make([]int, 4)
	for i := range created {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := publishing.New(publishing.Options{Store: h.store, Scheduler: enq, Horizon: 30 * 24 * time.Hour, Logger: log,
				Now: func() time.Time { return now }})
			n, err := m.Materialize(ctx, sc)
			if err != nil {
				t.Error(err)
			}
			created[i] = n
		}()
	}
	wg.Wait()
	total := 0
	for _, n := range created {
		total += n
	}
	posts, err := h.store.ScheduleOccurrences(ctx, sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if total != 10 || len(posts) != 10 || len(enq.ids) != 10 {
		t.Fatalf("4 concurrent materializers created %v (total %d), %d posts, %d queued; want 10 each", created, total, len(posts), len(enq.ids))
	}
}

package bench

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/loa-vn/loa/worker"
)

// noopQueue holds the no-op tasks, apart from Loa's deliveries.
const noopQueue = "loa-bench-noop"

// rawAsynq is the ceiling: n no-op tasks due at the same second on the same
// Redis, processed by an asynq server with the worker's concurrency and
// poll interval. It returns tasks/s from the first done to the last.
func rawAsynq(ctx context.Context, rdb redis.UniversalClient, n, concurrency int) (float64, error) {
	var (
		mu          sync.Mutex
		done        int
		first, last time.Time
	)
	all := make(chan struct{})
	mux := asynq.NewServeMux()
	mux.HandleFunc("noop", func(context.Context, *asynq.Task) error {
		mu.Lock()
		defer mu.Unlock()
		now := time.Now()
		if done == 0 {
			first = now
		}
		last = now
		done++
		if done == n {
			close(all)
		}
		return nil
	})
	srv := asynq.NewServerFromRedisClient(rdb, asynq.Config{Concurrency: concurrency,
		Queues: map[string]int{noopQueue: 1}, TaskCheckInterval: worker.DefaultPollInterval, DelayedTaskCheckInterval: worker.DefaultPollInterval,
		Logger: worker.AsynqLogger(slog.New(slog.DiscardHandler)), LogLevel: asynq.FatalLevel})
	if err := srv.Start(mux); err != nil {
		return 0, fmt.Errorf("bench: raw asynq: %w", err)
	}
	defer srv.Shutdown()
	client := asynq.NewClientFromRedisClient(rdb)
	due := time.Now().Add(leadTime(n) / 2).Truncate(time.Second).Add(time.Second)
	next := make(chan int)
	errs := make(chan error, setupParallel*2)
	var wg sync.WaitGroup
	for range setupParallel * 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				if _, err := client.EnqueueContext(ctx, asynq.NewTask("noop", nil),
					asynq.Queue(noopQueue), asynq.ProcessAt(due), asynq.Retention(0)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var enqueueErr error
feed:
	for i := range n {
		select {
		case next <- i:
		case enqueueErr = <-errs:
			break feed
		}
	}
	close(next)
	wg.Wait()
	if enqueueErr != nil {
		return 0, fmt.Errorf("bench: raw asynq enqueue: %w", enqueueErr)
	}
	timeout := time.NewTimer(time.Until(due) + 10*time.Minute)
	defer timeout.Stop()
	select {
	case <-all:
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-timeout.C:
		return 0, fmt.Errorf("bench: raw asynq: %d of %d tasks done in 10 minutes", done, n)
	}
	mu.Lock()
	defer mu.Unlock()
	return rate(n, last.Sub(first)), nil
}

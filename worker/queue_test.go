package worker_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/loa-vn/loa/worker"
	"github.com/loa-vn/loa/worker/redistest"
)

// ScheduleMany gives each delivery one task due at the time; calling it
// again (a retried request, the reconciler) keeps the tasks as they are.
func TestScheduleManyQueuesEachDeliveryOnce(t *testing.T) {
	rdb := redistest.Client(t, redisDB)
	q := worker.NewQueue(rdb, worker.DefaultTaskOptions(5))
	at := time.Now().Add(time.Hour).Truncate(time.Second)
	ids := make([]int64, 40)
	for i := range ids {
		ids[i] = int64(1000 + i)
	}
	ctx := context.Background()
	for range 2 {
		if err := q.ScheduleMany(ctx, ids, at); err != nil {
			t.Fatal(err)
		}
	}
	inspector := asynq.NewInspectorFromRedisClient(rdb)
	tasks, err := inspector.ListScheduledTasks(worker.QueueDeliveries, asynq.PageSize(100))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, task := range tasks {
		if !task.NextProcessAt.Equal(at) {
			t.Errorf("task %s due %v, want %v", task.ID, task.NextProcessAt, at)
		}
		seen[task.ID] = true
	}
	if len(tasks) != len(ids) || len(seen) != len(ids) {
		t.Errorf("%d tasks (%d distinct), want one for each of %d deliveries", len(tasks), len(seen), len(ids))
	}
}

// A queue that cannot be reached fails every enqueue; ScheduleMany says
// how many and returns without hanging.
func TestScheduleManyReportsFailures(t *testing.T) {
	rdb := redistest.Client(t, redisDB)
	q := worker.NewQueue(rdb, worker.DefaultTaskOptions(5))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := q.ScheduleMany(ctx, []int64{1, 2, 3}, time.Now().Add(time.Hour))
	if err == nil {
		t.Fatal("ScheduleMany with a canceled context succeeded")
	}
	if want := "3 of 3 deliveries not queued"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q, want it to say %q", err, want)
	}
}

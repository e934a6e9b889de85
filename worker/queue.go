package worker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Queue puts delivery tasks into Redis and takes them out.
type Queue struct {
	client    *asynq.Client
	inspector *asynq.Inspector
	opts      TaskOptions
	now       func() time.Time
}

// NewQueue uses rdb for every call; the caller closes rdb.
func NewQueue(rdb redis.UniversalClient, opts TaskOptions) *Queue {
	return &Queue{
		client:    asynq.NewClientFromRedisClient(rdb),
		inspector: asynq.NewInspectorFromRedisClient(rdb),
		opts:      opts,
		now:       time.Now,
	}
}

// overdueGrace is how late a task may be before Ensure checks that the
// existing task is really going to run.
const overdueGrace = time.Minute

// Schedule makes sure delivery id has a task due at `at`. It is safe to call
// any number of times: an existing task is kept.
func (q *Queue) Schedule(ctx context.Context, id int64, at time.Time) error {
	_, err := q.Ensure(ctx, id, at)
	return err
}

// scheduleParallel is how many enqueues ScheduleMany keeps in flight:
// asynq enqueues one task per round trip, so thousands of them are
// pipelined over several connections rather than waited for one by one.
const scheduleParallel = 16

// ScheduleMany is Schedule for many deliveries due at the same time. It
// tries every one and returns the first error, if any, and how many failed.
func (q *Queue) ScheduleMany(ctx context.Context, ids []int64, at time.Time) error {
	var (
		mu       sync.Mutex
		firstErr error
		failed   int
	)
	next := make(chan int64)
	var wg sync.WaitGroup
	for range min(scheduleParallel, len(ids)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range next {
				if err := q.Schedule(ctx, id, at); err != nil {
					mu.Lock()
					failed++
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, id := range ids {
		next <- id
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return fmt.Errorf("worker: %d of %d deliveries not queued, first: %w", failed, len(ids), firstErr)
	}
	return nil
}

// RunNow makes delivery id's task run now, whatever state it is in.
func (q *Queue) RunNow(ctx context.Context, id int64) error {
	now := q.now()
	_, err := q.enqueue(ctx, id, now)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		_, err = q.repair(ctx, id, now)
	}
	return err
}

// Ensure is Schedule that also reports whether it had to create the task.
// A task that exists but is overdue by more than a minute is checked and
// repaired, so a task asynq gave up on cannot strand a delivery.
func (q *Queue) Ensure(ctx context.Context, id int64, at time.Time) (bool, error) {
	created, err := q.enqueue(ctx, id, at)
	if !errors.Is(err, asynq.ErrTaskIDConflict) {
		return created, err
	}
	if at.After(q.now().Add(-overdueGrace)) {
		return false, nil
	}
	return q.repair(ctx, id, at)
}

func (q *Queue) enqueue(ctx context.Context, id int64, at time.Time) (bool, error) {
	task, err := newDeliverTask(id, at, q.opts)
	if err != nil {
		return false, err
	}
	if _, err := q.client.EnqueueContext(ctx, task); err != nil {
		if errors.Is(err, asynq.ErrTaskIDConflict) {
			return false, err
		}
		return false, fmt.Errorf("worker: enqueue delivery %d: %w", id, err)
	}
	return true, nil
}

// repair handles a task that exists but is due already: one waiting for a
// later time is run now, an archived one (asynq gave up, the database did
// not) is replaced.
func (q *Queue) repair(ctx context.Context, id int64, at time.Time) (bool, error) {
	info, err := q.inspector.GetTaskInfo(QueueDeliveries, taskID(id))
	if errors.Is(err, asynq.ErrTaskNotFound) {
		return q.enqueue(ctx, id, at) // finished between the two calls
	}
	if err != nil {
		return false, fmt.Errorf("worker: inspect delivery %d: %w", id, err)
	}
	switch info.State {
	case asynq.TaskStateScheduled, asynq.TaskStateRetry:
		if err := q.inspector.RunTask(QueueDeliveries, taskID(id)); err != nil && !errors.Is(err, asynq.ErrTaskNotFound) {
			return false, fmt.Errorf("worker: run delivery %d now: %w", id, err)
		}
		return false, nil
	case asynq.TaskStateArchived, asynq.TaskStateCompleted:
		if err := q.inspector.DeleteTask(QueueDeliveries, taskID(id)); err != nil && !errors.Is(err, asynq.ErrTaskNotFound) {
			return false, fmt.Errorf("worker: replace delivery %d: %w", id, err)
		}
		return q.enqueue(ctx, id, at)
	}
	return false, nil // pending or active: it is about to run or running
}

// Unschedule removes a waiting task. A running task is left alone: it will
// find the delivery canceled when it records its result.
func (q *Queue) Unschedule(ctx context.Context, id int64) error {
	err := q.inspector.DeleteTask(QueueDeliveries, taskID(id))
	if err == nil || errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
		return nil
	}
	return fmt.Errorf("worker: unschedule delivery %d: %w", id, err)
}

// Package worker runs deliveries: asynq tasks carry a delivery id, the
// handler sends it through its channel and records the outcome, and the
// reconciler keeps Redis in line with the database after crashes or flushes.
// The materializer and poller loops call package publishing, which owns
// what an occurrence or a feed item becomes.
package worker

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
)

// Task types and queues.
const (
	TypeDeliver     = "delivery:send"
	QueueDeliveries = "deliveries"
)

type deliverPayload struct {
	DeliveryID int64 `json:"delivery_id"`
}

// taskID is the asynq task id of a delivery: its database id, so a delivery
// can never have two tasks in the queue.
func taskID(deliveryID int64) string { return strconv.FormatInt(deliveryID, 10) }

// newDeliverTask builds the task that sends delivery id at processAt.
func newDeliverTask(id int64, processAt time.Time, o TaskOptions) (*asynq.Task, error) {
	payload, err := json.Marshal(deliverPayload{DeliveryID: id})
	if err != nil {
		return nil, fmt.Errorf("worker: encode payload: %w", err)
	}
	return asynq.NewTask(TypeDeliver, payload,
		asynq.TaskID(taskID(id)),
		asynq.Queue(QueueDeliveries),
		asynq.ProcessAt(processAt),
		asynq.MaxRetry(o.MaxRetry),
		asynq.Timeout(o.Timeout),
	), nil
}

func parseDeliverPayload(t *asynq.Task) (int64, error) {
	var p deliverPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return 0, fmt.Errorf("worker: decode payload: %w", err)
	}
	if p.DeliveryID <= 0 {
		return 0, fmt.Errorf("worker: payload has no delivery id")
	}
	return p.DeliveryID, nil
}

// TaskOptions bound every delivery task.
type TaskOptions struct {
	// MaxRetry is generous: the database, not asynq, counts attempts, and
	// asynq's count also grows when a task is deferred.
	MaxRetry int
	// Timeout bounds one attempt; the delivery lease outlives it.
	Timeout time.Duration
}

// DefaultTaskOptions suits deliveries to remote platforms.
func DefaultTaskOptions(maxAttempts int) TaskOptions {
	return TaskOptions{MaxRetry: maxAttempts + 25, Timeout: 2 * time.Minute}
}

package publishing

import (
	"context"
	"log/slog"
	"time"

	"github.com/loa-vn/loa/secrets"
	"github.com/loa-vn/loa/sources"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/vntime"
)

// Scheduler puts delivery tasks in the queue; the database stays the source
// of truth, so a failure here is logged and repaired by the reconciler.
// *worker.Queue is one.
type Scheduler interface {
	// ScheduleMany makes sure each delivery has a task due at `at`; an
	// existing task is kept. An error may leave some of them unqueued.
	ScheduleMany(ctx context.Context, deliveryIDs []int64, at time.Time) error
	RunNow(ctx context.Context, deliveryID int64) error
	Unschedule(ctx context.Context, deliveryID int64) error
}

// Options are a Service's dependencies.
type Options struct {
	Store     *storage.Store
	Scheduler Scheduler
	// Fetcher fetches feeds; Secrets opens the sealed URLs of feeds whose
	// address holds credentials (without it such feeds fail with a reason).
	Fetcher *sources.Fetcher
	Secrets *secrets.Box
	// Location is LOA_TIMEZONE: digests and dates are in it.
	Location *time.Location
	// Horizon is how far ahead schedule occurrences become posts.
	Horizon time.Duration
	Logger  *slog.Logger
	Now     func() time.Time
	// Kinds are the registered channel kinds a selector may name.
	Kinds []string
	// MaxDeliveries caps the deliveries of one post; 0 is DefaultMaxDeliveries.
	MaxDeliveries int
	// Adapters build the channels previews are made with.
	Adapters Adapters
}

// Service applies the publishing rules. It is safe for concurrent use.
type Service struct {
	store   *storage.Store
	sched   Scheduler
	fetcher *sources.Fetcher
	box     *secrets.Box
	loc     *time.Location
	horizon time.Duration
	log     *slog.Logger
	now     func() time.Time
	kinds   []string
	// maxDeliveries caps the channels one post goes to.
	maxDeliveries int
	adapters      Adapters
}

// New builds a Service.
func New(o Options) *Service {
	s := &Service{store: o.Store, sched: o.Scheduler, fetcher: o.Fetcher, box: o.Secrets, loc: o.Location,
		horizon: o.Horizon, log: o.Logger, now: o.Now, kinds: o.Kinds, maxDeliveries: o.MaxDeliveries, adapters: o.Adapters}
	if s.maxDeliveries <= 0 {
		s.maxDeliveries = DefaultMaxDeliveries
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.loc == nil {
		s.loc = vntime.Fixed()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// enqueueBatch is how many deliveries one ScheduleMany call queues.
const enqueueBatch = 500

// enqueue is the one place deliveries are queued after the transaction
// that made them ready has committed. Only deliveries that are due to go out
// are queued: those of a post waiting for approval are not. They go to the
// Scheduler in batches of deliveries due at the same time. A queue failure
// is logged: the reconciler queues what the database says is due.
func (s *Service) enqueue(ctx context.Context, ds []storage.Delivery) {
	var ids []int64
	var at time.Time
	flush := func() {
		if len(ids) == 0 {
			return
		}
		if err := s.sched.ScheduleMany(ctx, ids, at); err != nil {
			s.log.Warn("cannot queue deliveries now; the reconciler will", "delivery_ids", len(ids),
				"first_delivery_id", ids[0], "err", err)
		}
		ids = nil
	}
	for _, d := range ds {
		if d.Status != storage.DeliveryScheduled && d.Status != storage.DeliveryRetrying {
			continue
		}
		if len(ids) == enqueueBatch || len(ids) > 0 && !d.NextAttemptAt.Equal(at) {
			flush()
		}
		ids, at = append(ids, d.ID), d.NextAttemptAt
	}
	flush()
}

// unschedule removes queued tasks of deliveries that must not go out as
// queued; a task left behind finds its delivery's new state and does nothing.
func (s *Service) unschedule(ctx context.Context, ids []int64) {
	for _, id := range ids {
		if err := s.sched.Unschedule(ctx, id); err != nil {
			s.log.Warn("cannot remove delivery's task; it will find the new state", "delivery_id", id, "err", err)
		}
	}
}

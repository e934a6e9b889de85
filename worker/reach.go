package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/storage"
)

// ReachReader is implemented by adapters whose platform reports how many
// people a published item reached (Facebook post insights, Zalo article
// views, WordPress views where a plugin exposes them).
type ReachReader interface {
	// ReadReach reads the reach of the item the platform knows as
	// externalID. A platform that reports nothing for it answers with
	// Reach.Unavailable set, not with an error; an error means the read
	// failed and is tried again at the next slot.
	ReadReach(ctx context.Context, externalID string) (channels.Reach, error)
}

// ReachAdapters gives the adapter of a stored channel;
// *adapters.ChannelSet does.
type ReachAdapters interface {
	Get(ch storage.Channel) (channels.Channel, error)
}

// DefaultReachSchedule reads each delivery's reach 1 hour, 1 day, 7 days
// and 30 days after it was delivered, then never again.
func DefaultReachSchedule() []time.Duration {
	return []time.Duration{time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour}
}

// ReachOptions configures the reach collector; zero values take defaults.
type ReachOptions struct {
	Store    *storage.Store
	Channels ReachAdapters
	// Kinds are the channel kinds whose adapters read reach.
	Kinds []string
	// Schedule defaults to DefaultReachSchedule.
	Schedule []time.Duration
	// Interval between rounds (default 10 minutes), Batch the most reads a
	// round claims (200), Concurrency the most reads at once (4), Timeout
	// the bound on one read (30 s).
	Interval    time.Duration
	Batch       int
	Concurrency int
	Timeout     time.Duration
	Logger      *slog.Logger
}

// ReachCollector reads the reach of delivered deliveries on a slow
// schedule. Any number of processes may run it: each read is leased to one
// of them for the whole round it belongs to.
type ReachCollector struct {
	o ReachOptions
}

// NewReachCollector fills o's defaults.
func NewReachCollector(o ReachOptions) *ReachCollector {
	if len(o.Schedule) == 0 {
		o.Schedule = DefaultReachSchedule()
	}
	if o.Interval <= 0 {
		o.Interval = 10 * time.Minute
	}
	if o.Batch <= 0 {
		o.Batch = 200
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &ReachCollector{o: o}
}

// Run reads due reach at once and then every interval until ctx ends.
func (r *ReachCollector) Run(ctx context.Context) {
	ticker := time.NewTicker(r.o.Interval)
	defer ticker.Stop()
	for {
		if _, err := r.RunOnce(ctx); err != nil && ctx.Err() == nil {
			r.o.Logger.Error("reading reach failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// lease is how long a round holds its reads: every read of a full batch,
// Concurrency at a time, each within Timeout, and one more for recording.
func (r *ReachCollector) lease() time.Duration {
	rounds := (r.o.Batch + r.o.Concurrency - 1) / r.o.Concurrency
	return time.Duration(rounds+1) * r.o.Timeout
}

// RunOnce claims the reads that are due (at most Batch), makes them at
// most Concurrency at a time and records each; it returns how many it
// recorded. One failing read affects only its delivery.
func (r *ReachCollector) RunOnce(ctx context.Context) (int, error) {
	claims, err := r.o.Store.ClaimDueReach(ctx, storage.ReachDue{Kinds: r.o.Kinds, Schedule: r.o.Schedule,
		Limit: r.o.Batch, Lease: r.lease(), Token: newLeaseToken()})
	if err != nil {
		return 0, fmt.Errorf("worker: claim reach reads: %w", err)
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		recorded int
		errs     []error
	)
	slots := make(chan struct{}, r.o.Concurrency)
	for _, c := range claims {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return recorded, ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			err := r.readOne(ctx, c)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			recorded++
		}()
	}
	wg.Wait()
	return recorded, errors.Join(errs...)
}

// readOne reads one delivery's reach and records what came of it.
func (r *ReachCollector) readOne(ctx context.Context, c storage.ReachClaim) error {
	res := r.read(ctx, c)
	if res.Error != "" {
		r.o.Logger.Warn("reach read failed; absent until the next slot", "delivery_id", c.DeliveryID,
			"channel_id", c.Channel.ID, "slot", c.Slot, "err", res.Error)
	}
	err := r.o.Store.RecordReach(ctx, c, res, r.o.Schedule)
	if errors.Is(err, storage.ErrBadReach) {
		// The platform answered something storage will not keep: recorded
		// as a failed read so the delivery moves on to its next slot.
		err = r.o.Store.RecordReach(ctx, c, storage.ReachResult{Error: err.Error()}, r.o.Schedule)
	}
	if err != nil {
		return fmt.Errorf("worker: record reach of delivery %d: %w", c.DeliveryID, err)
	}
	return nil
}

// read makes the read: no network call for a channel that cannot be used
// or whose adapter reads no reach.
func (r *ReachCollector) read(ctx context.Context, c storage.ReachClaim) storage.ReachResult {
	switch c.Channel.Status {
	case storage.ChannelDisabled:
		return storage.ReachResult{Error: "the channel is disabled"}
	case storage.ChannelNeedsReauth:
		return storage.ReachResult{Error: "the channel needs re-authorisation"}
	}
	adapter, err := r.o.Channels.Get(c.Channel)
	if err != nil {
		return storage.ReachResult{Error: err.Error()}
	}
	reader, ok := adapter.(ReachReader)
	if !ok {
		return storage.ReachResult{Unavailable: fmt.Sprintf("channels of kind %s do not report reach", c.Channel.Kind)}
	}
	readCtx, cancel := context.WithTimeout(ctx, r.o.Timeout)
	defer cancel()
	reach, err := reader.ReadReach(readCtx, c.ExternalID)
	switch {
	case err != nil:
		return storage.ReachResult{Error: err.Error()}
	case reach.Unavailable != "":
		return storage.ReachResult{Unavailable: reach.Unavailable}
	case len(reach.Metrics) == 0:
		return storage.ReachResult{Unavailable: "the platform reported no reach"}
	}
	return storage.ReachResult{Metrics: reach.Metrics}
}

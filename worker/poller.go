package worker

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

const (
	pollsAtOnce = 4
)

// Poller polls due feed sources, turns each new item into a post (waiting
// for approval in review mode, scheduled at once in auto mode), and makes
// each source's weekly digest. Any number of processes may run it: a lease
// gives each poll to one of them, and the database never records an item
// (or a digest) twice.
type Poller struct {
	store *storage.Store
	pub   Polling
	log   *slog.Logger
}

// Polling polls one claimed source and makes due digests;
// *publishing.Service does.
type Polling interface {
	Poll(ctx context.Context, src storage.Source) (storage.SourcePoll, error)
	MakeDigests(ctx context.Context)
}

// NewPoller builds a poller over pub.
func NewPoller(store *storage.Store, pub Polling, log *slog.Logger) *Poller {
	return &Poller{store: store, pub: pub, log: log}
}

// Run polls due sources every interval until ctx ends.
func (p *Poller) Run(ctx context.Context, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		p.RunOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// RunOnce polls the sources that are due, a few at a time, then makes due
// digests. A failing feed only affects its own source.
func (p *Poller) RunOnce(ctx context.Context) {
	due, err := p.store.ClaimDueSources(ctx, publishing.PollLease, 20)
	if err != nil && ctx.Err() == nil {
		p.log.Error("cannot find due sources", "err", err)
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, pollsAtOnce)
	for _, src := range due {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			if _, err := p.pub.Poll(ctx, src); err != nil {
				p.log.Error("poll failed", "source_id", src.ID, "err", err)
			}
		}()
	}
	wg.Wait()
	p.pub.MakeDigests(ctx)
}

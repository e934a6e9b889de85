package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/loa-vn/loa/storage"
)

// Materializer turns schedule occurrences into real posts a horizon ahead,
// so each is visible, editable and cancellable on its own. Several processes
// may run it at once: the database keeps one post per occurrence.
type Materializer struct {
	store    *storage.Store
	pub      Materializing
	interval time.Duration
	log      *slog.Logger
}

// Materializing creates one schedule's occurrence posts up to the horizon;
// *publishing.Service does.
type Materializing interface {
	Materialize(ctx context.Context, sc storage.Schedule) (int, error)
}

// NewMaterializer builds a materializer that runs every interval.
func NewMaterializer(store *storage.Store, pub Materializing, interval time.Duration, log *slog.Logger) *Materializer {
	return &Materializer{store: store, pub: pub, interval: interval, log: log}
}

// Run materializes at once and then every interval until ctx ends.
func (m *Materializer) Run(ctx context.Context) {
	ticker := time.NewTicker(m.interval)
	defer ticker.Stop()
	for {
		if err := m.RunOnce(ctx); err != nil && ctx.Err() == nil {
			m.log.Error("materializing schedules failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// RunOnce materializes every active schedule; one broken schedule does not
// stop the others.
func (m *Materializer) RunOnce(ctx context.Context) error {
	scs, err := m.store.ActiveSchedules(ctx, 0)
	if err != nil {
		return err
	}
	var errs []error
	for _, sc := range scs {
		if _, err := m.pub.Materialize(ctx, sc); err != nil {
			errs = append(errs, fmt.Errorf("schedule %d: %w", sc.ID, err))
		}
	}
	return errors.Join(errs...)
}

package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/loa-vn/loa/storage"
)

// Reconciler makes Redis agree with the database: every delivery that is
// scheduled, retrying or mid-send gets its task back if Redis lost it
// (restart of the in-process server, FLUSHALL, failover).
type Reconciler struct {
	store    *storage.Store
	queue    *Queue
	interval time.Duration
	log      *slog.Logger
}

// NewReconciler builds a reconciler that runs every interval.
func NewReconciler(store *storage.Store, queue *Queue, interval time.Duration, log *slog.Logger) *Reconciler {
	return &Reconciler{store: store, queue: queue, interval: interval, log: log}
}

// ReconcileStats says what one pass did.
type ReconcileStats struct {
	Checked  int
	Restored int
}

const reconcilePage = 500

// ReconcileOnce checks every unfinished delivery once.
func (r *Reconciler) ReconcileOnce(ctx context.Context) (ReconcileStats, error) {
	var stats ReconcileStats
	after := int64(0)
	for {
		page, err := r.store.UnfinishedDeliveries(ctx, after, reconcilePage)
		if err != nil {
			return stats, fmt.Errorf("worker: reconcile: %w", err)
		}
		for _, d := range page {
			created, err := r.queue.Ensure(ctx, d.ID, d.DueAt)
			if err != nil {
				return stats, fmt.Errorf("worker: reconcile: %w", err)
			}
			stats.Checked++
			if created {
				stats.Restored++
			}
		}
		if len(page) < reconcilePage {
			return stats, nil
		}
		after = page[len(page)-1].ID
	}
}

// Run reconciles at once and then every interval until ctx ends.
func (r *Reconciler) Run(ctx context.Context) {
	ticker := time.NewTicker(r.interval)
	defer ticker.Stop()
	for {
		stats, err := r.ReconcileOnce(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			r.log.Error("reconcile failed", "err", err)
		case stats.Restored > 0:
			r.log.Info("restored missing delivery tasks", "checked", stats.Checked, "restored", stats.Restored)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/recurrence"
	"github.com/loa-vn/loa/storage"
)

// missedGrace is how late an occurrence may still be created and sent after
// Loa was down; older ones are skipped rather than sent as stale news.
const missedGrace = time.Hour

// Materializer turns schedule occurrences into real posts a horizon ahead,
// so each is visible, editable and cancellable on its own. Several processes
// may run it at once: the database keeps one post per occurrence.
type Materializer struct {
	store    *storage.Store
	queue    Enqueuer
	horizon  time.Duration
	interval time.Duration
	log      *slog.Logger
	now      func() time.Time
}

// Enqueuer queues a delivery's task; *Queue is one.
type Enqueuer interface {
	Schedule(ctx context.Context, deliveryID int64, at time.Time) error
}

// NewMaterializer builds a materializer that runs every interval.
func NewMaterializer(store *storage.Store, queue Enqueuer, horizon, interval time.Duration, log *slog.Logger) *Materializer {
	return &Materializer{store: store, queue: queue, horizon: horizon, interval: interval, log: log, now: time.Now}
}

// WithClock makes the materializer use now as its clock (tests).
func (m *Materializer) WithClock(now func() time.Time) *Materializer {
	m.now = now
	return m
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
	scs, err := m.store.ActiveSchedules(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, sc := range scs {
		if _, err := m.Materialize(ctx, sc); err != nil {
			errs = append(errs, fmt.Errorf("schedule %d: %w", sc.ID, err))
		}
	}
	return errors.Join(errs...)
}

// Materialize creates the posts of sc's occurrences up to the horizon and
// reports how many it created.
func (m *Materializer) Materialize(ctx context.Context, sc storage.Schedule) (int, error) {
	rule, err := recurrence.Compile(ScheduleSpec(sc))
	if err != nil {
		return 0, err
	}
	tmpl, err := storage.DecodeTemplate(sc.Template)
	if err != nil {
		return 0, err
	}
	text, err := NewOccurrenceText(tmpl, sc.Timezone)
	if err != nil {
		return 0, fmt.Errorf("schedule template: %w", err)
	}
	now := m.now().UTC()
	from := sc.MaterializedUntil
	if earliest := now.Add(-missedGrace); from.Before(earliest) {
		from = earliest
	}
	to := now.Add(m.horizon)
	created := 0
	for _, at := range rule.Between(from, to) {
		ok, err := m.createOccurrence(ctx, sc, tmpl, text, at)
		var invalid content.FieldError
		if errors.As(err, &invalid) {
			// This occurrence's text breaks a post limit (a longer weekday
			// name, say); the schedule's other occurrences go on.
			m.log.Warn("schedule occurrence skipped", "schedule_id", sc.ID, "occurrence", at, "err", err)
			continue
		}
		if err != nil {
			return created, fmt.Errorf("occurrence %s: %w", at.Format(time.RFC3339), err)
		}
		if ok {
			created++
		}
	}
	if err := m.store.AdvanceSchedule(ctx, sc.ID, to); err != nil {
		return created, err
	}
	if created > 0 {
		m.log.Info("schedule occurrences created", "schedule_id", sc.ID, "created", created)
	}
	return created, nil
}

// ScheduleSpec is the recurrence spec stored on a schedule.
func ScheduleSpec(sc storage.Schedule) recurrence.Spec {
	return recurrence.Spec{Rule: sc.Rule, Timezone: sc.Timezone, StartsAt: sc.StartsAt, EndsAt: sc.EndsAt, Count: sc.Count}
}

func (m *Materializer) createOccurrence(ctx context.Context, sc storage.Schedule, tmpl storage.PostTemplate, text *OccurrenceText, at time.Time) (bool, error) {
	p, targets, err := m.occurrencePost(ctx, sc, tmpl, text, at)
	if err != nil {
		return false, err
	}
	actor := "schedule:" + strconv.FormatInt(sc.ID, 10)
	ds, created, err := m.store.CreateOccurrence(ctx, &p, targets.ChannelIDs, targets.Variants, actor)
	var unavailable *storage.ChannelsUnavailableError
	if errors.As(err, &unavailable) {
		// Post to the channels that still exist; skip the occurrence if none do.
		left := slices.DeleteFunc(slices.Clone(targets.ChannelIDs), func(id int64) bool {
			return slices.Contains(unavailable.Missing, id) || slices.Contains(unavailable.Disabled, id)
		})
		m.log.Warn("schedule channels unavailable", "schedule_id", sc.ID, "detail", unavailable.Error(), "channels_left", len(left))
		if len(left) == 0 {
			return false, nil
		}
		ds, created, err = m.store.CreateOccurrence(ctx, &p, left, targets.Variants, actor)
	}
	if err != nil || !created {
		return false, err
	}
	if p.Status != storage.PostPendingApproval {
		for _, d := range ds {
			if err := m.queue.Schedule(ctx, d.ID, d.NextAttemptAt); err != nil {
				m.log.Warn("cannot queue occurrence delivery now; the reconciler will", "delivery_id", d.ID, "err", err)
			}
		}
	}
	return true, nil
}

func (m *Materializer) occurrencePost(ctx context.Context, sc storage.Schedule, tmpl storage.PostTemplate, text *OccurrenceText, at time.Time) (storage.Post, storage.Targets, error) {
	targets, err := storage.DecodeTargets(sc.Targets)
	if err != nil {
		return storage.Post{}, storage.Targets{}, err
	}
	clean, err := text.Post(at)
	if err != nil {
		return storage.Post{}, storage.Targets{}, err
	}
	author, err := m.store.GetUser(ctx, sc.CreatedBy)
	if err != nil {
		return storage.Post{}, storage.Targets{}, fmt.Errorf("schedule author: %w", err)
	}
	id, occ := sc.ID, at
	p := storage.Post{Title: clean.Title, Summary: clean.Summary, Body: clean.Body, Category: clean.Category,
		Audience: clean.Audience, Link: tmpl.Link, ImageURL: tmpl.ImageURL,
		Priority: orDefault(tmpl.Priority, "normal"), PublishAt: at, CreatedBy: sc.CreatedBy,
		ScheduleID: &id, OccurrenceAt: &occ}
	if storage.AuthorNeedsApproval(author) {
		p.Status = storage.PostPendingApproval
	}
	return p, targets, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

package publishing

import (
	"context"
	"errors"
	"fmt"
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

// CreateSchedule stores author's new schedule and creates its first
// occurrences at once; a failure there is logged and left to the worker.
func (s *Service) CreateSchedule(ctx context.Context, author storage.User, sc *storage.Schedule) error {
	agency, err := s.placeAutomation(ctx, author, CreateSchedule, sc.AgencyID, sc.Targets, sc.Classification)
	if err != nil {
		return err
	}
	sc.CreatedBy, sc.AgencyID = author.ID, agency
	if err := s.store.CreateSchedule(ctx, sc, ActorName(author)); err != nil {
		return err
	}
	if _, err := s.Materialize(ctx, *sc); err != nil {
		s.log.Warn("first materialization failed; the worker retries", "schedule_id", sc.ID, "err", err)
	}
	return nil
}

// SetScheduleStatus pauses a schedule (canceling its future occurrences
// that have not started going out) or resumes it (creating them again).
func (s *Service) SetScheduleStatus(ctx context.Context, by storage.User, id int64, status string) error {
	sc, err := s.store.GetSchedule(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return &NotFoundError{What: "schedule"}
	}
	if err != nil {
		return err
	}
	if err := s.Authorize(ctx, by, PauseResumeSchedule, "schedule", sc.AgencyID, sc.CreatedBy); err != nil {
		return err
	}
	canceled, err := s.store.SetScheduleStatus(ctx, id, status, ActorName(by))
	if err != nil {
		return err
	}
	s.unschedule(ctx, canceled)
	if status == storage.ScheduleActive {
		if sc, err = s.store.GetSchedule(ctx, id); err == nil {
			if _, err := s.Materialize(ctx, sc); err != nil {
				s.log.Warn("materialization after resume failed; the worker retries", "schedule_id", id, "err", err)
			}
		}
	}
	return nil
}

// Materialize creates the posts of sc's occurrences up to the horizon and
// reports how many it created.
func (s *Service) Materialize(ctx context.Context, sc storage.Schedule) (int, error) {
	rule, err := recurrence.Compile(ScheduleSpec(sc))
	if err != nil {
		return 0, err
	}
	text, err := NewOccurrenceText(sc.Template, sc.Timezone)
	if err != nil {
		return 0, fmt.Errorf("schedule template: %w", err)
	}
	now := s.now().UTC()
	from := sc.MaterializedUntil
	if earliest := now.Add(-missedGrace); from.Before(earliest) {
		from = earliest
	}
	to := now.Add(s.horizon)
	created := 0
	for _, at := range rule.Between(from, to) {
		ok, err := s.createOccurrence(ctx, sc, text, at)
		var invalid content.FieldError
		if errors.As(err, &invalid) {
			// This occurrence's text breaks a post limit (a longer weekday
			// name, say); the schedule's other occurrences go on.
			s.log.Warn("schedule occurrence skipped", "schedule_id", sc.ID, "occurrence", at, "err", err)
			continue
		}
		if err != nil {
			return created, fmt.Errorf("occurrence %s: %w", at.Format(time.RFC3339), err)
		}
		if ok {
			created++
		}
	}
	if err := s.store.AdvanceSchedule(ctx, sc.ID, to); err != nil {
		return created, err
	}
	if created > 0 {
		s.log.Info("schedule occurrences created", "schedule_id", sc.ID, "created", created)
	}
	return created, nil
}

// ScheduleSpec is the recurrence spec stored on a schedule.
func ScheduleSpec(sc storage.Schedule) recurrence.Spec {
	return recurrence.Spec{Rule: sc.Rule, Timezone: sc.Timezone, StartsAt: sc.StartsAt, EndsAt: sc.EndsAt, Count: sc.Count}
}

func (s *Service) createOccurrence(ctx context.Context, sc storage.Schedule, text *OccurrenceText, at time.Time) (bool, error) {
	p, err := s.occurrencePost(ctx, sc, text, at)
	if err != nil {
		return false, err
	}
	actor := "schedule:" + strconv.FormatInt(sc.ID, 10)
	targets := sc.Targets
	ds, created, err := s.store.CreateOccurrence(ctx, &p, targets.ChannelIDs, targets.Variants, actor)
	var unavailable *storage.ChannelsUnavailableError
	if errors.As(err, &unavailable) {
		// Post to the channels that still exist; skip the occurrence if none do.
		left := slices.DeleteFunc(slices.Clone(targets.ChannelIDs), func(id int64) bool {
			return slices.Contains(unavailable.Missing, id) || slices.Contains(unavailable.Disabled, id)
		})
		s.log.Warn("schedule channels unavailable", "schedule_id", sc.ID, "detail", unavailable.Error(), "channels_left", len(left))
		if len(left) == 0 {
			return false, nil
		}
		ds, created, err = s.store.CreateOccurrence(ctx, &p, left, targets.Variants, actor)
	}
	if err != nil || !created {
		return false, err
	}
	s.enqueue(ctx, ds)
	return true, nil
}

func (s *Service) occurrencePost(ctx context.Context, sc storage.Schedule, text *OccurrenceText, at time.Time) (storage.Post, error) {
	clean, err := text.Post(at)
	if err != nil {
		return storage.Post{}, err
	}
	author, err := s.store.GetUser(ctx, sc.CreatedBy)
	if err != nil {
		return storage.Post{}, fmt.Errorf("schedule author: %w", err)
	}
	tmpl := sc.Template
	id, occ := sc.ID, at
	p := storage.Post{Title: clean.Title, Summary: clean.Summary, Body: clean.Body, Category: clean.Category,
		Audience: clean.Audience, Link: tmpl.Link, ImageURL: tmpl.ImageURL,
		Priority: or(tmpl.Priority, "normal"), PublishAt: at, CreatedBy: sc.CreatedBy,
		AgencyID: sc.AgencyID, ScheduleID: &id, OccurrenceAt: &occ, Classification: sc.Classification}
	if NeedsApproval(author) {
		p.Status = storage.PostPendingApproval
	}
	return p, nil
}

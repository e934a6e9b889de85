package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/loa-vn/loa/content"
)

// EntitySchedule is the audit entity type of schedules.
const EntitySchedule = "schedule"

// CreateSchedule stores a new active schedule.
func (s *Store) CreateSchedule(ctx context.Context, sc *Schedule, actor string) error {
	sc.Status = ScheduleActive
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(sc).Error; err != nil {
			return err
		}
		return s.audit(tx, AuditEvent{Actor: actor, EntityType: EntitySchedule, EntityID: sc.ID,
			Action: "created", ToStatus: sc.Status, Detail: sc.Name + ": " + sc.Rule})
	})
	return translate(err, "create schedule")
}

// ListSchedules returns the schedules of the agency's subtree (every
// schedule for agency 0), newest first.
func (s *Store) ListSchedules(ctx context.Context, agency int64) ([]Schedule, error) {
	var scs []Schedule
	err := s.scoped(s.db.WithContext(ctx), agency).Order("id DESC").Find(&scs).Error
	return scs, translate(err, "list schedules")
}

// ActiveSchedules returns the schedules that create posts, of the
// agency's subtree (every agency for 0).
func (s *Store) ActiveSchedules(ctx context.Context, agency int64) ([]Schedule, error) {
	var scs []Schedule
	err := s.scoped(s.db.WithContext(ctx), agency).Where("status = ?", ScheduleActive).Order("id").Find(&scs).Error
	return scs, translate(err, "list active schedules")
}

// GetSchedule returns one schedule.
func (s *Store) GetSchedule(ctx context.Context, id int64) (Schedule, error) {
	var sc Schedule
	err := s.db.WithContext(ctx).First(&sc, id).Error
	return sc, translate(err, "get schedule")
}

// ScheduleOccurrences returns the posts a schedule created, by occurrence.
func (s *Store) ScheduleOccurrences(ctx context.Context, id int64) ([]Post, error) {
	var ps []Post
	err := s.db.WithContext(ctx).Where("schedule_id = ?", id).Order("publish_at, id").Find(&ps).Error
	return ps, translate(err, "list occurrences")
}

// AdvanceSchedule records that occurrences before until exist.
func (s *Store) AdvanceSchedule(ctx context.Context, id int64, until time.Time) error {
	err := s.db.WithContext(ctx).Model(&Schedule{}).
		Where("id = ? AND materialized_until < ?", id, until.UTC()).
		Update("materialized_until", until.UTC()).Error
	return translate(err, "advance schedule")
}

// CreateOccurrence creates the post for one occurrence of a schedule. If
// that occurrence already has a post (another process, an earlier run) it
// creates nothing and reports created=false.
func (s *Store) CreateOccurrence(ctx context.Context, p *Post, channelIDs []int64, variants map[int64]content.Variant, actor string) ([]Delivery, bool, error) {
	if p.ScheduleID == nil || p.OccurrenceAt == nil {
		return nil, false, errors.New("storage: an occurrence needs its schedule and time")
	}
	at := p.OccurrenceAt.UTC()
	p.OccurrenceAt = &at
	ds, err := s.CreatePost(ctx, p, channelIDs, variants, actor)
	if errors.Is(err, ErrConflict) {
		return nil, false, nil
	}
	return ds, err == nil, err
}

// SetScheduleStatus pauses or resumes a schedule. Pausing cancels its
// future occurrences that have not started going out and frees their slot,
// so resuming creates them afresh; it returns the canceled delivery ids.
func (s *Store) SetScheduleStatus(ctx context.Context, id int64, status, actor string) ([]int64, error) {
	var canceled []int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var sc Schedule
		if err := tx.First(&sc, id).Error; err != nil {
			return err
		}
		if sc.Status == status {
			return nil
		}
		now := s.nowUTC()
		updates := map[string]any{"status": status, "updated_at": now}
		if status == SchedulePaused {
			var err error
			if canceled, err = s.cancelFutureOccurrences(tx, id, now, actor); err != nil {
				return err
			}
		} else {
			updates["materialized_until"] = now
		}
		if err := tx.Model(&Schedule{}).Where("id = ?", id).Updates(updates).Error; err != nil {
			return err
		}
		return s.audit(tx, AuditEvent{Actor: actor, EntityType: EntitySchedule, EntityID: id,
			Action: status, FromStatus: sc.Status, ToStatus: status,
			Detail: fmt.Sprintf("%d future deliveries canceled", len(canceled))})
	})
	return canceled, translate(err, "set schedule status")
}

func (s *Store) cancelFutureOccurrences(tx *gorm.DB, id int64, now time.Time, actor string) ([]int64, error) {
	var posts []Post
	if err := tx.Where("schedule_id = ? AND occurrence_at > ? AND status IN ?", id, now,
		[]string{PostPendingApproval, PostScheduled}).Find(&posts).Error; err != nil {
		return nil, err
	}
	var canceled []int64
	for _, p := range posts {
		var ds []Delivery
		if err := tx.Select("id", "status").Where("post_id = ?", p.ID).Find(&ds).Error; err != nil {
			return nil, err
		}
		unsent, started := splitUnsent(ds)
		if len(unsent) == 0 {
			continue
		}
		if err := tx.Model(&Delivery{}).Where("id IN ?", unsent).
			Updates(map[string]any{"status": DeliveryCanceled, "updated_at": now}).Error; err != nil {
			return nil, err
		}
		if !started {
			// Free the occurrence so a resumed schedule creates it again.
			if err := tx.Model(&Post{}).Where("id = ?", p.ID).Update("occurrence_at", nil).Error; err != nil {
				return nil, err
			}
		}
		if err := s.refreshPostStatus(tx, p.ID, actor, "schedule_paused"); err != nil {
			return nil, err
		}
		canceled = append(canceled, unsent...)
	}
	return canceled, nil
}

// splitUnsent returns the deliveries not yet started, and whether any other has.
func splitUnsent(ds []Delivery) (unsent []int64, started bool) {
	for _, d := range ds {
		switch d.Status {
		case DeliveryPendingApproval, DeliveryScheduled:
			unsent = append(unsent, d.ID)
		case DeliveryCanceled:
		default:
			started = true
		}
	}
	return unsent, started
}

package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ErrWrongState means the post is not in a state that allows the change;
// the wrapped message says which state it is in.
var ErrWrongState = errors.New("post is not in a state that allows this")

// ApprovePost schedules a post that waits for approval. Deliveries whose
// time has passed while waiting go out now. It returns the deliveries to queue.
func (s *Store) ApprovePost(ctx context.Context, id, approver int64, actor string) ([]Delivery, error) {
	var ds []Delivery
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		p, err := s.lockPendingPost(tx, id)
		if err != nil {
			return err
		}
		now := s.nowUTC()
		if err := tx.Model(&Post{}).Where("id = ?", id).Updates(map[string]any{
			"approved_by": approver, "approved_at": now, "reject_reason": "", "updated_at": now,
		}).Error; err != nil {
			return err
		}
		if err := tx.Where("post_id = ? AND status = ?", id, DeliveryPendingApproval).Find(&ds).Error; err != nil {
			return err
		}
		for i := range ds {
			ds[i].Status = DeliveryScheduled
			ds[i].NextAttemptAt = maxTime(ds[i].ScheduledAt, now)
		}
		if err := updateDeliveries(tx, ds, map[string]any{"status": DeliveryScheduled, "updated_at": now}); err != nil {
			return err
		}
		return s.transition(tx, p, PostScheduled, actor, "approved", "")
	})
	return ds, translateState(err, "approve post")
}

// RejectPost cancels a post that waits for approval, keeping the reason.
func (s *Store) RejectPost(ctx context.Context, id int64, reason, actor string) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		p, err := s.lockPendingPost(tx, id)
		if err != nil {
			return err
		}
		now := s.nowUTC()
		if err := tx.Model(&Delivery{}).Where("post_id = ? AND status = ?", id, DeliveryPendingApproval).
			Updates(map[string]any{"status": DeliveryCanceled, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := tx.Model(&Post{}).Where("id = ?", id).Updates(map[string]any{
			"reject_reason": truncate(reason, 2000), "approved_by": 0, "approved_at": nil, "updated_at": now,
		}).Error; err != nil {
			return err
		}
		return s.transition(tx, p, PostRejected, actor, "rejected", reason)
	})
	return translateState(err, "reject post")
}

// PostEdit is a change to a post that has not gone out. Nil fields stay.
type PostEdit struct {
	Title, Summary, Body, Category, Audience, Link, ImageURL, Priority *string
	PublishAt                                                          *time.Time
	// Classification replaces the post's when set.
	Classification *Classification
	// NeedsApproval sends the post (back) to approval; otherwise it stays
	// or becomes scheduled, approved by Editor.
	NeedsApproval bool
	Editor        int64
}

// EditPost changes a post none of whose deliveries has started. It returns
// the post's deliveries afterwards, so the caller can re-queue or unqueue them.
func (s *Store) EditPost(ctx context.Context, id int64, e PostEdit, actor string) (Post, []Delivery, error) {
	var p Post
	var ds []Delivery
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if p, err = s.lockPost(tx, id); err != nil {
			return err
		}
		if err := tx.Where("post_id = ?", id).Order("id").Find(&ds).Error; err != nil {
			return err
		}
		if err := editable(p, ds); err != nil {
			return err
		}
		from := p.Status
		applyEdit(&p, e)
		next := PostScheduled
		if e.NeedsApproval {
			next = PostPendingApproval
		}
		if err := s.saveEdit(tx, &p, ds, e); err != nil {
			return err
		}
		p.Status = next
		return s.transition(tx, Post{ID: p.ID, Status: from}, next, actor, "edited", "")
	})
	return p, ds, translateState(err, "edit post")
}

// editable refuses a post that has (partly) gone out or is being sent.
func editable(p Post, ds []Delivery) error {
	if p.Status == PostDraft {
		return fmt.Errorf("post %d is a draft; a draft is changed by UpdateDraft: %w", p.ID, ErrWrongState)
	}
	for _, d := range ds {
		switch d.Status {
		case DeliveryPendingApproval, DeliveryScheduled:
		case DeliveryCanceled:
			if p.Status != PostRejected {
				return fmt.Errorf("post %d was canceled: %w", p.ID, ErrWrongState)
			}
		default:
			return fmt.Errorf("delivery %d of post %d is already %s; a post that has started going out cannot be edited: %w",
				d.ID, p.ID, d.Status, ErrWrongState)
		}
	}
	return nil
}

func applyEdit(p *Post, e PostEdit) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.Title, e.Title)
	set(&p.Summary, e.Summary)
	set(&p.Body, e.Body)
	set(&p.Category, e.Category)
	set(&p.Audience, e.Audience)
	set(&p.Link, e.Link)
	set(&p.ImageURL, e.ImageURL)
	set(&p.Priority, e.Priority)
	if e.PublishAt != nil {
		p.PublishAt = e.PublishAt.UTC()
	}
	if e.Classification != nil {
		p.Classification = *e.Classification
	}
}

func (s *Store) saveEdit(tx *gorm.DB, p *Post, ds []Delivery, e PostEdit) error {
	now := s.nowUTC()
	postUpdates := map[string]any{
		"title": p.Title, "summary": p.Summary, "body": p.Body, "category": p.Category, "audience": p.Audience,
		"link": p.Link, "image_url": p.ImageURL, "priority": p.Priority, "publish_at": p.PublishAt,
		"reject_reason": "", "updated_at": now, "approved_by": 0, "approved_at": nil,
		"content_area": p.ContentArea, "audience_code": p.AudienceCode, "activity_id": p.ActivityID,
	}
	deliveryStatus := DeliveryPendingApproval
	if !e.NeedsApproval {
		deliveryStatus = DeliveryScheduled
		postUpdates["approved_by"], postUpdates["approved_at"] = e.Editor, now
	}
	if err := tx.Model(&Post{}).Where("id = ?", p.ID).Updates(postUpdates).Error; err != nil {
		return err
	}
	for i := range ds {
		ds[i].Status, ds[i].ScheduledAt = deliveryStatus, p.PublishAt
		ds[i].NextAttemptAt = maxTime(p.PublishAt, now)
	}
	return updateDeliveries(tx, ds, map[string]any{"status": deliveryStatus, "scheduled_at": p.PublishAt, "updated_at": now})
}

// lockPendingPost locks a post that must be waiting for approval.
func (s *Store) lockPendingPost(tx *gorm.DB, id int64) (Post, error) {
	p, err := s.lockPost(tx, id)
	if err == nil && p.Status != PostPendingApproval {
		err = fmt.Errorf("post %d is %s, not pending_approval: %w", id, p.Status, ErrWrongState)
	}
	return p, err
}

func (s *Store) lockPost(tx *gorm.DB, id int64) (Post, error) {
	q := s.forUpdate(tx)
	var p Post
	err := q.First(&p, id).Error
	return p, err
}

// transition sets the post's status and records who moved it from what to what.
func (s *Store) transition(tx *gorm.DB, p Post, to, actor, action, reason string) error {
	if err := tx.Model(&Post{}).Where("id = ?", p.ID).Update("status", to).Error; err != nil {
		return err
	}
	return s.audit(tx, AuditEvent{Actor: actor, EntityType: EntityPost, EntityID: p.ID,
		Action: action, FromStatus: p.Status, ToStatus: to, Detail: reason})
}

func translateState(err error, what string) error {
	if errors.Is(err, ErrWrongState) {
		return fmt.Errorf("storage: %s: %w", what, err)
	}
	return translate(err, what)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

package storage

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/loa-vn/loa/content"
)

// CreateDraft stores p as a draft: no deliveries, nothing queued, plan
// kept on it until it is submitted.
func (s *Store) CreateDraft(ctx context.Context, p *Post, plan DraftPlan, actor string) error {
	p.Status, p.DraftPlan = PostDraft, &plan
	p.PublishAt = p.PublishAt.UTC()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(p).Error; err != nil {
			return err
		}
		return s.audit(tx, AuditEvent{Actor: actor, EntityType: EntityPost, EntityID: p.ID,
			Action: "drafted", ToStatus: PostDraft})
	})
	return translate(err, "create draft")
}

// UpdateDraft replaces the text, settings, selector and plan of draft p.ID
// with p's; a post that is no longer a draft is ErrWrongState.
func (s *Store) UpdateDraft(ctx context.Context, p Post, plan DraftPlan, actor string) (Post, error) {
	var out Post
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cur, err := s.lockDraft(tx, p.ID)
		if err != nil {
			return err
		}
		cur.Title, cur.Summary, cur.Body, cur.Category, cur.Audience = p.Title, p.Summary, p.Body, p.Category, p.Audience
		cur.Link, cur.ImageURL, cur.Priority, cur.PublishAt = p.Link, p.ImageURL, p.Priority, p.PublishAt.UTC()
		cur.Selector, cur.DraftPlan, cur.UpdatedAt = p.Selector, &plan, s.nowUTC()
		cur.Classification = p.Classification
		if err := tx.Model(&cur).Select(draftColumns).Updates(&cur).Error; err != nil {
			return err
		}
		out = cur
		return s.audit(tx, AuditEvent{Actor: actor, EntityType: EntityPost, EntityID: p.ID,
			Action: "edited", FromStatus: PostDraft, ToStatus: PostDraft})
	})
	return out, translateState(err, "update draft")
}

// SubmitDraft turns draft p.ID into a post with p's content and one
// delivery per channel, as CreatePost makes a new one: the approval status
// in p decides, p.CreatedBy is the one submitting (who approves it when no
// approval is needed) and the draft's author stays its author. With slot, the
// publish time is chosen as CreatePostInSlot chooses it.
func (s *Store) SubmitDraft(ctx context.Context, p *Post, channelIDs []int64, variants map[int64]content.Variant, slot *SlotChoice, actor string) ([]Delivery, error) {
	var deliveries []Delivery
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		draft, err := s.lockDraft(tx, p.ID)
		if err != nil {
			return err
		}
		if slot != nil {
			if p.PublishAt, err = s.freeSlot(tx, *slot); err != nil {
				return err
			}
		}
		agencies, err := checkChannels(tx, channelIDs)
		if err != nil {
			return err
		}
		status := s.settleNewPost(p) // approved, if at all, by p.CreatedBy: the one submitting
		p.CreatedBy, p.AgencyID, p.CreatedAt, p.DraftPlan = draft.CreatedBy, draft.AgencyID, draft.CreatedAt, nil
		p.UpdatedAt = s.nowUTC()
		cols := append([]string{"status", "approved_by", "approved_at"}, draftColumns...)
		if err := tx.Model(p).Select(cols).Updates(p).Error; err != nil {
			return err
		}
		if deliveries, err = insertDeliveries(tx, p, channelIDs, agencies, variants, status); err != nil {
			return err
		}
		return s.audit(tx, AuditEvent{Actor: actor, EntityType: EntityPost, EntityID: p.ID,
			Action: "submitted", FromStatus: PostDraft, ToStatus: p.Status, Detail: createdDetail(p, channelIDs)})
	})
	switch {
	case errors.Is(err, ErrNoFreeSlot):
		return nil, err
	case errors.Is(err, ErrWrongState):
		return nil, translateState(err, "submit draft")
	}
	if err != nil {
		return nil, translateKeep(err, "submit draft")
	}
	return deliveries, nil
}

// draftColumns are the columns a draft's author changes.
var draftColumns = []string{"title", "summary", "body", "category", "audience", "link", "image_url", "priority",
	"publish_at", "targets", "draft_plan", "content_area", "audience_code", "activity_id", "updated_at"}

// lockDraft locks a post that must be a draft.
func (s *Store) lockDraft(tx *gorm.DB, id int64) (Post, error) {
	p, err := s.lockPost(tx, id)
	if err == nil && p.Status != PostDraft {
		err = fmt.Errorf("post %d is %s, not a draft: %w", id, p.Status, ErrWrongState)
	}
	return p, err
}

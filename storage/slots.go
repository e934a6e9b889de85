package storage

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/loa-vn/loa/content"
)

// ErrNoFreeSlot means every candidate time was already taken on a channel.
var ErrNoFreeSlot = errors.New("no free posting slot")

// SlotChoice asks CreatePostInSlot to publish at the first of Candidates
// (ascending) that no delivery already takes on any of Channels.
type SlotChoice struct {
	Channels   []int64
	Candidates []time.Time
}

// CreatePostInSlot is CreatePost with the publish time chosen inside the
// same transaction, while the slotted channels' rows are locked: two posts
// asking for the next slot of a channel at once get different slots.
func (s *Store) CreatePostInSlot(ctx context.Context, p *Post, channelIDs []int64, variants map[int64]content.Variant, slot SlotChoice, actor string) ([]Delivery, error) {
	var deliveries []Delivery
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		at, err := s.freeSlot(tx, slot)
		if err != nil {
			return err
		}
		p.PublishAt = at
		deliveries, err = s.createPostTx(tx, p, channelIDs, variants, actor)
		return err
	})
	if errors.Is(err, ErrNoFreeSlot) {
		return nil, err
	}
	if err != nil {
		return nil, translateKeep(err, "create post in a slot")
	}
	return deliveries, nil
}

// freeSlot locks the slotted channels (in id order, so two choosers cannot
// deadlock) and returns the first candidate none of them has taken.
func (s *Store) freeSlot(tx *gorm.DB, slot SlotChoice) (time.Time, error) {
	var locked []int64
	if err := s.forUpdate(tx).Model(&Channel{}).Where("id IN ?", slot.Channels).Order("id").
		Pluck("id", &locked).Error; err != nil {
		return time.Time{}, err
	}
	utc := make([]time.Time, len(slot.Candidates))
	for i, t := range slot.Candidates {
		utc[i] = t.UTC()
	}
	var taken []time.Time
	if err := tx.Model(&Delivery{}).
		Where("channel_id IN ? AND scheduled_at IN ? AND status <> ?", slot.Channels, utc, DeliveryCanceled).
		Pluck("scheduled_at", &taken).Error; err != nil {
		return time.Time{}, err
	}
	busy := make(map[time.Time]bool, len(taken))
	for _, t := range taken {
		busy[t.UTC()] = true
	}
	for _, t := range utc {
		if !busy[t] {
			return t, nil
		}
	}
	return time.Time{}, ErrNoFreeSlot
}

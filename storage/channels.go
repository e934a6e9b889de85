package storage

import (
	"context"
	"errors"

	"gorm.io/gorm"
)

// CreateChannel stores ch; a duplicate name or feed slug is ErrConflict.
func (s *Store) CreateChannel(ctx context.Context, ch *Channel, actor string) error {
	if ch.Status == "" {
		ch.Status = ChannelActive
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(ch).Error; err != nil {
			return err
		}
		return s.audit(tx, AuditEvent{Actor: actor, EntityType: EntityChannel, EntityID: ch.ID,
			Action: "created", ToStatus: ch.Status, Detail: ch.Kind + ": " + ch.Name})
	})
	return translate(err, "create channel")
}

// EditChannel applies fn to the channel while holding its row lock and
// saves the result (name, sealed config, feed slug, status). Holding the
// lock matters: an adapter may be rotating credentials in the same row.
// A name or slug that is taken is ErrConflict.
func (s *Store) EditChannel(ctx context.Context, id int64, actor string, fn func(ch *Channel) error) (Channel, error) {
	var ch Channel
	var fnErr error
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := s.forUpdate(tx)
		if err := q.First(&ch, id).Error; err != nil {
			return err
		}
		from := ch.Status
		if fnErr = fn(&ch); fnErr != nil {
			return fnErr
		}
		ch.UpdatedAt = s.nowUTC()
		if err := tx.Model(&Channel{}).Where("id = ?", id).Updates(map[string]any{
			"name": ch.Name, "config_sealed": ch.ConfigSealed, "feed_slug": ch.FeedSlug,
			"status": ch.Status, "status_reason": ch.StatusReason, "slots": ch.Slots, "updated_at": ch.UpdatedAt,
		}).Error; err != nil {
			return err
		}
		return s.audit(tx, AuditEvent{Actor: actor, EntityType: EntityChannel, EntityID: id,
			Action: "updated", FromStatus: from, ToStatus: ch.Status, Detail: ch.StatusReason})
	})
	if fnErr != nil && errors.Is(err, fnErr) {
		return ch, fnErr // the caller's own error, as it made it
	}
	return ch, translate(err, "edit channel")
}

// SetChannelStatus flags a channel, e.g. when its credentials need renewing.
func (s *Store) SetChannelStatus(ctx context.Context, id int64, status, reason, actor string) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var old Channel
		if err := tx.First(&old, id).Error; err != nil {
			return err
		}
		if old.Status == status && old.StatusReason == reason {
			return nil
		}
		if err := tx.Model(&Channel{}).Where("id = ?", id).Updates(map[string]any{
			"status": status, "status_reason": truncate(reason, 1000), "updated_at": s.nowUTC(),
		}).Error; err != nil {
			return err
		}
		return s.audit(tx, AuditEvent{Actor: actor, EntityType: EntityChannel, EntityID: id,
			Action: "status_changed", FromStatus: old.Status, ToStatus: status, Detail: reason})
	})
	return translate(err, "set channel status")
}

// ListChannels returns the channels of the agency's subtree (every
// channel for agency 0), oldest first.
func (s *Store) ListChannels(ctx context.Context, agency int64) ([]Channel, error) {
	var chs []Channel
	err := s.scoped(s.db.WithContext(ctx), agency).Order("id").Find(&chs).Error
	return chs, translate(err, "list channels")
}

// GetChannel returns one channel.
func (s *Store) GetChannel(ctx context.Context, id int64) (Channel, error) {
	var ch Channel
	err := s.db.WithContext(ctx).First(&ch, id).Error
	return ch, translate(err, "get channel")
}

// ChannelByFeedSlug returns the channel served at /feeds/{slug}.
func (s *Store) ChannelByFeedSlug(ctx context.Context, slug string) (Channel, error) {
	var ch Channel
	err := s.db.WithContext(ctx).Where("feed_slug = ?", slug).First(&ch).Error
	return ch, translate(err, "get channel by feed slug")
}

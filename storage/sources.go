package storage

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// EntitySource is the audit entity type of feed sources.
const EntitySource = "source"

// ErrBusy means another process holds the lease (it is polling the source now).
var ErrBusy = errors.New("busy")

// CreateSource stores a new active source, due for polling at once.
func (s *Store) CreateSource(ctx context.Context, src *Source, actor string) error {
	src.Status = SourceActive
	src.NextPollAt = s.nowUTC()
	if src.DigestUntil.IsZero() {
		src.DigestUntil = s.nowUTC()
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(src).Error; err != nil {
			return err
		}
		return s.audit(tx, AuditEvent{Actor: actor, EntityType: EntitySource, EntityID: src.ID,
			Action: "created", ToStatus: src.Status, Detail: src.Name + ": " + src.URL})
	})
	return translate(err, "create source")
}

// ListSources returns the sources of the agency's subtree (every source
// for agency 0), newest first.
func (s *Store) ListSources(ctx context.Context, agency int64) ([]Source, error) {
	var srcs []Source
	err := s.scoped(s.db.WithContext(ctx), agency).Order("id DESC").Find(&srcs).Error
	return srcs, translate(err, "list sources")
}

// GetSource returns one source.
func (s *Store) GetSource(ctx context.Context, id int64) (Source, error) {
	var src Source
	err := s.db.WithContext(ctx).First(&src, id).Error
	return src, translate(err, "get source")
}

// SetSourceStatus pauses or resumes a source.
func (s *Store) SetSourceStatus(ctx context.Context, id int64, status, actor string) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var src Source
		if err := tx.First(&src, id).Error; err != nil {
			return err
		}
		updates := map[string]any{"status": status, "updated_at": s.nowUTC()}
		if status == SourceActive {
			updates["next_poll_at"], updates["failures"] = s.nowUTC(), 0
		}
		if err := tx.Model(&Source{}).Where("id = ?", id).Updates(updates).Error; err != nil {
			return err
		}
		return s.audit(tx, AuditEvent{Actor: actor, EntityType: EntitySource, EntityID: id,
			Action: status, FromStatus: src.Status, ToStatus: status})
	})
	return translate(err, "set source status")
}

// ClaimDueSources takes the lease on up to limit active sources whose poll
// is due. Each is claimed by exactly one process.
func (s *Store) ClaimDueSources(ctx context.Context, lease time.Duration, limit int) ([]Source, error) {
	now := s.nowUTC()
	var due []Source
	err := s.db.WithContext(ctx).Where("status = ? AND next_poll_at <= ? AND (lease_until IS NULL OR lease_until < ?)",
		SourceActive, now, now).Order("next_poll_at").Limit(limit).Find(&due).Error
	if err != nil {
		return nil, translate(err, "find due sources")
	}
	var claimed []Source
	for _, src := range due {
		got, err := s.ClaimSource(ctx, src.ID, lease)
		if errors.Is(err, ErrBusy) {
			continue
		}
		if err != nil {
			return claimed, err
		}
		claimed = append(claimed, got)
	}
	return claimed, nil
}

// ClaimSource takes the lease on a source whatever its schedule ("check
// now"); ErrBusy if another process is polling it.
func (s *Store) ClaimSource(ctx context.Context, id int64, lease time.Duration) (Source, error) {
	now := s.nowUTC()
	res := s.db.WithContext(ctx).Model(&Source{}).
		Where("id = ? AND (lease_until IS NULL OR lease_until < ?)", id, now).
		Update("lease_until", now.Add(lease))
	if res.Error != nil {
		return Source{}, translate(res.Error, "claim source")
	}
	if res.RowsAffected == 0 {
		if _, err := s.GetSource(ctx, id); err != nil {
			return Source{}, err
		}
		return Source{}, ErrBusy
	}
	return s.GetSource(ctx, id)
}

// PollResult is what a poll changes on its source.
type PollResult struct {
	Poll         SourcePoll
	ETag         string
	LastModified string
	NextPollAt   time.Time
	Failures     int
	LastError    string
}

// RecordPoll logs a poll, updates the source and releases its lease.
func (s *Store) RecordPoll(ctx context.Context, id int64, r PollResult) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r.Poll.SourceID = id
		r.Poll.Error = truncate(r.Poll.Error, 2000)
		if err := tx.Create(&r.Poll).Error; err != nil {
			return err
		}
		return tx.Model(&Source{}).Where("id = ?", id).Updates(map[string]any{
			"etag": truncate(r.ETag, 400), "last_modified": truncate(r.LastModified, 100),
			"next_poll_at": r.NextPollAt.UTC(), "failures": r.Failures, "last_error": truncate(r.LastError, 2000),
			"last_polled_at": r.Poll.At.UTC(), "lease_until": nil, "updated_at": s.nowUTC(),
		}).Error
	})
	return translate(err, "record poll")
}

// AddSourceItem records a newly seen item and, when post is not nil, creates
// its post in the same transaction, so an item is never marked seen without
// its post. An item seen before reports created=false and changes nothing.
func (s *Store) AddSourceItem(ctx context.Context, item *SourceItem, post *Post, t Targets, actor string) ([]Delivery, bool, error) {
	var ds []Delivery
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&SourceItem{}).Where("source_id = ? AND key = ?", item.SourceID, item.Key).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrConflict
		}
		item.FirstSeenAt = s.nowUTC()
		if post != nil {
			var err error
			if ds, err = s.createPostTx(tx, post, t.ChannelIDs, t.Variants, actor); err != nil {
				return err
			}
			item.PostID = post.ID
		}
		return tx.Create(item).Error
	})
	if errors.Is(err, ErrConflict) || errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, translateKeep(err, "add source item")
	}
	return ds, true, nil
}

// SourceItemsSeen returns items first seen in [from, to), oldest first.
func (s *Store) SourceItemsSeen(ctx context.Context, id int64, from, to time.Time) ([]SourceItem, error) {
	var items []SourceItem
	err := s.db.WithContext(ctx).Where("source_id = ? AND first_seen_at >= ? AND first_seen_at < ? AND skipped = ''",
		id, from.UTC(), to.UTC()).Order("first_seen_at, id").Find(&items).Error
	return items, translate(err, "list seen items")
}

// RecentSourceItems returns the source's latest items.
func (s *Store) RecentSourceItems(ctx context.Context, id int64, limit int) ([]SourceItem, int64, error) {
	var items []SourceItem
	var total int64
	db := s.db.WithContext(ctx)
	if err := db.Model(&SourceItem{}).Where("source_id = ?", id).Count(&total).Error; err != nil {
		return nil, 0, translate(err, "count items")
	}
	err := db.Where("source_id = ?", id).Order("id DESC").Limit(limit).Find(&items).Error
	return items, total, translate(err, "list items")
}

// RecentPolls returns the source's latest polls, newest first.
func (s *Store) RecentPolls(ctx context.Context, id int64, limit int) ([]SourcePoll, error) {
	var polls []SourcePoll
	err := s.db.WithContext(ctx).Where("source_id = ?", id).Order("id DESC").Limit(limit).Find(&polls).Error
	return polls, translate(err, "list polls")
}

// CreateDigest creates the digest post of a source for digest time at,
// unless one exists; it then records that digests up to `at` are done.
func (s *Store) CreateDigest(ctx context.Context, p *Post, t Targets, actor string) ([]Delivery, bool, error) {
	var ds []Delivery
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if ds, err = s.createPostTx(tx, p, t.ChannelIDs, t.Variants, actor); err != nil {
			return err
		}
		return tx.Model(&Source{}).Where("id = ?", *p.SourceID).Update("digest_until", p.DigestAt.UTC()).Error
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, translateKeep(err, "create digest")
	}
	return ds, true, nil
}

// AdvanceDigest records that digests up to until are done (none was needed).
func (s *Store) AdvanceDigest(ctx context.Context, id int64, until time.Time) error {
	err := s.db.WithContext(ctx).Model(&Source{}).Where("id = ? AND digest_until < ?", id, until.UTC()).
		Update("digest_until", until.UTC()).Error
	return translate(err, "advance digest")
}

package storage

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// DeliveryFilter selects deliveries for listing, newest first.
type DeliveryFilter struct {
	// ID, when set, selects that one delivery (if it passes the rest).
	ID        int64
	PostID    int64
	ChannelID int64
	Status    string
	// Agency limits the list to deliveries to channels of this agency's
	// subtree; 0 lists every agency's.
	Agency int64
	// From and To, when set, keep deliveries scheduled at or after From and
	// before To.
	From, To time.Time
	// BeforeID pages on to older deliveries; AfterID back to newer ones
	// (the page just before BeforeID's first). The list is newest first
	// either way.
	BeforeID int64
	AfterID  int64
	Limit    int
}

// pastRange is how long before now a date range must end for
// ListDeliveries to read it by scheduled time rather than newest first.
const pastRange = 24 * time.Hour

// ListDeliveries returns one page of deliveries, newest first.
func (s *Store) ListDeliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error) {
	q, err := s.withinSubtree(ctx, s.db.WithContext(ctx).Model(&Delivery{}), f.Agency)
	if err != nil {
		return nil, err
	}
	for _, c := range []struct {
		on   bool
		cond string
		arg  any
	}{
		{f.ID > 0, "id = ?", f.ID},
		{f.PostID > 0, "post_id = ?", f.PostID},
		{f.ChannelID > 0, "channel_id = ?", f.ChannelID},
		{f.Status != "", "status = ?", f.Status},
		{!f.From.IsZero(), "scheduled_at >= ?", f.From.UTC()},
		{!f.To.IsZero(), "scheduled_at < ?", f.To.UTC()},
		{f.BeforeID > 0, "id < ?", f.BeforeID},
		{f.AfterID > 0, "id > ?", f.AfterID},
	} {
		if c.on {
			q = q.Where(c.cond, c.arg)
		}
	}
	// Ids grow with creation, not with scheduled time: for a range that
	// ended in the past, walking the ids down from the newest reads every
	// delivery made since (450,000 of 1,000,000 for a month half a year
	// back). Ordering by an expression makes the database read the range
	// through the scheduled-time indexes and sort that page instead. The
	// result is the same; only the plan differs.
	key := "id"
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(s.nowUTC().Add(-pastRange)) {
		key = "id + 0"
	}
	var ds []Delivery
	if f.AfterID > 0 {
		// The page just above AfterID: the nearest ones, then newest first.
		err := q.Order(key).Limit(f.Limit).Find(&ds).Error
		slices.Reverse(ds)
		return ds, translate(err, "list deliveries")
	}
	err = q.Order(key + " DESC").Limit(f.Limit).Find(&ds).Error
	return ds, translate(err, "list deliveries")
}

// AttemptsOf returns the attempts of these deliveries, oldest first,
// at most perDelivery of the latest ones for each.
func (s *Store) AttemptsOf(ctx context.Context, ids []int64, perDelivery int) (map[int64][]Attempt, error) {
	out := make(map[int64][]Attempt, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var as []Attempt
	if err := s.db.WithContext(ctx).Where("delivery_id IN ?", ids).Order("delivery_id, id DESC").Find(&as).Error; err != nil {
		return nil, translate(err, "list attempts")
	}
	for _, a := range as {
		if len(out[a.DeliveryID]) < perDelivery {
			out[a.DeliveryID] = append(out[a.DeliveryID], a)
		}
	}
	for id := range out {
		slices.Reverse(out[id])
	}
	return out, nil
}

// GetDelivery returns a delivery and its attempts, oldest first.
func (s *Store) GetDelivery(ctx context.Context, id int64) (Delivery, []Attempt, error) {
	var d Delivery
	if err := s.db.WithContext(ctx).First(&d, id).Error; err != nil {
		return Delivery{}, nil, translate(err, "get delivery")
	}
	var as []Attempt
	err := s.db.WithContext(ctx).Where("delivery_id = ?", id).Order("id").Find(&as).Error
	return d, as, translate(err, "get attempts")
}

// RetryDelivery re-queues a failed or unconfirmed delivery to go out now,
// with a fresh attempt budget, if allow (the caller's policy, given the
// delivery's status and its post's author under the row lock) returns nil;
// allow's error is returned as it is. Any other status is ErrConflict.
func (s *Store) RetryDelivery(ctx context.Context, id int64, allow func(status string, postAuthor int64) error, actor string) (Delivery, error) {
	var d Delivery
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.forUpdate(tx).First(&d, id).Error; err != nil {
			return err
		}
		if d.Status != DeliveryFailed && d.Status != DeliveryUnconfirmed {
			return fmt.Errorf("delivery %d is %s; only failed or unconfirmed deliveries can be retried: %w", id, d.Status, ErrConflict)
		}
		var p Post
		if err := tx.Select("id", "created_by").First(&p, d.PostID).Error; err != nil {
			return err
		}
		if err := allow(d.Status, p.CreatedBy); err != nil {
			return err
		}
		now := s.nowUTC()
		from := d.Status
		d.Status, d.NextAttemptAt, d.AttemptsBase, d.UpdatedAt = DeliveryScheduled, now, d.Attempts, now
		if err := tx.Model(&Delivery{}).Where("id = ?", id).Updates(map[string]any{
			"status": d.Status, "next_attempt_at": now, "attempts_base": d.Attempts,
			"uncertain": false, "updated_at": now,
		}).Error; err != nil {
			return err
		}
		if err := s.audit(tx, AuditEvent{Actor: actor, EntityType: EntityDelivery, EntityID: id,
			Action: "retry_requested", FromStatus: from, ToStatus: d.Status}); err != nil {
			return err
		}
		return s.refreshPostStatus(tx, d.PostID, actor, "retry_requested")
	})
	return d, translate(err, "retry delivery")
}

// Cancelable are the statuses of deliveries that have not started going
// out, which cancelling stops (CancelPost cancels the same).
var Cancelable = []string{DeliveryPendingApproval, DeliveryScheduled, DeliveryRetrying}

// CancelDelivery cancels one delivery that has not started going out, if
// allow (the caller's policy, given its post's author under the row lock)
// returns nil; allow's error is returned as it is. Any other status is
// ErrConflict, with the delivery as it is.
func (s *Store) CancelDelivery(ctx context.Context, id int64, allow func(postAuthor int64) error, actor string) (Delivery, error) {
	var d Delivery
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.forUpdate(tx).First(&d, id).Error; err != nil {
			return err
		}
		var p Post
		if err := tx.Select("id", "created_by").First(&p, d.PostID).Error; err != nil {
			return err
		}
		if err := allow(p.CreatedBy); err != nil {
			return err
		}
		if !slices.Contains(Cancelable, d.Status) {
			return fmt.Errorf("delivery %d is %s; only deliveries that have not started can be canceled: %w", id, d.Status, ErrConflict)
		}
		from, now := d.Status, s.nowUTC()
		d.Status, d.UpdatedAt = DeliveryCanceled, now
		if err := tx.Model(&Delivery{}).Where("id = ?", id).
			Updates(map[string]any{"status": d.Status, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := s.audit(tx, AuditEvent{Actor: actor, EntityType: EntityDelivery, EntityID: id,
			Action: "canceled", FromStatus: from, ToStatus: d.Status}); err != nil {
			return err
		}
		return s.refreshPostStatus(tx, d.PostID, actor, "canceled")
	})
	return d, translate(err, "cancel delivery")
}

// FeedEntry is a delivered post as a public feed shows it.
type FeedEntry struct {
	Delivery Delivery
	Post     Post
}

// FeedEntries returns the channel's delivered posts, most recently delivered first.
func (s *Store) FeedEntries(ctx context.Context, channelID int64, limit int) ([]FeedEntry, error) {
	var ds []Delivery
	err := s.db.WithContext(ctx).
		Where("channel_id = ? AND status = ?", channelID, DeliveryDelivered).
		Order("delivered_at DESC, id DESC").Limit(limit).Find(&ds).Error
	if err != nil {
		return nil, translate(err, "list feed deliveries")
	}
	return s.withPosts(ctx, ds)
}

// FeedEntry returns one delivered post of the channel.
func (s *Store) FeedEntry(ctx context.Context, channelID, deliveryID int64) (FeedEntry, error) {
	var d Delivery
	err := s.db.WithContext(ctx).
		Where("id = ? AND channel_id = ? AND status = ?", deliveryID, channelID, DeliveryDelivered).
		First(&d).Error
	if err != nil {
		return FeedEntry{}, translate(err, "get feed delivery")
	}
	entries, err := s.withPosts(ctx, []Delivery{d})
	if err != nil {
		return FeedEntry{}, err
	}
	return entries[0], nil
}

func (s *Store) withPosts(ctx context.Context, ds []Delivery) ([]FeedEntry, error) {
	ids := make([]int64, len(ds))
	for i, d := range ds {
		ids[i] = d.PostID
	}
	var ps []Post
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&ps).Error; err != nil {
		return nil, translate(err, "list feed posts")
	}
	byID := make(map[int64]Post, len(ps))
	for _, p := range ps {
		byID[p.ID] = p
	}
	entries := make([]FeedEntry, 0, len(ds))
	for _, d := range ds {
		if p, ok := byID[d.PostID]; ok {
			entries = append(entries, FeedEntry{Delivery: d, Post: p})
		}
	}
	return entries, nil
}

// DueDelivery is a delivery that must have a task in the queue.
type DueDelivery struct {
	ID     int64
	Status string
	DueAt  time.Time
}

// UnfinishedDeliveries returns, by ascending id after afterID, deliveries
// that are scheduled, retrying or sending, with the time their task is due.
func (s *Store) UnfinishedDeliveries(ctx context.Context, afterID int64, limit int) ([]DueDelivery, error) {
	var ds []Delivery
	err := s.db.WithContext(ctx).Select("id", "status", "next_attempt_at", "lease_until").
		Where("id > ? AND status IN ?", afterID, []string{DeliveryScheduled, DeliveryRetrying, DeliverySending}).
		Order("id").Limit(limit).Find(&ds).Error
	if err != nil {
		return nil, translate(err, "list unfinished deliveries")
	}
	out := make([]DueDelivery, len(ds))
	for i, d := range ds {
		due := d.NextAttemptAt
		if d.Status == DeliverySending && d.LeaseUntil != nil {
			due = *d.LeaseUntil
		}
		out[i] = DueDelivery{ID: d.ID, Status: d.Status, DueAt: due}
	}
	return out, nil
}

// DeliveredTo returns the channel's delivered posts whose external id is
// externalID (for radio, an edition key), oldest first.
func (s *Store) DeliveredTo(ctx context.Context, channelID int64, externalID string) ([]FeedEntry, error) {
	var ds []Delivery
	err := s.db.WithContext(ctx).
		Where("channel_id = ? AND status = ? AND external_id = ?", channelID, DeliveryDelivered, externalID).
		Order("id").Find(&ds).Error
	if err != nil {
		return nil, translate(err, "list deliveries by external id")
	}
	return s.withPosts(ctx, ds)
}

// DeliveriesBetween returns the deliveries to channels of the agency's
// subtree (every agency for 0) scheduled in [from, to), by time, at most
// limit of them.
func (s *Store) DeliveriesBetween(ctx context.Context, agency int64, from, to time.Time, limit int) ([]FeedEntry, error) {
	q, err := s.withinSubtree(ctx, s.db.WithContext(ctx), agency)
	if err != nil {
		return nil, err
	}
	var ds []Delivery
	err = q.Where("scheduled_at >= ? AND scheduled_at < ?", from.UTC(), to.UTC()).
		Order("scheduled_at, id").Limit(limit).Find(&ds).Error
	if err != nil {
		return nil, translate(err, "list deliveries in window")
	}
	return s.withPosts(ctx, ds)
}

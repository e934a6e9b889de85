package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Notification kinds: what a user is told about.
const (
	NotifyPostPending         = "post_pending"
	NotifyDeliveryFailed      = "delivery_failed"
	NotifyDeliveryUnconfirmed = "delivery_unconfirmed"
	NotifyChannelReauth       = "channel_reauth"
)

// Notification is something that needs a user: a post to approve, a
// delivery that failed or is unconfirmed, a channel to re-authorise.
// Event names the occurrence ("attempt:12", "audit:40"): one event gives a
// user one notification, however often it is scanned.
type Notification struct {
	ID              int64
	UserID          int64
	Kind            string
	SubjectID       int64
	Event           string
	Text            string
	CreatedAt       time.Time
	ReadAt          *time.Time
	EmailedAt       *time.Time
	EmailAttempts   int
	EmailLeaseUntil *time.Time
}

// Notifier sources: the notifier reads each by time, then id.
const (
	SourceAttempts = "attempts"
	SourceAudit    = "audit"
)

// NotifierMark is how far the notifier has read a source: every row at
// or before (At, LastID) has been turned into notifications.
type NotifierMark struct {
	Source string `gorm:"primaryKey"`
	At     time.Time
	LastID int64
}

// GetNotifierMark returns the source's mark; found is false before the
// first save.
func (s *Store) GetNotifierMark(ctx context.Context, source string) (m NotifierMark, found bool, err error) {
	var ms []NotifierMark
	err = s.db.WithContext(ctx).Where("source = ?", source).Limit(1).Find(&ms).Error
	if err != nil || len(ms) == 0 {
		return NotifierMark{Source: source}, false, translate(err, "get notifier mark")
	}
	return ms[0], true, nil
}

// SaveNotifications adds ns, skipping any a user already has for the
// same event, and moves the source's mark, in one transaction: a crash
// leaves either both or neither, so nothing is lost or told twice. It
// returns how many notifications were new.
func (s *Store) SaveNotifications(ctx context.Context, ns []Notification, mark NotifierMark) (int, error) {
	added := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.nowUTC()
		for i := range ns {
			ns[i].ID, ns[i].CreatedAt = 0, now
			ns[i].Text = truncate(ns[i].Text, 1000)
		}
		if len(ns) > 0 {
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&ns, 100)
			if res.Error != nil {
				return res.Error
			}
			added = int(res.RowsAffected)
		}
		mark.At = mark.At.UTC()
		return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "source"}},
			DoUpdates: clause.AssignmentColumns([]string{"at", "last_id"})}).Create(&mark).Error
	})
	return added, translate(err, "save notifications")
}

// afterMark limits q to rows whose (column, id) is after the mark, and at
// or before upTo, in that order.
func afterMark(q *gorm.DB, column string, m NotifierMark, upTo time.Time) *gorm.DB {
	at := m.At.UTC()
	return q.Where("("+column+" > ? OR ("+column+" = ? AND id > ?)) AND "+column+" <= ?", at, at, m.LastID, upTo.UTC()).
		Order(column + ", id")
}

// FinishedBadAttempts returns attempts that left their delivery failed or
// unconfirmed, finished after the mark and at or before upTo, oldest first.
func (s *Store) FinishedBadAttempts(ctx context.Context, m NotifierMark, upTo time.Time, limit int) ([]Attempt, error) {
	var as []Attempt
	q := s.db.WithContext(ctx).Where("outcome IN ? AND finished_at IS NOT NULL", []string{OutcomeFailed, OutcomeUnconfirmed})
	err := afterMark(q, "finished_at", m, upTo).Limit(limit).Find(&as).Error
	return as, translate(err, "list failed attempts")
}

// AuditSince returns audit events after the mark and at or before upTo,
// oldest first.
func (s *Store) AuditSince(ctx context.Context, m NotifierMark, upTo time.Time, limit int) ([]AuditEvent, error) {
	var es []AuditEvent
	err := afterMark(s.db.WithContext(ctx), "at", m, upTo).Limit(limit).Find(&es).Error
	return es, translate(err, "list audit events")
}

// DeliveriesByID returns the deliveries with these ids, by id.
func (s *Store) DeliveriesByID(ctx context.Context, ids []int64) (map[int64]Delivery, error) {
	out := make(map[int64]Delivery, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var ds []Delivery
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&ds).Error; err != nil {
		return nil, translate(err, "get deliveries")
	}
	for _, d := range ds {
		out[d.ID] = d
	}
	return out, nil
}

// ChannelsByID returns the channels with these ids, by id.
func (s *Store) ChannelsByID(ctx context.Context, ids []int64) (map[int64]Channel, error) {
	out := make(map[int64]Channel, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var chs []Channel
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&chs).Error; err != nil {
		return nil, translate(err, "get channels")
	}
	for _, ch := range chs {
		out[ch.ID] = ch
	}
	return out, nil
}

// maxAgencyUsers bounds the users one event is offered to.
const maxAgencyUsers = 5000

// UsersInAgencies returns the enabled users of these agencies (not of
// the agencies beneath them), by id.
func (s *Store) UsersInAgencies(ctx context.Context, agencies []int64) ([]User, error) {
	var us []User
	err := s.db.WithContext(ctx).Where("agency_id IN ? AND disabled_at IS NULL", agencies).
		Order("id").Limit(maxAgencyUsers).Find(&us).Error
	return us, translate(err, "list users of agencies")
}

// ListNotifications returns one page of the user's notifications, newest
// first, before the id beforeID (0: from the newest).
func (s *Store) ListNotifications(ctx context.Context, userID, beforeID int64, limit int) ([]Notification, error) {
	q := s.db.WithContext(ctx).Where("user_id = ?", userID)
	if beforeID > 0 {
		q = q.Where("id < ?", beforeID)
	}
	var ns []Notification
	err := q.Order("id DESC").Limit(limit).Find(&ns).Error
	return ns, translate(err, "list notifications")
}

// CountUnread counts the user's unread notifications, up to limit.
func (s *Store) CountUnread(ctx context.Context, userID int64, limit int) (int, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", userID).
		Limit(limit).Pluck("id", &ids).Error
	return len(ids), translate(err, "count unread notifications")
}

// MarkNotificationsRead marks the user's notifications with these ids
// read (all of the user's unread ones when ids is nil); another user's ids
// are left alone. It returns how many changed.
func (s *Store) MarkNotificationsRead(ctx context.Context, userID int64, ids []int64) (int, error) {
	q := s.db.WithContext(ctx).Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", userID)
	if ids != nil {
		if len(ids) == 0 {
			return 0, nil
		}
		q = q.Where("id IN ?", ids)
	}
	res := q.Update("read_at", s.nowUTC())
	return int(res.RowsAffected), translate(res.Error, "mark notifications read")
}

// Mail is a notification to e-mail, with its user's address.
type Mail struct {
	Notification
	UserName string
	Email    string
}

// ClaimUnsentMail takes up to limit notifications created since `since`
// that are not yet e-mailed, whose user has an address and which have had
// fewer than maxAttempts tries, and leases each to the caller for lease,
// so two mailers never send the same one at once.
func (s *Store) ClaimUnsentMail(ctx context.Context, since time.Time, maxAttempts, limit int, lease time.Duration) ([]Mail, error) {
	now := s.nowUTC()
	var rows []Mail
	err := s.db.WithContext(ctx).Table("notifications n").
		Select("n.*, u.name AS user_name, u.email AS email").
		Joins("JOIN users u ON u.id = n.user_id").
		Where("n.emailed_at IS NULL AND n.email_attempts < ? AND n.created_at >= ?", maxAttempts, since.UTC()).
		Where("(n.email_lease_until IS NULL OR n.email_lease_until < ?)", now).
		Where("u.email <> '' AND u.disabled_at IS NULL").
		Order("n.id").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "list unsent mail")
	}
	claimed := rows[:0]
	for _, r := range rows {
		res := s.db.WithContext(ctx).Model(&Notification{}).
			Where("id = ? AND emailed_at IS NULL AND (email_lease_until IS NULL OR email_lease_until < ?)", r.ID, now).
			Updates(map[string]any{"email_lease_until": now.Add(lease), "email_attempts": gorm.Expr("email_attempts + 1")})
		if res.Error != nil {
			return nil, translate(res.Error, fmt.Sprintf("claim mail of notification %d", r.ID))
		}
		if res.RowsAffected == 1 {
			claimed = append(claimed, r)
		}
	}
	return claimed, nil
}

// MarkEmailed records that the notification was e-mailed.
func (s *Store) MarkEmailed(ctx context.Context, id int64) error {
	err := s.db.WithContext(ctx).Model(&Notification{}).Where("id = ?", id).
		Updates(map[string]any{"emailed_at": s.nowUTC(), "email_lease_until": nil}).Error
	return translate(err, "mark notification e-mailed")
}

// PostsByID returns the posts with these ids (without their bodies), by id.
func (s *Store) PostsByID(ctx context.Context, ids []int64) (map[int64]Post, error) {
	out := make(map[int64]Post, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var ps []Post
	err := s.db.WithContext(ctx).Select("id", "title", "status", "created_by", "agency_id").Where("id IN ?", ids).Find(&ps).Error
	if err != nil {
		return nil, translate(err, "get posts")
	}
	for _, p := range ps {
		out[p.ID] = p
	}
	return out, nil
}

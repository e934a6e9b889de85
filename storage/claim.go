package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ErrNothingToDo means the delivery is finished or canceled: its task can be dropped.
var ErrNothingToDo = errors.New("delivery has nothing left to do")

// ErrLeaseLost means another worker took the delivery over; the result of
// this attempt was not recorded.
var ErrLeaseLost = errors.New("delivery lease lost")

// NotDueError means the delivery must not be attempted before At (it is
// scheduled later, or another worker holds it until then).
type NotDueError struct {
	At     time.Time
	Reason string
}

func (e *NotDueError) Error() string {
	return fmt.Sprintf("delivery not due until %s: %s", e.At.Format(time.RFC3339), e.Reason)
}

// Claim is a delivery a worker holds the lease on, with what it needs to send it.
type Claim struct {
	Delivery Delivery
	Post     Post
	Channel  Channel
	Attempt  Attempt
	// Uncertain is set when an earlier attempt may have reached the platform
	// (its worker stopped mid-send, or the platform did not answer).
	Uncertain bool
}

// earlyTolerance lets a task that fires a moment before its due time run.
const earlyTolerance = time.Second

// ClaimDelivery takes the lease on delivery id for leaseFor, starts a new
// attempt and returns everything the attempt needs. It fails with
// *NotDueError, ErrNothingToDo or ErrNotFound when there is nothing to send now.
func (s *Store) ClaimDelivery(ctx context.Context, id int64, token string, leaseFor time.Duration) (Claim, error) {
	var c Claim
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		d, err := s.lockDelivery(tx, id)
		if err != nil {
			return err
		}
		now := s.nowUTC()
		if err := claimable(d, now); err != nil {
			return err
		}
		c.Uncertain = d.Uncertain || d.Status == DeliverySending
		if d.Status == DeliverySending {
			if err := tx.Model(&Attempt{}).
				Where("delivery_id = ? AND outcome = ?", id, OutcomeSending).
				Updates(map[string]any{"outcome": OutcomeInterrupted, "finished_at": now,
					"error": "worker stopped while sending; the platform may have received it"}).Error; err != nil {
				return err
			}
		}
		lease := now.Add(leaseFor)
		d.Status, d.Attempts, d.LeaseToken, d.LeaseUntil, d.UpdatedAt = DeliverySending, d.Attempts+1, token, &lease, now
		d.Uncertain = c.Uncertain
		if err := tx.Model(&Delivery{}).Where("id = ?", id).Updates(map[string]any{
			"status": d.Status, "attempts": d.Attempts, "lease_token": token, "lease_until": lease,
			"uncertain": d.Uncertain, "updated_at": now,
		}).Error; err != nil {
			return err
		}
		c.Attempt = Attempt{DeliveryID: id, Number: d.Attempts, StartedAt: now, Outcome: OutcomeSending}
		if err := tx.Create(&c.Attempt).Error; err != nil {
			return err
		}
		c.Delivery = d
		if err := tx.First(&c.Post, d.PostID).Error; err != nil {
			return fmt.Errorf("post %d: %w", d.PostID, err)
		}
		if err := tx.First(&c.Channel, d.ChannelID).Error; err != nil {
			return fmt.Errorf("channel %d: %w", d.ChannelID, err)
		}
		return nil
	})
	if err != nil {
		var nd *NotDueError
		if errors.As(err, &nd) || errors.Is(err, ErrNothingToDo) {
			return Claim{}, err
		}
		return Claim{}, translate(err, fmt.Sprintf("claim delivery %d", id))
	}
	return c, nil
}

func (s *Store) lockDelivery(tx *gorm.DB, id int64) (Delivery, error) {
	q := s.forUpdate(tx)
	var d Delivery
	err := q.First(&d, id).Error
	return d, err
}

func claimable(d Delivery, now time.Time) error {
	switch d.Status {
	case DeliveryScheduled, DeliveryRetrying:
		if d.NextAttemptAt.After(now.Add(earlyTolerance)) {
			return &NotDueError{At: d.NextAttemptAt, Reason: "scheduled later"}
		}
		return nil
	case DeliverySending:
		if d.LeaseUntil != nil && d.LeaseUntil.After(now) {
			return &NotDueError{At: *d.LeaseUntil, Reason: "another worker is sending it"}
		}
		return nil
	}
	return ErrNothingToDo
}

// Result is how an attempt ended.
type Result struct {
	// Status is the delivery's next status: delivered, retrying, failed or unconfirmed.
	Status string
	// Outcome is the attempt's outcome (see the Outcome constants).
	Outcome       string
	Error         string
	HTTPStatus    int
	ExternalID    string
	ExternalURL   string
	NextAttemptAt time.Time
	Duration      time.Duration
	// Uncertain carries forward that the platform may already hold the message.
	Uncertain bool
}

// FinishAttempt records the result of the attempt c started. If another
// worker has taken the delivery over meanwhile, it records nothing and
// returns ErrLeaseLost.
func (s *Store) FinishAttempt(ctx context.Context, c Claim, r Result) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.nowUTC()
		updates := map[string]any{
			"status": r.Status, "last_error": truncate(r.Error, 2000),
			"lease_token": "", "lease_until": nil, "uncertain": r.Uncertain, "updated_at": now,
		}
		switch r.Status {
		case DeliveryDelivered:
			updates["delivered_at"] = now
			updates["external_id"] = truncate(r.ExternalID, 400)
			updates["external_url"] = truncate(r.ExternalURL, 2000)
		case DeliveryRetrying:
			updates["next_attempt_at"] = r.NextAttemptAt.UTC().Truncate(time.Millisecond)
		}
		res := tx.Model(&Delivery{}).
			Where("id = ? AND status = ? AND lease_token = ?", c.Delivery.ID, DeliverySending, c.Delivery.LeaseToken).
			Updates(updates)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrLeaseLost
		}
		if err := tx.Model(&Attempt{}).Where("id = ?", c.Attempt.ID).Updates(map[string]any{
			"finished_at": now, "outcome": r.Outcome, "http_status": r.HTTPStatus,
			"error": truncate(r.Error, 2000), "duration_ms": r.Duration.Milliseconds(),
		}).Error; err != nil {
			return err
		}
		if r.Status == DeliveryRetrying {
			return nil
		}
		return s.refreshPostStatus(tx, c.Delivery.PostID, "system:worker", "delivery_"+r.Status)
	})
	if errors.Is(err, ErrLeaseLost) {
		return err
	}
	return translate(err, fmt.Sprintf("finish attempt on delivery %d", c.Delivery.ID))
}

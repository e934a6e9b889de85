package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
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
	out := s.ClaimDeliveries(ctx, []int64{id}, token, leaseFor)
	return out[0].Claim, out[0].Err
}

// ClaimOutcome is what claiming one delivery of a batch gave: the claim,
// or why there is none (see ClaimDelivery).
type ClaimOutcome struct {
	Claim Claim
	Err   error
}

// MaxClaimBatch is the most deliveries one ClaimDeliveries or
// FinishAttempts call takes.
const MaxClaimBatch = 200

// ClaimDeliveries is ClaimDelivery for many deliveries in one transaction
// (one commit, so one disk flush, for all): out[i] is the outcome for
// ids[i]. Every claim of the batch holds the same lease token. If the
// batch cannot be written as a whole, each delivery is claimed on its own,
// so one bad row cannot fail the others.
func (s *Store) ClaimDeliveries(ctx context.Context, ids []int64, token string, leaseFor time.Duration) []ClaimOutcome {
	if len(ids) > MaxClaimBatch {
		panic(fmt.Sprintf("storage: ClaimDeliveries takes at most %d deliveries", MaxClaimBatch))
	}
	out := make([]ClaimOutcome, len(ids))
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return s.claimBatch(tx, ids, token, leaseFor, out)
	})
	if err == nil {
		return out
	}
	if len(ids) == 1 {
		out[0] = ClaimOutcome{Err: translate(err, fmt.Sprintf("claim delivery %d", ids[0]))}
		return out
	}
	for i, id := range ids {
		out[i] = s.ClaimDeliveries(ctx, []int64{id}, token, leaseFor)[0]
	}
	return out
}

// claimBatch claims, under row locks taken in id order (so two batches
// cannot deadlock), every delivery of ids that can go out now, and writes
// each one's outcome to out.
func (s *Store) claimBatch(tx *gorm.DB, ids []int64, token string, leaseFor time.Duration, out []ClaimOutcome) error {
	var locked []Delivery
	if err := s.forUpdate(tx).Where("id IN ?", ids).Order("id").Find(&locked).Error; err != nil {
		return err
	}
	byID := make(map[int64]Delivery, len(locked))
	for _, d := range locked {
		byID[d.ID] = d
	}
	now := s.nowUTC()
	lease := now.Add(leaseFor)
	var interrupted, uncertain, certain []int64
	claimed := make(map[int64]int, len(ids)) // delivery id -> index in attempts
	var attempts []Attempt
	for i, id := range ids {
		d, ok := byID[id]
		if !ok {
			out[i].Err = translate(gorm.ErrRecordNotFound, fmt.Sprintf("claim delivery %d", id))
			continue
		}
		if err := claimable(d, now); err != nil {
			out[i].Err = err
			continue
		}
		if _, dup := claimed[id]; dup {
			out[i].Err = &NotDueError{At: lease, Reason: "claimed twice in one batch"}
			continue
		}
		if d.Status == DeliverySending {
			interrupted = append(interrupted, id)
		}
		d.Uncertain = d.Uncertain || d.Status == DeliverySending
		if d.Uncertain {
			uncertain = append(uncertain, id)
		} else {
			certain = append(certain, id)
		}
		d.Status, d.Attempts, d.LeaseToken, d.LeaseUntil, d.UpdatedAt = DeliverySending, d.Attempts+1, token, &lease, now
		byID[id] = d
		claimed[id] = len(attempts)
		attempts = append(attempts, Attempt{DeliveryID: id, Number: d.Attempts, StartedAt: now, Outcome: OutcomeSending})
	}
	if len(attempts) == 0 {
		return nil
	}
	if len(interrupted) > 0 {
		if err := tx.Model(&Attempt{}).
			Where("delivery_id IN ? AND outcome = ?", interrupted, OutcomeSending).
			Updates(map[string]any{"outcome": OutcomeInterrupted, "finished_at": now,
				"error": "worker stopped while sending; the platform may have received it"}).Error; err != nil {
			return err
		}
	}
	for _, group := range []struct {
		ids       []int64
		uncertain bool
	}{{uncertain, true}, {certain, false}} {
		if len(group.ids) == 0 {
			continue
		}
		if err := tx.Model(&Delivery{}).Where("id IN ?", group.ids).Updates(map[string]any{
			"status": DeliverySending, "attempts": gorm.Expr("attempts + 1"), "lease_token": token,
			"lease_until": lease, "uncertain": group.uncertain, "updated_at": now,
		}).Error; err != nil {
			return err
		}
	}
	if err := tx.Create(&attempts).Error; err != nil {
		return err
	}
	posts, channels, err := s.claimParts(tx, byID, claimed)
	if err != nil {
		return err
	}
	for i, id := range ids {
		at, ok := claimed[id]
		if !ok || out[i].Err != nil {
			continue
		}
		d := byID[id]
		p, okP := posts[d.PostID]
		ch, okC := channels[d.ChannelID]
		if !okP || !okC {
			return fmt.Errorf("delivery %d: post %d or channel %d: %w", id, d.PostID, d.ChannelID, gorm.ErrRecordNotFound)
		}
		out[i].Claim = Claim{Delivery: d, Post: p, Channel: ch, Attempt: attempts[at], Uncertain: d.Uncertain}
	}
	return nil
}

// claimParts reads the posts and channels of the claimed deliveries.
func (s *Store) claimParts(tx *gorm.DB, byID map[int64]Delivery, claimed map[int64]int) (map[int64]Post, map[int64]Channel, error) {
	postIDs := make([]int64, 0, len(claimed))
	channelIDs := make([]int64, 0, len(claimed))
	for id := range claimed {
		postIDs = append(postIDs, byID[id].PostID)
		channelIDs = append(channelIDs, byID[id].ChannelID)
	}
	var ps []Post
	if err := tx.Where("id IN ?", uniq(postIDs)).Find(&ps).Error; err != nil {
		return nil, nil, err
	}
	var cs []Channel
	if err := tx.Where("id IN ?", uniq(channelIDs)).Find(&cs).Error; err != nil {
		return nil, nil, err
	}
	posts := make(map[int64]Post, len(ps))
	for _, p := range ps {
		posts[p.ID] = p
	}
	channels := make(map[int64]Channel, len(cs))
	for _, c := range cs {
		channels[c.ID] = c
	}
	return posts, channels, nil
}

// uniq returns ids sorted, without repeats.
func uniq(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
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
	return s.FinishAttempts(ctx, []Finished{{Claim: c, Result: r}})[0]
}

// Finished is an attempt's claim and how it ended.
type Finished struct {
	Claim  Claim
	Result Result
}

// FinishAttempts is FinishAttempt for many attempts in one transaction:
// errs[i] is the outcome for fs[i]. If the batch cannot be written as a
// whole, each is recorded on its own, so one bad row cannot fail the others.
func (s *Store) FinishAttempts(ctx context.Context, fs []Finished) []error {
	if len(fs) > MaxClaimBatch {
		panic(fmt.Sprintf("storage: FinishAttempts takes at most %d attempts", MaxClaimBatch))
	}
	errs := make([]error, len(fs))
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return s.finishBatch(tx, fs, errs)
	})
	if err == nil {
		return errs
	}
	if len(fs) == 1 {
		errs[0] = translate(err, fmt.Sprintf("finish attempt on delivery %d", fs[0].Claim.Delivery.ID))
		return errs
	}
	for i := range fs {
		errs[i] = s.FinishAttempts(ctx, fs[i:i+1])[0]
	}
	return errs
}

// finishBatch writes every result whose attempt still holds its lease in
// a few set-based statements, then refreshes the status of every post
// whose delivery ended. Row locks are taken in delivery id order, the
// order claims lock in, so batches cannot deadlock.
func (s *Store) finishBatch(tx *gorm.DB, fs []Finished, errs []error) error {
	ids := make([]int64, len(fs))
	for i, f := range fs {
		ids[i] = f.Claim.Delivery.ID
	}
	var held []Delivery
	if err := s.forUpdate(tx).Select("id", "status", "lease_token").Where("id IN ?", ids).Order("id").Find(&held).Error; err != nil {
		return err
	}
	token := make(map[int64]string, len(held))
	for _, d := range held {
		if d.Status == DeliverySending {
			token[d.ID] = d.LeaseToken
		}
	}
	now := s.nowUTC()
	var keep []Finished
	refresh := map[int64]string{}
	for i, f := range fs {
		t, ok := token[f.Claim.Delivery.ID]
		if !ok || t != f.Claim.Delivery.LeaseToken {
			errs[i] = ErrLeaseLost
			continue
		}
		delete(token, f.Claim.Delivery.ID) // the same delivery twice: only the first counts
		keep = append(keep, f)
		if f.Result.Status != DeliveryRetrying {
			refresh[f.Claim.Delivery.PostID] = "delivery_" + f.Result.Status
		}
	}
	if len(keep) == 0 {
		return nil
	}
	if err := s.writeResults(tx, keep, now); err != nil {
		return err
	}
	return s.refreshPostStatuses(tx, refresh, "system:worker")
}

// writeResults updates the deliveries and attempts of fs, one statement each.
func (s *Store) writeResults(tx *gorm.DB, fs []Finished, now time.Time) error {
	deliveries := make([][]any, len(fs))
	attempts := make([][]any, len(fs))
	for i, f := range fs {
		r := f.Result
		next := now
		if r.Status == DeliveryRetrying {
			next = r.NextAttemptAt.UTC().Truncate(time.Millisecond)
		}
		deliveries[i] = []any{f.Claim.Delivery.ID, r.Status, truncate(r.Error, 2000), r.Uncertain,
			truncate(r.ExternalID, 400), truncate(r.ExternalURL, 2000), next}
		attempts[i] = []any{f.Claim.Attempt.ID, r.Outcome, r.HTTPStatus, truncate(r.Error, 2000), r.Duration.Milliseconds()}
	}
	cte, args := s.valuesCTE([]valuesColumn{{"id", "bigint"}, {"status", "text"}, {"last_error", "text"},
		{"uncertain", "boolean"}, {"external_id", "text"}, {"external_url", "text"}, {"next_attempt_at", "timestamptz"}}, deliveries)
	err := tx.Exec(cte+` UPDATE deliveries SET status = v.status, last_error = v.last_error,
		uncertain = v.uncertain, lease_token = '', lease_until = NULL, updated_at = ?,
		delivered_at = CASE WHEN v.status = ? THEN ? ELSE deliveries.delivered_at END,
		external_id = CASE WHEN v.status = ? THEN v.external_id ELSE deliveries.external_id END,
		external_url = CASE WHEN v.status = ? THEN v.external_url ELSE deliveries.external_url END,
		next_attempt_at = CASE WHEN v.status = ? THEN v.next_attempt_at ELSE deliveries.next_attempt_at END
		FROM v WHERE deliveries.id = v.id`,
		append(args, now, DeliveryDelivered, now, DeliveryDelivered, DeliveryDelivered, DeliveryRetrying)...).Error
	if err != nil {
		return err
	}
	cte, args = s.valuesCTE([]valuesColumn{{"id", "bigint"}, {"outcome", "text"}, {"http_status", "bigint"},
		{"error", "text"}, {"duration_ms", "bigint"}}, attempts)
	return tx.Exec(cte+` UPDATE attempts SET finished_at = ?, outcome = v.outcome, http_status = v.http_status,
		"error" = v."error", duration_ms = v.duration_ms FROM v WHERE attempts.id = v.id`, append(args, now)...).Error
}

// valuesColumn is a column of valuesCTE's table and its PostgreSQL type.
type valuesColumn struct{ name, pgType string }

// valuesCTE renders rows as a common table expression "v", for one
// statement that updates many rows each with its own values. PostgreSQL
// is told each value's type; SQLite needs no casts.
func (s *Store) valuesCTE(cols []valuesColumn, rows [][]any) (string, []any) {
	var b strings.Builder
	b.WriteString("WITH v(")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`"` + c.name + `"`)
	}
	b.WriteString(") AS (VALUES ")
	args := make([]any, 0, len(rows)*len(cols))
	for i, row := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(")
		for j, c := range cols {
			if j > 0 {
				b.WriteString(", ")
			}
			if s.dialect == dialectPostgres {
				b.WriteString("CAST(? AS " + c.pgType + ")")
			} else {
				b.WriteString("?")
			}
		}
		b.WriteString(")")
		args = append(args, row...)
	}
	b.WriteString(")")
	return b.String(), args
}

// ReleaseClaims gives up the leases of claims whose attempts are still
// running when their worker stops, so that the next worker takes them over
// at once instead of after the lease; it treats each as an attempt that
// may have landed. A claim already finished or taken over is left alone.
func (s *Store) ReleaseClaims(ctx context.Context, cs []Claim) error {
	if len(cs) == 0 {
		return nil
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.nowUTC()
		for _, c := range cs {
			if err := tx.Model(&Delivery{}).
				Where("id = ? AND status = ? AND lease_token = ?", c.Delivery.ID, DeliverySending, c.Delivery.LeaseToken).
				Updates(map[string]any{"lease_until": now, "uncertain": true, "updated_at": now}).Error; err != nil {
				return err
			}
		}
		return nil
	})
	return translate(err, "release claims")
}

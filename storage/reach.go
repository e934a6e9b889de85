package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Reach is read on a slow schedule of offsets from each delivery's
// delivered_at (the worker's, e.g. 1 h, 1 day, 7 days, 30 days). Storage
// follows the schedule it is given: which read is next, when, and which
// worker holds it.

// ReachValue is one metric's latest value and when it was read.
type ReachValue struct {
	Value  int64
	ReadAt time.Time
}

// DeliveryReach is what is known of one delivery's reach.
type DeliveryReach struct {
	// Metrics holds each metric the platform reported, by name ("reach",
	// "views", "impressions"); nil when it reported none: absent, not zero.
	Metrics map[string]ReachValue
	// CheckedAt is when reach was last read, whatever came of it.
	CheckedAt *time.Time
	// Unavailable says why the platform reports nothing for this delivery.
	Unavailable string
	// LastError is the last read's failure; "" when it worked.
	LastError string
}

// ReachTotal is one metric summed over deliveries.
type ReachTotal struct {
	Value int64
	// Deliveries is how many deliveries reported the metric; the others'
	// reach is unknown, not zero.
	Deliveries int
}

// deliveryReach and reachCheck are the rows of migration 16's tables.
type deliveryReach struct {
	DeliveryID int64
	Metric     string
	Value      int64
	ReadAt     time.Time
}

func (deliveryReach) TableName() string { return "delivery_reach" }

type reachCheck struct {
	DeliveryID     int64 `gorm:"primaryKey;autoIncrement:false"`
	Slot           int
	NextAt         *time.Time
	ReachCheckedAt *time.Time
	Unavailable    string
	LastError      string
	LeaseToken     string
	LeaseUntil     *time.Time
}

func (reachCheck) TableName() string { return "reach_checks" }

// Bounds on what one read may record.
const (
	maxReachMetrics     = 8
	maxReachMetricLen   = 40
	maxReachUnavailable = 500
	maxReachError       = 1000
	// reachGrace is how long after the schedule's last read a delivery
	// never read yet is still read once (a worker that was down, a
	// database upgraded to reach); older ones are left alone.
	reachGrace = 24 * time.Hour
)

// ReachDue says which reads to claim.
type ReachDue struct {
	// Kinds are the channel kinds whose adapters read reach.
	Kinds []string
	// Schedule is the offsets from delivered_at of each read, ascending.
	Schedule []time.Duration
	// Limit caps how many reads one claim takes.
	Limit int
	// Lease is how long the claimer holds them; Token names the claimer.
	Lease time.Duration
	Token string
}

// ReachClaim is one read of one delivery's reach that a worker holds.
type ReachClaim struct {
	DeliveryID  int64
	ExternalID  string
	DeliveredAt time.Time
	Channel     Channel
	// Slot is the schedule's index of this read.
	Slot       int
	LeaseToken string
}

// ClaimDueReach leases to o.Token up to o.Limit delivered deliveries whose
// next read is due: those already read once whose next slot has come, then
// those delivered at least Schedule[0] ago and never read (within the
// schedule and a day of grace). Each lease is taken by a conditional write,
// so several workers never hold the same read.
func (s *Store) ClaimDueReach(ctx context.Context, o ReachDue) ([]ReachClaim, error) {
	if o.Limit <= 0 || len(o.Schedule) == 0 || len(o.Kinds) == 0 || o.Token == "" || o.Lease <= 0 {
		return nil, nil
	}
	now := s.nowUTC()
	var ids []int64
	for _, claim := range []func(context.Context, ReachDue, time.Time, int) ([]int64, bool, error){
		s.claimScheduledReach, s.claimFirstReach,
	} {
		// Workers claiming at once pick the same candidates; one that lost
		// some looks again (the losses are no longer candidates), a few times.
		for range claimRounds {
			left := o.Limit - len(ids)
			if left <= 0 {
				break
			}
			got, lost, err := claim(ctx, o, now, left)
			if err != nil {
				return nil, err
			}
			ids = append(ids, got...)
			if !lost {
				break
			}
		}
	}
	return s.reachClaims(ctx, ids, o.Token)
}

// claimRounds bounds how often one claim looks again after losing
// candidates to another worker.
const claimRounds = 3

// claimScheduledReach leases up to limit deliveries whose next read has
// come, and reports whether another worker took some it found.
func (s *Store) claimScheduledReach(ctx context.Context, o ReachDue, now time.Time, limit int) ([]int64, bool, error) {
	var due []int64
	err := s.db.WithContext(ctx).Model(&reachCheck{}).
		Where("next_at <= ? AND (lease_until IS NULL OR lease_until < ?)", now, now).
		Order("next_at, delivery_id").Limit(limit).Pluck("delivery_id", &due).Error
	if err != nil {
		return nil, false, translate(err, "find due reach reads")
	}
	var claimed []int64
	for _, id := range due {
		res := s.db.WithContext(ctx).Model(&reachCheck{}).
			Where("delivery_id = ? AND next_at <= ? AND (lease_until IS NULL OR lease_until < ?)", id, now, now).
			Updates(map[string]any{"lease_token": o.Token, "lease_until": now.Add(o.Lease)})
		if res.Error != nil {
			return nil, false, translate(res.Error, fmt.Sprintf("claim reach read of delivery %d", id))
		}
		if res.RowsAffected == 1 {
			claimed = append(claimed, id)
		}
	}
	return claimed, len(claimed) < len(due), nil
}

// claimFirstReach leases up to limit deliveries never read yet whose
// first read has come, by creating their bookkeeping row; a row another
// worker created first wins, and is reported as lost.
func (s *Store) claimFirstReach(ctx context.Context, o ReachDue, now time.Time, limit int) ([]int64, bool, error) {
	var rows []struct {
		ID          int64
		DeliveredAt time.Time
	}
	last := o.Schedule[len(o.Schedule)-1]
	err := s.db.WithContext(ctx).Table("deliveries d").Select("d.id, d.delivered_at").
		Joins("JOIN channels c ON c.id = d.channel_id").
		Where("d.status = ? AND d.external_id <> '' AND d.delivered_at IS NOT NULL", DeliveryDelivered).
		Where("d.delivered_at <= ? AND d.delivered_at >= ?", now.Add(-o.Schedule[0]), now.Add(-last-reachGrace)).
		Where("c.kind IN ?", o.Kinds).
		Where("NOT EXISTS (SELECT 1 FROM reach_checks r WHERE r.delivery_id = d.id)").
		Order("d.delivered_at, d.id").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, false, translate(err, "find deliveries never read")
	}
	var claimed []int64
	for _, r := range rows {
		next, until := r.DeliveredAt.UTC().Add(o.Schedule[0]), now.Add(o.Lease)
		row := reachCheck{DeliveryID: r.ID, NextAt: &next, LeaseToken: o.Token, LeaseUntil: &until}
		res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil {
			return nil, false, translate(res.Error, fmt.Sprintf("claim first reach read of delivery %d", r.ID))
		}
		if res.RowsAffected == 1 {
			claimed = append(claimed, r.ID)
		}
	}
	return claimed, len(claimed) < len(rows), nil
}

// reachClaims reads what the claimed reads need.
func (s *Store) reachClaims(ctx context.Context, ids []int64, token string) ([]ReachClaim, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var checks []reachCheck
	if err := s.db.WithContext(ctx).Where("delivery_id IN ? AND lease_token = ?", ids, token).Find(&checks).Error; err != nil {
		return nil, translate(err, "read claimed reach reads")
	}
	var ds []Delivery
	if err := s.db.WithContext(ctx).Select("id", "channel_id", "external_id", "delivered_at").Where("id IN ?", ids).Find(&ds).Error; err != nil {
		return nil, translate(err, "read claimed deliveries")
	}
	byID := make(map[int64]Delivery, len(ds))
	chIDs := make([]int64, 0, len(ds))
	for _, d := range ds {
		byID[d.ID] = d
		chIDs = append(chIDs, d.ChannelID)
	}
	chs, err := s.ChannelsByID(ctx, chIDs)
	if err != nil {
		return nil, err
	}
	out := make([]ReachClaim, 0, len(checks))
	for _, c := range checks {
		d, ok := byID[c.DeliveryID]
		if !ok || d.DeliveredAt == nil {
			continue
		}
		out = append(out, ReachClaim{DeliveryID: d.ID, ExternalID: d.ExternalID, DeliveredAt: d.DeliveredAt.UTC(),
			Channel: chs[d.ChannelID], Slot: c.Slot, LeaseToken: token})
	}
	slices.SortFunc(out, func(a, b ReachClaim) int { return cmp.Compare(a.DeliveryID, b.DeliveryID) })
	return out, nil
}

// ReachResult is what one read found: metrics, a reason the platform
// reports nothing, or the error that stopped the read.
type ReachResult struct {
	Metrics     map[string]int64
	Unavailable string
	Error       string
}

// ErrBadReach refuses a result storage will not keep (too many metrics, a
// malformed name, a negative value).
var ErrBadReach = errors.New("reach result refused")

func (r ReachResult) check() error {
	if len(r.Metrics) > maxReachMetrics {
		return fmt.Errorf("storage: %w: %d metrics, at most %d", ErrBadReach, len(r.Metrics), maxReachMetrics)
	}
	for name, v := range r.Metrics {
		if !validMetric(name) {
			return fmt.Errorf("storage: %w: metric name %q", ErrBadReach, truncate(name, 60))
		}
		if v < 0 {
			return fmt.Errorf("storage: %w: %s is negative", ErrBadReach, name)
		}
	}
	return nil
}

func validMetric(name string) bool {
	if name == "" || len(name) > maxReachMetricLen {
		return false
	}
	for _, r := range name {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return true
}

// RecordReach records the read c made and moves the delivery to its next
// read: the first slot of schedule still ahead, or never. Metrics replace
// earlier values of the same metric; an error or an unavailable platform
// writes none, so what was read before stays. If c's lease was lost it
// records nothing and returns ErrLeaseLost.
func (s *Store) RecordReach(ctx context.Context, c ReachClaim, r ReachResult, schedule []time.Duration) error {
	if err := r.check(); err != nil {
		return err
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.nowUTC()
		updates := map[string]any{"reach_checked_at": now, "lease_token": "", "lease_until": nil}
		updates["slot"], updates["next_at"] = nextReachSlot(c, schedule, now)
		switch {
		case r.Error != "":
			updates["last_error"] = truncate(r.Error, maxReachError)
		case r.Unavailable != "":
			updates["unavailable"], updates["last_error"] = truncate(r.Unavailable, maxReachUnavailable), ""
		default:
			updates["unavailable"], updates["last_error"] = "", ""
		}
		res := tx.Model(&reachCheck{}).Where("delivery_id = ? AND lease_token = ?", c.DeliveryID, c.LeaseToken).Updates(updates)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrLeaseLost
		}
		if r.Error != "" || r.Unavailable != "" {
			return nil
		}
		return upsertReach(tx, c.DeliveryID, r.Metrics, now)
	})
	if errors.Is(err, ErrLeaseLost) {
		return err
	}
	return translate(err, fmt.Sprintf("record reach of delivery %d", c.DeliveryID))
}

// nextReachSlot is the first slot after c's whose time is still ahead,
// and that time; past slots are skipped, since this read stands for them.
func nextReachSlot(c ReachClaim, schedule []time.Duration, now time.Time) (int, any) {
	j := c.Slot + 1
	for j < len(schedule) && !c.DeliveredAt.Add(schedule[j]).After(now) {
		j++
	}
	if j >= len(schedule) {
		return len(schedule), nil
	}
	return j, c.DeliveredAt.Add(schedule[j]).UTC()
}

func upsertReach(tx *gorm.DB, deliveryID int64, metrics map[string]int64, now time.Time) error {
	for name, v := range metrics {
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "delivery_id"}, {Name: "metric"}},
			DoUpdates: clause.AssignmentColumns([]string{"value", "read_at"}),
		}).Create(&deliveryReach{DeliveryID: deliveryID, Metric: name, Value: v, ReadAt: now}).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// ReachByDelivery returns what is known of these deliveries' reach, by
// delivery id; a delivery never read is missing from the map. Callers pass
// a page of ids.
func (s *Store) ReachByDelivery(ctx context.Context, ids []int64) (map[int64]DeliveryReach, error) {
	out := make(map[int64]DeliveryReach, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var checks []reachCheck
	if err := s.db.WithContext(ctx).Where("delivery_id IN ?", ids).Find(&checks).Error; err != nil {
		return nil, translate(err, "read reach checks")
	}
	for _, c := range checks {
		if c.ReachCheckedAt != nil {
			at := c.ReachCheckedAt.UTC()
			out[c.DeliveryID] = DeliveryReach{CheckedAt: &at, Unavailable: c.Unavailable, LastError: c.LastError}
		}
	}
	var rows []deliveryReach
	if err := s.db.WithContext(ctx).Where("delivery_id IN ?", ids).Order("delivery_id, metric").Find(&rows).Error; err != nil {
		return nil, translate(err, "read reach")
	}
	for _, r := range rows {
		dr := out[r.DeliveryID]
		if dr.Metrics == nil {
			dr.Metrics = map[string]ReachValue{}
		}
		dr.Metrics[r.Metric] = ReachValue{Value: r.Value, ReadAt: r.ReadAt.UTC()}
		out[r.DeliveryID] = dr
	}
	return out, nil
}

// SumReach sums, per metric, the latest reach of the deliveries to the
// channels of agency's subtree (0: every agency) delivered in [from, to).
// It returns nil when no such delivery reported any reach: unknown, not
// zero. ReachTotal.Deliveries says how many deliveries each sum covers.
func (s *Store) SumReach(ctx context.Context, agency int64, from, to time.Time) (map[string]ReachTotal, error) {
	byKind, err := s.SumReachByKind(ctx, agency, from, to)
	if err != nil || byKind == nil {
		return nil, err
	}
	out := map[string]ReachTotal{}
	for _, metrics := range byKind {
		for name, t := range metrics {
			sum := out[name]
			sum.Value += t.Value
			sum.Deliveries += t.Deliveries
			out[name] = sum
		}
	}
	return out, nil
}

// SumReachByKind is SumReach per channel kind ("facebook_page", "zalo_oa",
// "wordpress"), for reports that count by form; nil when nothing is reported.
func (s *Store) SumReachByKind(ctx context.Context, agency int64, from, to time.Time) (map[string]map[string]ReachTotal, error) {
	q := s.db.WithContext(ctx).Table("delivery_reach r").
		Select("c.kind AS kind, r.metric AS metric, CAST(SUM(r.value) AS BIGINT) AS value, COUNT(*) AS deliveries").
		Joins("JOIN deliveries d ON d.id = r.delivery_id").
		Joins("JOIN channels c ON c.id = d.channel_id").
		Where("d.delivered_at >= ? AND d.delivered_at < ?", from.UTC(), to.UTC())
	if agency != 0 {
		q = s.inSubtree(q, "d.agency_id", agency)
	}
	var rows []struct {
		Kind, Metric string
		Value        int64
		Deliveries   int
	}
	if err := q.Group("c.kind, r.metric").Scan(&rows).Error; err != nil {
		return nil, translate(err, "sum reach")
	}
	if len(rows) == 0 {
		return nil, nil
	}
	out := map[string]map[string]ReachTotal{}
	for _, r := range rows {
		if out[r.Kind] == nil {
			out[r.Kind] = map[string]ReachTotal{}
		}
		out[r.Kind][r.Metric] = ReachTotal{Value: r.Value, Deliveries: r.Deliveries}
	}
	return out, nil
}

package storage

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// AgencySummary is what one agency has that needs someone: deliveries
// still going out in a window, deliveries that failed or are unconfirmed,
// channels to re-authorise and posts waiting for approval. The counts are
// the agency's own, not those of the agencies below it.
type AgencySummary struct {
	AgencyID                                     int64
	GoingOut, NeedDecision, Reauth, WaitApproval int64
}

// AgencySummaries counts, for each agency in top's subtree that has any,
// the things Tổng quan lists; going out counts deliveries still to send
// with scheduled_at in [from, to). Four grouped queries, whatever the size
// of the subtree.
func (s *Store) AgencySummaries(ctx context.Context, top int64, from, to time.Time) (map[int64]*AgencySummary, error) {
	out := map[int64]*AgencySummary{}
	counts := []struct {
		model any
		where func(*gorm.DB) *gorm.DB
		into  func(*AgencySummary, int64)
	}{
		{&Delivery{}, func(q *gorm.DB) *gorm.DB {
			return q.Where("status IN ? AND scheduled_at >= ? AND scheduled_at < ?",
				[]string{DeliveryScheduled, DeliveryRetrying, DeliverySending}, from.UTC(), to.UTC())
		}, func(a *AgencySummary, n int64) { a.GoingOut = n }},
		{&Delivery{}, func(q *gorm.DB) *gorm.DB {
			return q.Where("status IN ?", []string{DeliveryFailed, DeliveryUnconfirmed})
		}, func(a *AgencySummary, n int64) { a.NeedDecision = n }},
		{&Channel{}, func(q *gorm.DB) *gorm.DB { return q.Where("status = ?", ChannelNeedsReauth) },
			func(a *AgencySummary, n int64) { a.Reauth = n }},
		{&Post{}, func(q *gorm.DB) *gorm.DB { return q.Where("status = ?", PostPendingApproval) },
			func(a *AgencySummary, n int64) { a.WaitApproval = n }},
	}
	for _, c := range counts {
		var rows []struct {
			AgencyID int64
			N        int64
		}
		q := s.scoped(s.db.WithContext(ctx).Model(c.model), top)
		if err := c.where(q).Select("agency_id, count(*) AS n").Group("agency_id").Scan(&rows).Error; err != nil {
			return nil, translate(err, "count agency summaries")
		}
		for _, r := range rows {
			a := out[r.AgencyID]
			if a == nil {
				a = &AgencySummary{AgencyID: r.AgencyID}
				out[r.AgencyID] = a
			}
			c.into(a, r.N)
		}
	}
	return out, nil
}

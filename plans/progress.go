package plans

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/loa-vn/loa/storage"
)

// Quarter is what was done for an activity in one calendar quarter:
// posts delivered (the first delivery of each counts it) and offline
// records with the sum of their counts.
type Quarter struct {
	Posts, Records, RecordCount int64
}

// Progress is an activity's quarters, Q1 first, and their totals.
type Progress struct {
	Quarters [4]Quarter
	Total    Quarter
}

// PlanProgress counts, per activity of a plan of year, what was done in
// each calendar quarter of that year in LOA_TIMEZONE. It is the plans
// page's quick view; the reports package computes the filed figures.
func (s *Service) PlanProgress(ctx context.Context, year int, acts []storage.PlanActivity) (map[int64]*Progress, error) {
	out := make(map[int64]*Progress, len(acts))
	ids := make([]int64, len(acts))
	for i, a := range acts {
		ids[i], out[a.ID] = a.ID, &Progress{}
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, s.loc)
	posts, err := s.store.DeliveredForActivities(ctx, ids, from, from.AddDate(1, 0, 0))
	if err != nil {
		return nil, fmt.Errorf("plans: progress: %w", err)
	}
	for _, p := range posts {
		q := (int(p.DeliveredAt.In(s.loc).Month()) - 1) / 3
		out[p.ActivityID].Quarters[q].Posts++
	}
	y := strconv.Itoa(year)
	recs, err := s.store.RecordsForActivities(ctx, ids, y+"-01-01", y+"-12-31")
	if err != nil {
		return nil, fmt.Errorf("plans: progress: %w", err)
	}
	for _, r := range recs {
		month, err := time.Parse("2006-01", r.Month)
		if err != nil {
			continue
		}
		q := &out[r.ActivityID].Quarters[(int(month.Month())-1)/3]
		q.Records += r.Records
		q.RecordCount += r.Count
	}
	for _, p := range out {
		for _, q := range p.Quarters {
			p.Total.Posts += q.Posts
			p.Total.Records += q.Records
			p.Total.RecordCount += q.RecordCount
		}
	}
	return out, nil
}

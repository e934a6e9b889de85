package plans

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/loa-vn/loa/storage"
)

// Quarter is what was done for an activity in one calendar quarter:
// items delivered, counted as the reports count them (one per channel, in
// the quarter of its scheduled time), and offline records with the sum of
// their counts.
type Quarter struct {
	Delivered, Records, RecordCount int64
}

// Progress is an activity's quarters, Q1 first, and their totals.
type Progress struct {
	Quarters [4]Quarter
	Total    Quarter
}

// PlanProgress counts, per activity of a plan of year, what was done in
// each calendar quarter of that year in LOA_TIMEZONE. Delivered items are
// read by the report's own query (storage.DeliveryFigures), so the plans
// page and a calendar-quarter report count alike.
func (s *Service) PlanProgress(ctx context.Context, year int, acts []storage.PlanActivity) (map[int64]*Progress, error) {
	out := make(map[int64]*Progress, len(acts))
	ids := make([]int64, len(acts))
	agencies := map[int64]bool{}
	for i, a := range acts {
		ids[i], out[a.ID] = a.ID, &Progress{}
		agencies[a.AgencyID] = true
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, s.loc)
	for agency := range agencies {
		if err := s.deliveredByQuarter(ctx, agency, from, out); err != nil {
			return nil, fmt.Errorf("plans: progress: %w", err)
		}
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
			p.Total.Delivered += q.Delivered
			p.Total.Records += q.Records
			p.Total.RecordCount += q.RecordCount
		}
	}
	return out, nil
}

// deliveredByQuarter adds to out the items delivered for agency's posts
// in the year from, per activity and calendar quarter.
func (s *Service) deliveredByQuarter(ctx context.Context, agency int64, from time.Time, out map[int64]*Progress) error {
	below, err := s.store.SubtreeIDs(ctx, agency)
	if err != nil {
		return err
	}
	figs, err := s.store.DeliveryFigures(ctx, storage.FigureFilter{Agencies: []int64{agency}, ChannelAgencies: below,
		From: from, To: from.AddDate(1, 0, 0),
		MonthStarts: []time.Time{from.AddDate(0, 3, 0), from.AddDate(0, 6, 0), from.AddDate(0, 9, 0)}})
	if err != nil {
		return err
	}
	for _, f := range figs {
		if p := out[f.ActivityID]; p != nil && f.Status == storage.DeliveryDelivered {
			p.Quarters[f.Month].Delivered += f.N
		}
	}
	return nil
}

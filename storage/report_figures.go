package storage

import (
	"context"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// FigureFilter selects what a report counts: the deliveries scheduled in
// [From, To) of posts owned by one of Agencies, and the activity records
// of those agencies dated in [From, To) (local days).
type FigureFilter struct {
	// Agencies own the posts and records counted; each row says which.
	Agencies []int64
	// ChannelAgencies are the agencies whose channels the posts may have
	// gone to: the subtree of the report's agency. A post only ever goes
	// to channels in its own agency's subtree, so this loses nothing and
	// lets the deliveries' (agency_id, scheduled_at) index narrow the scan.
	ChannelAgencies []int64
	From, To        time.Time
	// MonthStarts are the instants after From where a new month begins,
	// ascending; a delivered row's Month is how many of them are at or
	// before its scheduled time.
	MonthStarts []time.Time
	// FirstDay and LastDay bound the records' local days, YYYY-MM-DD,
	// both included.
	FirstDay, LastDay string
}

// DeliveryFigure counts deliveries alike in everything a report tells
// apart. The columns are the rows' own, so the query groups by plain
// columns of two tables; the caller maps channels to kinds and fills a
// post's missing classification from its activity.
type DeliveryFigure struct {
	// AgencyID is the post's agency; ActivityID the post's activity (0 for none).
	AgencyID, ActivityID int64
	ChannelID            int64
	Status               string
	// ContentArea and Audience are the post's own codes ("" for none).
	ContentArea, Audience string
	// Month is the number of FigureFilter.MonthStarts at or before the
	// scheduled time.
	Month int
	// N counts the deliveries; OnTime those delivered within OnTimeWithin
	// of their scheduled time.
	N, OnTime int64
	// Reach sums the reach platforms reported for ReachN of the
	// deliveries (a delivery's largest metric: reach, views or
	// impressions); the others' reach is unknown, not zero.
	Reach, ReachN int64
}

// OnTimeWithin is how late after its scheduled time a delivery may be
// made and still count as on time.
const OnTimeWithin = 5 * time.Minute

// DeliveryFigures counts the deliveries f selects, canceled ones left out,
// in one grouped query over deliveries and posts.
func (s *Store) DeliveryFigures(ctx context.Context, f FigureFilter) ([]DeliveryFigure, error) {
	if len(f.Agencies) == 0 || len(f.ChannelAgencies) == 0 {
		return nil, nil
	}
	month, monthArgs := s.monthBucket(f.MonthStarts)
	query := "SELECT p.agency_id AS agency_id, COALESCE(p.activity_id, 0) AS activity_id, d.channel_id AS channel_id, " +
		"d.status AS status, p.content_area AS content_area, p.audience_code AS audience, " + month + " AS month, " +
		"SUM(CASE WHEN d.status = '" + DeliveryDelivered + "' AND " + s.onTimeSQL() + " THEN 1 ELSE 0 END) AS on_time, " +
		"COUNT(*) AS n, COALESCE(SUM(r.v), 0) AS reach, COUNT(r.v) AS reach_n " +
		"FROM deliveries d JOIN posts p ON p.id = d.post_id " +
		"LEFT JOIN (SELECT delivery_id, MAX(value) AS v FROM delivery_reach GROUP BY delivery_id) r ON r.delivery_id = d.id " +
		"WHERE d.agency_id IN ? AND d.scheduled_at >= ? AND d.scheduled_at < ? AND d.status <> ? AND p.agency_id IN ? " +
		"GROUP BY 1, 2, 3, 4, 5, 6, 7"
	args := append(monthArgs, f.ChannelAgencies, f.From.UTC(), f.To.UTC(), DeliveryCanceled, f.Agencies)
	var rows []DeliveryFigure
	err := s.analytic(ctx, func(tx *gorm.DB) error { return tx.Raw(query, args...).Scan(&rows).Error })
	if err != nil {
		return nil, translate(err, "count report deliveries")
	}
	return rows, nil
}

// analytic runs a large read-only aggregate. On PostgreSQL it gets the
// memory to hash its groups instead of sorting a million rows on disk,
// no JIT, whose compilation costs more than it saves here, and a plan
// made for its own period (a cached generic plan does not know whether
// it reads a week or a year). Parallel workers are made cheaper to start:
// a year of a province is a million rows, read in half the time by
// three processes (reports.Service bounds how many run at once). Sorting
// is off: the planner takes every row for a group of its own and would
// sort a million rows, when the groups are a few thousand and hash in
// memory (a hash that outgrows work_mem spills to disk, so this is safe).
func (s *Store) analytic(ctx context.Context, read func(tx *gorm.DB) error) error {
	if s.dialect != dialectPostgres {
		return read(s.db.WithContext(ctx))
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, q := range []string{"SET LOCAL jit = off", "SET LOCAL work_mem = '64MB'",
			"SET LOCAL plan_cache_mode = force_custom_plan", "SET LOCAL parallel_setup_cost = 100",
			"SET LOCAL parallel_tuple_cost = 0.01", "SET LOCAL enable_sort = off", "SET TRANSACTION READ ONLY"} {
			if err := tx.Exec(q).Error; err != nil {
				return err
			}
		}
		return read(tx)
	})
}

// ChannelKinds returns the kind of every channel of the agencies.
func (s *Store) ChannelKinds(ctx context.Context, agencies []int64) (map[int64]string, error) {
	var rows []struct {
		ID   int64
		Kind string
	}
	err := s.db.WithContext(ctx).Model(&Channel{}).Select("id", "kind").Where("agency_id IN ?", agencies).Scan(&rows).Error
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Kind
	}
	return out, translate(err, "list channel kinds")
}

// ActivitiesByID returns the activities ids, whatever their plan.
func (s *Store) ActivitiesByID(ctx context.Context, ids []int64) (map[int64]PlanActivity, error) {
	out := make(map[int64]PlanActivity, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var acts []PlanActivity
	err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&acts).Error
	for _, a := range acts {
		out[a.ID] = a
	}
	return out, translate(err, "list activities by id")
}

// monthBucket is the SQL expression numbering a delivery's month by its
// scheduled time, with its arguments; portable, and right in any zone
// since the month starts are computed by the caller.
func (s *Store) monthBucket(starts []time.Time) (string, []any) {
	if len(starts) == 0 {
		return "0", nil
	}
	var b strings.Builder
	args := make([]any, 0, len(starts))
	b.WriteString("CASE")
	for i, t := range starts {
		b.WriteString(" WHEN d.scheduled_at < ? THEN ")
		b.WriteString(strconv.Itoa(i))
		args = append(args, t.UTC())
	}
	b.WriteString(" ELSE ")
	b.WriteString(strconv.Itoa(len(starts)))
	b.WriteString(" END")
	return b.String(), args
}

// onTimeSQL says a delivered row was delivered within OnTimeWithin of its
// scheduled time (or before it).
func (s *Store) onTimeSQL() string {
	if s.dialect == dialectPostgres {
		return "d.delivered_at <= d.scheduled_at + interval '" + strconv.Itoa(int(OnTimeWithin/time.Second)) + " seconds'"
	}
	// SQLite keeps times as text julianday reads; a millisecond of slack
	// absorbs its floating point.
	return "(julianday(d.delivered_at) - julianday(d.scheduled_at)) * 86400000 <= " + strconv.Itoa(int(OnTimeWithin/time.Millisecond)+1)
}

// RecordFigure counts activity records of one agency, activity and form.
type RecordFigure struct {
	AgencyID, ActivityID int64
	Form                 string
	// Records is how many records; Total the sum of their counts.
	Records, Total int64
}

// RecordFigures counts the records f selects in one grouped query.
func (s *Store) RecordFigures(ctx context.Context, f FigureFilter) ([]RecordFigure, error) {
	if len(f.Agencies) == 0 {
		return nil, nil
	}
	var rows []RecordFigure
	err := s.db.WithContext(ctx).Raw("SELECT r.agency_id AS agency_id, r.activity_id AS activity_id, r.form AS form, "+
		"COUNT(*) AS records, COALESCE(SUM(r.count), 0) AS total FROM activity_records r "+
		"WHERE r.agency_id IN ? AND r.occurred_on >= ? AND r.occurred_on <= ? GROUP BY 1, 2, 3",
		f.Agencies, f.FirstDay, f.LastDay).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "count report records")
	}
	return rows, nil
}

// DeliveryLine is one delivery behind a report, for its CSV.
type DeliveryLine struct {
	// AgencyID is the post's agency.
	AgencyID                    int64
	ActivityCode, ActivityTitle string
	Kind, Channel, Title        string
	// ContentArea and Audience are codes, as DeliveryFigure's.
	ContentArea, Audience string
	Status                string
	ScheduledAt           time.Time
	DeliveredAt           *time.Time
	URL                   string
}

// OnTime says the line was delivered within OnTimeWithin of its
// scheduled time, as DeliveryFigures counts it.
func (l DeliveryLine) OnTime() bool {
	return l.Status == DeliveryDelivered && l.DeliveredAt != nil && !l.DeliveredAt.After(l.ScheduledAt.Add(OnTimeWithin))
}

// DeliveryLines lists the deliveries DeliveryFigures counts, by scheduled
// time; at most limit.
func (s *Store) DeliveryLines(ctx context.Context, f FigureFilter, limit int) ([]DeliveryLine, error) {
	if len(f.Agencies) == 0 || len(f.ChannelAgencies) == 0 {
		return nil, nil
	}
	var rows []DeliveryLine
	err := s.db.WithContext(ctx).Raw("SELECT p.agency_id AS agency_id, COALESCE(a.code, '') AS activity_code, "+
		"COALESCE(a.title, '') AS activity_title, c.kind AS kind, c.name AS channel, p.title AS title, "+
		"COALESCE(NULLIF(p.content_area, ''), a.content_area, '') AS content_area, "+
		"COALESCE(NULLIF(p.audience_code, ''), a.audience, '') AS audience, d.status AS status, "+
		"d.scheduled_at AS scheduled_at, d.delivered_at AS delivered_at, d.external_url AS url "+
		"FROM deliveries d JOIN posts p ON p.id = d.post_id JOIN channels c ON c.id = d.channel_id "+
		"LEFT JOIN plan_activities a ON a.id = p.activity_id "+
		"WHERE d.agency_id IN ? AND d.scheduled_at >= ? AND d.scheduled_at < ? AND d.status <> ? AND p.agency_id IN ? "+
		"ORDER BY d.scheduled_at, d.id LIMIT ?",
		f.ChannelAgencies, f.From.UTC(), f.To.UTC(), DeliveryCanceled, f.Agencies, limit).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "list report deliveries")
	}
	return rows, nil
}

// RecordLine is one activity record behind a report, for its CSV.
type RecordLine struct {
	AgencyID                    int64
	ActivityCode, ActivityTitle string
	OccurredOn, Form            string
	Description                 string
	Count                       int64
}

// RecordLines lists the records RecordFigures counts, by day; at most limit.
func (s *Store) RecordLines(ctx context.Context, f FigureFilter, limit int) ([]RecordLine, error) {
	if len(f.Agencies) == 0 {
		return nil, nil
	}
	var rows []RecordLine
	err := s.db.WithContext(ctx).Raw("SELECT r.agency_id AS agency_id, COALESCE(a.code, '') AS activity_code, "+
		"COALESCE(a.title, '') AS activity_title, r.occurred_on AS occurred_on, r.form AS form, "+
		"r.description AS description, r.count AS count FROM activity_records r "+
		"LEFT JOIN plan_activities a ON a.id = r.activity_id "+
		"WHERE r.agency_id IN ? AND r.occurred_on >= ? AND r.occurred_on <= ? ORDER BY r.occurred_on, r.id LIMIT ?",
		f.Agencies, f.FirstDay, f.LastDay, limit).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "list report records")
	}
	return rows, nil
}

package reports

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/loa-vn/loa/plans"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// unclassified labels a published item without a content area or audience.
const unclassified = "Chưa phân loại"

// plansPerAgency bounds the plans of one year read per agency (the newest
// is followed).
const plansPerAgency = 20

// scope is what a report of one agency and period counts: the agencies
// (the agency first, then its subtree in tree order), the figures' filter
// and the labels.
type scope struct {
	agencies []storage.Agency
	filter   storage.FigureFilter
	months   []time.Time
	labels   labels
}

// prepare reads the agencies of id's subtree (at most the cap) and the
// labels, and makes the filter of p.
func (s *Service) prepare(ctx context.Context, id int64, p Period) (scope, error) {
	agencies, err := s.store.ListAgencies(ctx, id)
	if err != nil {
		return scope{}, err
	}
	if len(agencies) > s.maxAg {
		return scope{}, &publishing.InvalidError{Field: "agency_id", Rule: RuleTooManyAgencies,
			Message: fmt.Sprintf("the agency has %d agencies in its subtree; a report covers at most %d: ask for the report of an agency below it", len(agencies), s.maxAg)}
	}
	ids := make([]int64, len(agencies))
	for i, a := range agencies {
		ids[i] = a.ID
	}
	starts, months := monthsOf(p)
	lb, err := s.loadLabels(ctx)
	if err != nil {
		return scope{}, err
	}
	return scope{agencies: agencies, months: months, labels: lb,
		filter: storage.FigureFilter{Agencies: ids, ChannelAgencies: ids, From: p.From, To: p.To, MonthStarts: starts,
			FirstDay: p.From.Format(time.DateOnly), LastDay: p.LastDay().Format(time.DateOnly)}}, nil
}

// compute reads the figures of sc for p in a fixed number of grouped
// queries, whatever the number of deliveries or agencies, and folds them
// into the report.
func (s *Service) compute(ctx context.Context, sc scope, p Period) (Report, error) {
	dels, err := s.store.DeliveryFigures(ctx, sc.filter)
	if err != nil {
		return Report{}, err
	}
	recs, err := s.store.RecordFigures(ctx, sc.filter)
	if err != nil {
		return Report{}, err
	}
	agencyPlans, acts, err := s.plansOf(ctx, sc.agencies[0].ID, len(sc.agencies), p.LastDay().Year())
	if err != nil {
		return Report{}, err
	}
	tallies := make(map[int64]*tally, len(sc.agencies))
	for _, a := range sc.agencies {
		pl, ok := agencyPlans[a.ID]
		tallies[a.ID] = newTally(ok, acts[pl.ID], sc.labels)
	}
	cls, err := s.classes(ctx, sc, dels)
	if err != nil {
		return Report{}, err
	}
	for _, d := range dels {
		if t := tallies[d.AgencyID]; t != nil {
			t.addDeliveries(d, cls, sc.labels)
		}
	}
	for _, r := range recs {
		if t := tallies[r.AgencyID]; t != nil {
			t.addRecords(r)
		}
	}
	return s.assemble(sc.agencies, agencyPlans, tallies, p, sc.months, sc.labels), nil
}

// classes is what the figures' rows need besides their own columns: the
// channels' kinds, and the activities' content areas and audiences for
// posts that have none of their own.
type classes struct {
	kinds map[int64]string
	acts  map[int64]storage.PlanActivity
}

func (s *Service) classes(ctx context.Context, sc scope, dels []storage.DeliveryFigure) (classes, error) {
	kinds, err := s.store.ChannelKinds(ctx, sc.filter.ChannelAgencies)
	if err != nil {
		return classes{}, err
	}
	var ids []int64
	seen := map[int64]bool{}
	for _, d := range dels {
		if d.ActivityID != 0 && !seen[d.ActivityID] {
			seen[d.ActivityID] = true
			ids = append(ids, d.ActivityID)
		}
	}
	acts, err := s.store.ActivitiesByID(ctx, ids)
	return classes{kinds: kinds, acts: acts}, err
}

// plansOf returns, for each agency of id's subtree with a plan of year,
// the newest such plan, and the activities of those plans by plan.
func (s *Service) plansOf(ctx context.Context, id int64, agencies, year int) (map[int64]storage.Plan, map[int64][]storage.PlanActivity, error) {
	all, err := s.store.ListPlans(ctx, storage.PlanFilter{Agency: id, Year: year, Limit: agencies * plansPerAgency})
	if err != nil {
		return nil, nil, err
	}
	plans := map[int64]storage.Plan{}
	var planIDs []int64
	for _, pl := range all {
		if cur, ok := plans[pl.AgencyID]; !ok || pl.ID > cur.ID {
			plans[pl.AgencyID] = pl
		}
	}
	for _, pl := range plans {
		planIDs = append(planIDs, pl.ID)
	}
	acts, err := s.store.ActivitiesOf(ctx, planIDs)
	if err != nil {
		return nil, nil, err
	}
	for pid, as := range acts {
		if len(as) > s.maxActs {
			acts[pid] = as[:s.maxActs]
		}
	}
	return plans, acts, nil
}

// monthsOf returns the instants after p.From where a month begins (for
// the query) and the first day of every month p touches (for the labels).
func monthsOf(p Period) (starts, months []time.Time) {
	first := time.Date(p.From.Year(), p.From.Month(), 1, 0, 0, 0, 0, p.From.Location())
	months = []time.Time{first}
	for m := first.AddDate(0, 1, 0); m.Before(p.To); m = m.AddDate(0, 1, 0) {
		starts = append(starts, m)
		months = append(months, m)
	}
	return starts, months
}

// labels are the Vietnamese labels and orders of the forms and the lists.
type labels struct {
	area, audience map[string]string
	// rank orders labels in tables: forms, then areas, then audiences as
	// listed; unclassified last.
	rank map[string]int
}

func (s *Service) loadLabels(ctx context.Context) (labels, error) {
	lb := labels{area: map[string]string{}, audience: map[string]string{}, rank: map[string]int{}}
	for i, f := range plans.Forms() {
		lb.rank[f.Label] = i
	}
	for _, l := range []struct {
		kind string
		into map[string]string
	}{{storage.VocabContentArea, lb.area}, {storage.VocabAudience, lb.audience}} {
		terms, err := s.store.ListVocab(ctx, l.kind, true)
		if err != nil {
			return lb, err
		}
		for _, t := range terms {
			l.into[t.Code] = t.Label
			if _, ok := lb.rank[t.Label]; !ok {
				lb.rank[t.Label] = 1000 + t.Position
			}
		}
	}
	lb.rank[unclassified] = 1 << 20
	return lb, nil
}

func (lb labels) label(list map[string]string, code string) string {
	if code == "" {
		return unclassified
	}
	if l, ok := list[code]; ok {
		return l
	}
	return code
}

func (lb labels) less(a, b string) int {
	ra, oka := lb.rank[a]
	rb, okb := lb.rank[b]
	switch {
	case oka && okb && ra != rb:
		return ra - rb
	case oka != okb:
		if oka {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// tally gathers one agency's own figures.
type tally struct {
	res     Results
	acts    map[int64]*ActivityResult
	order   []int64
	matrix  map[MatrixCell]int64 // Count left 0 in the key
	monthly map[int]map[string]int64
	hasPlan bool
}

func newTally(hasPlan bool, acts []storage.PlanActivity, lb labels) *tally {
	t := &tally{acts: map[int64]*ActivityResult{}, matrix: map[MatrixCell]int64{},
		monthly: map[int]map[string]int64{}, hasPlan: hasPlan}
	for _, a := range acts {
		forms := make([]string, len(a.Forms))
		for i, f := range a.Forms {
			forms[i] = plans.FormLabel(f)
		}
		t.acts[a.ID] = &ActivityResult{ID: a.ID, Code: a.Code, Title: a.Title,
			ContentArea: lb.label(lb.area, a.ContentArea), Audience: lb.label(lb.audience, a.Audience),
			Forms: forms, Timing: plans.TimingOf(a).Label(), Unit: a.Unit,
			Target: a.Target, TargetText: a.TargetText, ByForm: map[string]int64{}}
		t.order = append(t.order, a.ID)
	}
	return t
}

func (t *tally) addDeliveries(d storage.DeliveryFigure, cls classes, lb labels) {
	a := t.acts[d.ActivityID]
	switch d.Status {
	case storage.DeliveryDelivered:
		form := plans.FormOfChannel(cls.kinds[d.ChannelID])
		t.res.Delivered += d.N
		t.res.OnTime += d.OnTime
		t.res.Reach = addReach(t.res.Reach, reachOf(d))
		area, audience := d.ContentArea, d.Audience
		if act, ok := cls.acts[d.ActivityID]; ok {
			// A post without its own classification has its activity's.
			area, audience = cmp.Or(area, act.ContentArea), cmp.Or(audience, act.Audience)
		}
		key := MatrixCell{Form: plans.FormLabel(form), ContentArea: lb.label(lb.area, area), Audience: lb.label(lb.audience, audience)}
		t.matrix[key] += d.N
		if t.monthly[d.Month] == nil {
			t.monthly[d.Month] = map[string]int64{}
		}
		t.monthly[d.Month][key.Form] += d.N
		if a != nil {
			a.Delivered += d.N
			a.OnTime += d.OnTime
			a.Done += d.N
			a.ByForm[form] += d.N
			a.Reach = addReach(a.Reach, reachOf(d))
		}
	case storage.DeliveryFailed:
		t.res.Failed += d.N
		if a != nil {
			a.Failed += d.N
		}
	case storage.DeliveryUnconfirmed:
		t.res.Unconfirmed += d.N
		if a != nil {
			a.Unconfirmed += d.N
		}
	default:
		t.res.Other += d.N
	}
}

// reachOf is the reach reported for the figure's deliveries, nil when
// none reported any.
func reachOf(d storage.DeliveryFigure) *int64 {
	if d.ReachN == 0 {
		return nil
	}
	return &d.Reach
}

func (t *tally) addRecords(r storage.RecordFigure) {
	t.res.Records += r.Records
	t.res.RecordCount += r.Total
	if a := t.acts[r.ActivityID]; a != nil {
		a.Records += r.Records
		a.Done += r.Total
		a.ByForm[r.Form] += r.Total
	}
}

// empty says the agency has neither a plan nor any figure in the period.
func (t *tally) empty() bool {
	r := t.res
	return !t.hasPlan && r.Delivered+r.Failed+r.Unconfirmed+r.Other+r.Records == 0
}

// results finishes the tally: rates, progress, tables in order.
func (t *tally) results(months []time.Time, lb labels) Results {
	r := t.res
	r.OnTimeRate = rate(r.OnTime, r.Delivered)
	for _, id := range t.order {
		a := *t.acts[id]
		a.OnTimeRate = rate(a.OnTime, a.Delivered)
		if a.Target != nil && *a.Target > 0 {
			a.Progress = rate(a.Done, *a.Target)
		}
		r.Activities = append(r.Activities, a)
	}
	r.Matrix = matrixOf(t.matrix, lb)
	r.Monthly = monthlyOf(t.monthly, months, lb)
	return r
}

func rate(n, of int64) *float64 {
	if of <= 0 {
		return nil
	}
	v := float64(n) / float64(of)
	return &v
}

func matrixOf(cells map[MatrixCell]int64, lb labels) []MatrixCell {
	out := make([]MatrixCell, 0, len(cells))
	for k, n := range cells {
		if n > 0 {
			k.Count = n
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b MatrixCell) int {
		if c := lb.less(a.Form, b.Form); c != 0 {
			return c
		}
		if c := lb.less(a.ContentArea, b.ContentArea); c != 0 {
			return c
		}
		return lb.less(a.Audience, b.Audience)
	})
	return out
}

// monthlyOf lays the counts out as a grid: every month of the period for
// every form delivered in it (zeros included), so a chart has its axis.
func monthlyOf(counts map[int]map[string]int64, months []time.Time, lb labels) []MonthCount {
	var forms []string
	for _, byForm := range counts {
		for f, n := range byForm {
			if n > 0 && !slices.Contains(forms, f) {
				forms = append(forms, f)
			}
		}
	}
	slices.SortFunc(forms, lb.less)
	var out []MonthCount
	for i, m := range months {
		for _, f := range forms {
			out = append(out, MonthCount{Month: m, Form: f, Count: counts[i][f]})
		}
	}
	return out
}

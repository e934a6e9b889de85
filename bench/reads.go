package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/vntime"
)

// listFilters are the queries of GET /api/v1/deliveries the clients go
// round: the status, agency-subtree and date-range filters the UI uses,
// alone and together. Without a seed, the agency filters read the
// burst's province.
func (r *rig) listFilters(w world, s seeded, now time.Time) []listFilter {
	loc := r.location()
	day := func(daysAgo int) string { return now.In(loc).AddDate(0, 0, -daysAgo).Format(time.DateOnly) }
	instant := func(daysAgo int) string {
		return now.In(loc).AddDate(0, 0, -daysAgo).Truncate(time.Hour).Format(time.RFC3339)
	}
	province, department, commune := s.Province, s.Department, s.Commune
	if province == 0 {
		province, department, commune = w.province, w.province, w.province
	}
	q := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	id := func(n int64) string { return fmt.Sprint(n) }
	return []listFilter{
		{"burst province, delivered", q("agency_id", id(w.province), "status", storage.DeliveryDelivered)},
		{"newest, no filter", q()},
		{"province subtree", q("agency_id", id(province))},
		{"district subtree, failed", q("agency_id", id(department), "status", storage.DeliveryFailed)},
		{"commune", q("agency_id", id(commune))},
		{"scheduled", q("status", storage.DeliveryScheduled)},
		{"last 30 days", q("from", day(30), "to", day(-1))},
		{"district, a month 6 months ago", q("agency_id", id(department), "from", day(180), "to", day(150))},
		{"unconfirmed, a week 3 months ago (RFC 3339)", q("status", storage.DeliveryUnconfirmed,
			"from", instant(90), "to", instant(83))},
		{"commune, delivered, a month a year ago", q("agency_id", id(commune), "status", storage.DeliveryDelivered,
			"from", day(364), "to", day(334))},
	}
}

func (r *rig) location() *time.Location {
	if r.o.Config.Location != nil {
		return r.o.Config.Location
	}
	return vntime.Fixed() // the API's own default
}

// reportRuns is how many times the report is computed.
const reportRuns = 3

// timeReport computes the province's report of the last full quarter
// through GET /api/v1/reports, reportRuns times one after another.
func (r *rig) timeReport(ctx context.Context, province int64, now time.Time) (query string, lat Latency, delivered int64, err error) {
	local := now.In(r.location())
	year, quarter := local.Year(), (int(local.Month())-1)/3 // this quarter, from 0
	if quarter == 0 {
		year, quarter = year-1, 4
	}
	path := fmt.Sprintf("/api/v1/reports?agency_id=%d&period=%d-Q%d", province, year, quarter)
	client := &http.Client{Timeout: 5 * time.Minute}
	defer client.CloseIdleConnections()
	var ms []float64
	var out struct {
		Own struct {
			Delivered int64 `json:"delivered"`
		} `json:"own"`
	}
	for range reportRuns {
		t := r.request(ctx, client, http.MethodGet, path, nil, http.StatusOK)
		if t.err == nil {
			t.err = json.Unmarshal(t.body, &out)
		}
		if t.err != nil {
			return path, Latency{}, 0, fmt.Errorf("bench: report: %w", t.err)
		}
		ms = append(ms, t.ms)
	}
	// Of three runs the p99 is the slowest.
	return path, latency(ms, 0), out.Own.Delivered, nil
}

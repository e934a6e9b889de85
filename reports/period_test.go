package reports

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/publishing"
)

var hcm = time.FixedZone("ICT", 7*3600)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, hcm) }

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		key, cutoff    string
		from, last     time.Time
		label, wantCut string
	}{
		// The decree's example: Quý I/2027 is 15/12/2026 – 14/03/2027.
		{"2027-Q1", "", day(2026, 12, 15), day(2027, 3, 14), "quý I năm 2027", CutoffDecree},
		{"2027-Q1", "decree", day(2026, 12, 15), day(2027, 3, 14), "quý I năm 2027", CutoffDecree},
		{"2027-Q2", "decree", day(2027, 3, 15), day(2027, 6, 14), "quý II năm 2027", CutoffDecree},
		{"2027-Q3", "decree", day(2027, 6, 15), day(2027, 9, 14), "quý III năm 2027", CutoffDecree},
		{"2027-Q4", "decree", day(2027, 9, 15), day(2027, 12, 14), "quý IV năm 2027", CutoffDecree},
		{"2027-H1", "decree", day(2026, 12, 15), day(2027, 6, 14), "6 tháng đầu năm 2027", CutoffDecree},
		{"2027-H2", "decree", day(2027, 6, 15), day(2027, 12, 14), "6 tháng cuối năm 2027", CutoffDecree},
		{"2027", "decree", day(2026, 12, 15), day(2027, 12, 14), "năm 2027", CutoffDecree},
		{"2027-Q1", "calendar", day(2027, 1, 1), day(2027, 3, 31), "quý I năm 2027", CutoffCalendar},
		{"2027-Q2", "calendar", day(2027, 4, 1), day(2027, 6, 30), "quý II năm 2027", CutoffCalendar},
		{"2027-Q4", "calendar", day(2027, 10, 1), day(2027, 12, 31), "quý IV năm 2027", CutoffCalendar},
		{"2027-H1", "calendar", day(2027, 1, 1), day(2027, 6, 30), "6 tháng đầu năm 2027", CutoffCalendar},
		{"2027-H2", "calendar", day(2027, 7, 1), day(2027, 12, 31), "6 tháng cuối năm 2027", CutoffCalendar},
		{"2028", "calendar", day(2028, 1, 1), day(2028, 12, 31), "năm 2028", CutoffCalendar},
		// Leap day ends a calendar Q1 of a leap year's February.
		{"2028-02-01..2028-02-29", "", day(2028, 2, 1), day(2028, 2, 29), "từ ngày 01/02/2028 đến ngày 29/02/2028", CutoffCalendar},
		{"2027-01-01..2027-02-15", "decree", day(2027, 1, 1), day(2027, 2, 15), "từ ngày 01/01/2027 đến ngày 15/02/2027", CutoffCalendar},
		{"2027-05-05..2027-05-05", "", day(2027, 5, 5), day(2027, 5, 5), "từ ngày 05/05/2027 đến ngày 05/05/2027", CutoffCalendar},
		// 366 days, both counted: the longest range allowed.
		{"2027-01-01..2028-01-01", "", day(2027, 1, 1), day(2028, 1, 1), "từ ngày 01/01/2027 đến ngày 01/01/2028", CutoffCalendar},
		{"2000-Q1", "", day(1999, 12, 15), day(2000, 3, 14), "quý I năm 2000", CutoffDecree},
		{"2100", "calendar", day(2100, 1, 1), day(2100, 12, 31), "năm 2100", CutoffCalendar},
		{" 2027-Q1 ", "", day(2026, 12, 15), day(2027, 3, 14), "quý I năm 2027", CutoffDecree},
	}
	for _, tt := range tests {
		t.Run(tt.key+"/"+tt.cutoff, func(t *testing.T) {
			p, err := ParsePeriod(tt.key, tt.cutoff, hcm)
			if err != nil {
				t.Fatalf("ParsePeriod: %v", err)
			}
			if !p.From.Equal(tt.from) || !p.To.Equal(tt.last.AddDate(0, 0, 1)) || !p.LastDay().Equal(tt.last) {
				t.Errorf("dates %s – %s (to %s), want %s – %s", p.From, p.LastDay(), p.To, tt.from, tt.last)
			}
			if p.Label != tt.label || p.Cutoff != tt.wantCut || p.Key != strings.TrimSpace(tt.key) {
				t.Errorf("label %q cutoff %q key %q, want %q %q", p.Label, p.Cutoff, p.Key, tt.label, tt.wantCut)
			}
		})
	}
}

// TestPeriodEdgeInstants checks the instants just inside and outside a
// decree quarter, in local time: 23:59:59 on the 14th of March is in Quý
// I/2027, 00:00 on the 15th is not; 00:00 on 15 December 2026 is.
func TestPeriodEdgeInstants(t *testing.T) {
	p, err := ParsePeriod("2027-Q1", "decree", hcm)
	if err != nil {
		t.Fatal(err)
	}
	in := func(ts time.Time) bool { return !ts.Before(p.From) && ts.Before(p.To) }
	cases := []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, 12, 14, 23, 59, 59, 0, hcm), false},
		{time.Date(2026, 12, 15, 0, 0, 0, 0, hcm), true},
		// 17:00 UTC on 14/12 is 00:00 local on 15/12.
		{time.Date(2026, 12, 14, 17, 0, 0, 0, time.UTC), true},
		{time.Date(2027, 3, 14, 23, 59, 59, 0, hcm), true},
		{time.Date(2027, 3, 15, 0, 0, 0, 0, hcm), false},
		{time.Date(2027, 3, 14, 16, 59, 59, 0, time.UTC), true},
		{time.Date(2027, 3, 14, 17, 0, 0, 0, time.UTC), false},
	}
	for _, c := range cases {
		if got := in(c.at); got != c.want {
			t.Errorf("%s in Q1/2027 by decree = %v, want %v", c.at, got, c.want)
		}
	}
}

func TestParsePeriodRefuses(t *testing.T) {
	tests := []struct {
		key, cutoff, field, rule string
	}{
		{"", "", "period", RuleBadPeriod},
		{"2027-Q5", "", "period", RuleBadPeriod},
		{"2027-Q0", "", "period", RuleBadPeriod},
		{"2027-H3", "", "period", RuleBadPeriod},
		{"2027-q1", "", "period", RuleBadPeriod},
		{"27", "", "period", RuleBadPeriod},
		{"2027-13-01..2027-12-31", "", "period", RuleBadPeriod},
		{"2027-02-29..2027-03-01", "", "period", RuleBadPeriod},
		{"2027-02-30..2027-03-01", "", "period", RuleBadPeriod},
		{"2027-01-01..", "", "period", RuleBadPeriod},
		{"1999", "", "period", RuleYearRange},
		{"2101-Q1", "", "period", RuleYearRange},
		{"1999-12-31..2000-01-05", "", "period", RuleYearRange},
		{"2100-12-31..2101-01-01", "", "period", RuleYearRange},
		{"2027-03-01..2027-02-28", "", "period", RulePeriodOrder},
		// 367 days, both counted.
		{"2027-01-01..2028-01-02", "", "period", RulePeriodLong},
		{strings.Repeat("2027", 20), "", "period", RuleBadPeriod},
		{"2027-Q1", "monthly", "cutoff", RuleBadCutoff},
		{"2027-Q1", "DECREE", "cutoff", RuleBadCutoff},
	}
	for _, tt := range tests {
		t.Run(tt.key+"/"+tt.cutoff, func(t *testing.T) {
			_, err := ParsePeriod(tt.key, tt.cutoff, hcm)
			var bad *publishing.InvalidError
			if !errors.As(err, &bad) {
				t.Fatalf("err = %v, want an InvalidError", err)
			}
			if bad.Field != tt.field || bad.Rule != tt.rule || bad.Message == "" {
				t.Errorf("field %q rule %q message %q, want %q %q", bad.Field, bad.Rule, bad.Message, tt.field, tt.rule)
			}
		})
	}
}

// TestPeriodInOtherZone: the dates are local to the zone given, not UTC.
func TestPeriodInOtherZone(t *testing.T) {
	utc, err := ParsePeriod("2027", "calendar", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	local, err := ParsePeriod("2027", "calendar", hcm)
	if err != nil {
		t.Fatal(err)
	}
	if utc.From.Sub(local.From) != 7*time.Hour {
		t.Errorf("UTC from %s, ICT from %s: want 7 h apart", utc.From, local.From)
	}
}

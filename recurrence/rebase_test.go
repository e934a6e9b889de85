package recurrence

import (
	"slices"
	"testing"
	"time"
)

// betweenFromStart is Between as it was before walks were rebased: it
// walks from StartsAt. The rebased walk must give the same occurrences.
func (r *Rule) betweenFromStart(from, to time.Time) []time.Time {
	var out []time.Time
	next := r.iterator()
	for t, ok := next(); ok && t.Before(to.Add(dstSlack)); t, ok = next() {
		if !t.Before(from) && t.Before(to) {
			out = append(out, t.UTC())
		}
	}
	return sortUnique(out)
}

// Rebasing keeps every rule's phase: INTERVAL counted from the start's
// period, parts taken from DTSTART, BYSETPOS, week starts, daylight-saving
// zones (including a half-hour shift and one at midnight).
func TestRebasedWalkGivesTheSameOccurrences(t *testing.T) {
	rules := []string{
		"FREQ=DAILY;BYHOUR=7;BYMINUTE=0",
		"FREQ=DAILY;INTERVAL=3",
		"FREQ=DAILY;INTERVAL=2;BYHOUR=0,2,23;BYMINUTE=30",
		"FREQ=WEEKLY;INTERVAL=2",
		"FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE",
		"FREQ=WEEKLY;INTERVAL=3;WKST=SU;BYDAY=SU,SA;BYHOUR=9",
		"FREQ=WEEKLY;INTERVAL=4;WKST=TH;BYDAY=MO,FR",
		"FREQ=MONTHLY;INTERVAL=7",
		"FREQ=MONTHLY;INTERVAL=5;BYMONTHDAY=31",
		"FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR",
		"FREQ=MONTHLY;INTERVAL=2;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
		"FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1,15;BYHOUR=8,17",
		"FREQ=YEARLY;INTERVAL=2",
		"FREQ=YEARLY;INTERVAL=3;BYMONTH=2;BYMONTHDAY=29",
		"FREQ=YEARLY;BYWEEKNO=1,20;BYDAY=MO",
		"FREQ=YEARLY;INTERVAL=2;BYYEARDAY=100,-1",
		"FREQ=HOURLY;INTERVAL=5",
		"FREQ=HOURLY;INTERVAL=7;BYDAY=MO,TH;BYMINUTE=10,40",
		"FREQ=HOURLY;INTERVAL=3;BYHOUR=2,3,4,5,14",
		"FREQ=MINUTELY;INTERVAL=45",
		"FREQ=MINUTELY;INTERVAL=25;BYDAY=TU;BYHOUR=1,2,3",
		"FREQ=MINUTELY;INTERVAL=50;BYMONTHDAY=1,31",
	}
	zones := []string{"Asia/Ho_Chi_Minh", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago"}
	starts := []string{"2023-03-26T01:59:17Z", "2024-02-29T23:45:00Z", "2022-10-30T00:30:00Z"}
	for _, raw := range rules {
		for _, zone := range zones {
			for _, startRaw := range starts {
				start, _ := time.Parse(time.RFC3339, startRaw)
				rule, err := Compile(Spec{Rule: raw, Timezone: zone, StartsAt: start})
				if err != nil {
					t.Fatalf("%s: %v", raw, err)
				}
				for _, offset := range []time.Duration{0, 26 * time.Hour, 400 * 24 * time.Hour, 1000*24*time.Hour + 17*time.Minute} {
					from := start.Add(offset)
					to := from.Add(75 * 24 * time.Hour)
					want := rule.betweenFromStart(from, to)
					got := rule.Between(from, to)
					if !slices.EqualFunc(got, want, time.Time.Equal) {
						t.Errorf("%s in %s from %s, window %s: rebased walk differs\n got %v\nwant %v", raw, zone, startRaw, from.Format(time.RFC3339), got, want)
					}
					wantNext := want
					if len(wantNext) > 0 && wantNext[0].Equal(from) {
						wantNext = wantNext[1:]
					}
					if next, ok := rule.Next(from); len(wantNext) > 0 && (!ok || !next.Equal(wantNext[0])) {
						t.Errorf("%s in %s from %s: Next(%s) = %s, want %s", raw, zone, startRaw, from.Format(time.RFC3339), next, wantNext[0])
					}
				}
			}
		}
	}
}

// A schedule that starts in 1970 walks from near the window, not from 1970:
// the walk's steps are about the window's occurrences, where walking from
// the start took millions (2.2 s per view).
func TestWalkFrom1970StartsNearTheWindow(t *testing.T) {
	start := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2026, 11, 20, 1, 30, 0, 0, time.UTC)
	tests := []struct {
		rule     string
		maxSteps int
	}{
		// 30 days of 15 minutes is 2,880 occurrences, plus a day and 3 hours of slack.
		{"FREQ=MINUTELY;INTERVAL=15", 32 * 96},
		{"FREQ=HOURLY;BYMINUTE=0,30", 32 * 48},
		{"FREQ=DAILY;BYHOUR=7;BYMINUTE=0", 40},
		{"FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", 40},
		{"FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1", 10},
	}
	for _, tt := range tests {
		rule, err := Compile(Spec{Rule: tt.rule, StartsAt: start})
		if err != nil {
			t.Fatal(err)
		}
		got, steps := rule.between(now, now.Add(30*24*time.Hour))
		_, _, nextSteps := rule.next(now)
		t.Logf("%s: %d occurrences in 30 days, %d steps; Next took %d steps", tt.rule, len(got), steps, nextSteps)
		if steps > tt.maxSteps || nextSteps > tt.maxSteps {
			t.Errorf("%s: Between took %d steps and Next %d, want at most %d", tt.rule, steps, nextSteps, tt.maxSteps)
		}
	}
}

// A counted rule counts from StartsAt, so its walk starts there; it has at
// most MaxCount occurrences.
func TestCountedRuleStillCountsFromStart(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rule, err := Compile(Spec{Rule: "FREQ=DAILY;COUNT=10", StartsAt: start})
	if err != nil {
		t.Fatal(err)
	}
	got := rule.Between(start.AddDate(0, 0, 5), start.AddDate(1, 0, 0))
	if len(got) != 5 {
		t.Fatalf("occurrences after day 5 = %d, want 5 (the count is from the start)", len(got))
	}
}

// BenchmarkNextFrom1970 is what each schedule view does five times: 2.2 s
// per view when the walk started in 1970.
func BenchmarkNextFrom1970(b *testing.B) {
	rule, err := Compile(Spec{Rule: "FREQ=MINUTELY;INTERVAL=15", StartsAt: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 1, 30, 0, 0, time.UTC)
	for b.Loop() {
		if _, ok := rule.Next(now); !ok {
			b.Fatal("no next occurrence")
		}
	}
}

// A rule that ended long after a 1970 start is not walked from 1970
// either, and finds no occurrence after its end.
func TestEndedRuleFrom1970(t *testing.T) {
	start := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rule, err := Compile(Spec{Rule: "FREQ=MINUTELY;INTERVAL=15", StartsAt: start, EndsAt: &end})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 1, 30, 0, 0, time.UTC)
	got, steps := rule.between(now, now.Add(24*time.Hour))
	_, ok, nextSteps := rule.next(now)
	if len(got) != 0 || ok || steps > 10 || nextSteps > 10 {
		t.Fatalf("ended rule: %d occurrences in %d steps, next found %v in %d steps", len(got), steps, ok, nextSteps)
	}
	last, _ := rule.between(end.Add(-time.Hour), end.Add(time.Hour))
	if len(last) != 5 || !last[4].Equal(end) {
		t.Fatalf("last hour before the end: %v, want 5 ending at %s (ends_at is inclusive)", last, end)
	}
}

package recurrence

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("bad test time %q: %v", s, err)
	}
	return tm
}

func timePtr(t *testing.T, s string) *time.Time {
	tm := mustTime(t, s)
	return &tm
}

func mustCompile(t *testing.T, s Spec) *Rule {
	t.Helper()
	r, err := Compile(s)
	if err != nil {
		t.Fatalf("Compile(%+v): %v", s, err)
	}
	return r
}

func formatAll(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, tm := range ts {
		out[i] = tm.Format(time.RFC3339)
	}
	return out
}

func TestBetween(t *testing.T) {
	tests := []struct {
		name     string
		rule     string
		zone     string
		starts   string
		ends     string
		count    int
		from, to string
		want     []string
	}{
		{
			name: "weekly Monday 07:00 local, count 3, from a Wednesday",
			rule: "FREQ=WEEKLY;BYDAY=MO;BYHOUR=7", starts: "2025-01-01T10:00:00+07:00", count: 3,
			from: "2024-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z",
			want: []string{"2025-01-06T00:00:00Z", "2025-01-13T00:00:00Z", "2025-01-20T00:00:00Z"},
		},
		{
			name: "minute and second come from starts_at",
			rule: "FREQ=DAILY;BYHOUR=7", starts: "2025-01-01T10:23:45+07:00", count: 2,
			from: "2025-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z",
			want: []string{"2025-01-02T00:23:45Z", "2025-01-03T00:23:45Z"},
		},
		{
			name: "starts_at on an occurrence is itself an occurrence",
			rule: "FREQ=WEEKLY;BYDAY=MO;BYHOUR=7", starts: "2025-01-06T07:00:00+07:00", count: 2,
			from: "2025-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z",
			want: []string{"2025-01-06T00:00:00Z", "2025-01-13T00:00:00Z"},
		},
		{
			name: "sub-second starts_at is truncated to the second",
			rule: "FREQ=DAILY", starts: "2025-01-01T07:00:00.900+07:00", count: 2,
			from: "2025-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z",
			want: []string{"2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z"},
		},
		{
			name: "daily at 16:30, today's time already passed",
			rule: "FREQ=DAILY;BYHOUR=16;BYMINUTE=30", starts: "2025-01-01T17:00:00+07:00",
			from: "2025-01-01T00:00:00Z", to: "2025-01-04T00:00:00Z",
			want: []string{"2025-01-02T09:30:00Z", "2025-01-03T09:30:00Z"},
		},
		{
			name: "Monday, Wednesday and Friday",
			rule: "FREQ=WEEKLY;BYDAY=MO,WE,FR;BYHOUR=8;BYMINUTE=0", starts: "2025-01-01T00:00:00+07:00",
			from: "2025-01-01T00:00:00Z", to: "2025-01-11T00:00:00Z",
			want: []string{
				"2025-01-01T01:00:00Z", "2025-01-03T01:00:00Z", "2025-01-06T01:00:00Z",
				"2025-01-08T01:00:00Z", "2025-01-10T01:00:00Z",
			},
		},
		{
			name: "digest every Friday 16:00",
			rule: "FREQ=WEEKLY;BYDAY=FR;BYHOUR=16;BYMINUTE=0", starts: "2025-01-01T00:00:00+07:00",
			from: "2025-01-01T00:00:00Z", to: "2025-01-18T00:00:00Z",
			want: []string{"2025-01-03T09:00:00Z", "2025-01-10T09:00:00Z", "2025-01-17T09:00:00Z"},
		},
		{
			name: "monthly on the 31st skips short months",
			rule: "FREQ=MONTHLY;BYMONTHDAY=31;BYHOUR=9;BYMINUTE=0", starts: "2025-01-01T00:00:00+07:00",
			from: "2025-01-01T00:00:00Z", to: "2025-09-01T00:00:00Z",
			want: []string{
				"2025-01-31T02:00:00Z", "2025-03-31T02:00:00Z", "2025-05-31T02:00:00Z",
				"2025-07-31T02:00:00Z", "2025-08-31T02:00:00Z",
			},
		},
		{
			name: "monthly from a start on the 31st skips short months",
			rule: "FREQ=MONTHLY", starts: "2025-01-31T09:00:00+07:00", count: 4,
			from: "2025-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z",
			want: []string{
				"2025-01-31T02:00:00Z", "2025-03-31T02:00:00Z", "2025-05-31T02:00:00Z", "2025-07-31T02:00:00Z",
			},
		},
		{
			name: "Europe/Berlin keeps 07:00 when clocks spring forward",
			rule: "FREQ=DAILY;BYHOUR=7;BYMINUTE=0", zone: "Europe/Berlin", starts: "2025-03-28T00:00:00Z",
			from: "2025-03-28T00:00:00Z", to: "2025-04-01T00:00:00Z",
			want: []string{
				"2025-03-28T06:00:00Z", "2025-03-29T06:00:00Z", "2025-03-30T05:00:00Z", "2025-03-31T05:00:00Z",
			},
		},
		{
			name: "Europe/Berlin keeps 07:00 when clocks fall back",
			rule: "FREQ=DAILY;BYHOUR=7;BYMINUTE=0", zone: "Europe/Berlin", starts: "2025-10-25T00:00:00Z",
			from: "2025-10-25T00:00:00Z", to: "2025-10-28T00:00:00Z",
			want: []string{"2025-10-25T05:00:00Z", "2025-10-26T06:00:00Z", "2025-10-27T06:00:00Z"},
		},
		{
			// 02:30 does not exist on 30 March in Berlin; Go moves it to
			// 03:30, which the rule also names, so it fires once.
			name: "Europe/Berlin time in the spring-forward gap fires once",
			rule: "FREQ=DAILY;BYHOUR=2,3;BYMINUTE=30", zone: "Europe/Berlin", starts: "2025-03-29T00:00:00Z",
			from: "2025-03-29T00:00:00Z", to: "2025-03-31T00:00:00Z",
			want: []string{"2025-03-29T01:30:00Z", "2025-03-29T02:30:00Z", "2025-03-30T01:30:00Z"},
		},
		{
			name: "UTC zone",
			rule: "FREQ=DAILY;BYHOUR=7;BYMINUTE=0", zone: "UTC", starts: "2025-01-01T00:00:00Z", count: 1,
			from: "2025-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z",
			want: []string{"2025-01-01T07:00:00Z"},
		},
		{
			name: "ends_at exactly on an occurrence includes it",
			rule: "FREQ=DAILY;BYHOUR=9;BYMINUTE=0", starts: "2025-01-01T00:00:00+07:00", ends: "2025-01-03T02:00:00Z",
			from: "2025-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z",
			want: []string{"2025-01-01T02:00:00Z", "2025-01-02T02:00:00Z", "2025-01-03T02:00:00Z"},
		},
		{
			name: "ends_at a second before an occurrence excludes it",
			rule: "FREQ=DAILY;BYHOUR=9;BYMINUTE=0", starts: "2025-01-01T00:00:00+07:00", ends: "2025-01-03T01:59:59Z",
			from: "2025-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z",
			want: []string{"2025-01-01T02:00:00Z", "2025-01-02T02:00:00Z"},
		},
		{
			name: "UNTIL in the rule is inclusive like ends_at",
			rule: "FREQ=DAILY;BYHOUR=9;BYMINUTE=0;UNTIL=20250103T020000Z", starts: "2025-01-01T00:00:00+07:00",
			from: "2025-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z",
			want: []string{"2025-01-01T02:00:00Z", "2025-01-02T02:00:00Z", "2025-01-03T02:00:00Z"},
		},
		{
			name: "floating UNTIL is read in the schedule's zone",
			rule: "FREQ=DAILY;BYHOUR=9;BYMINUTE=0;UNTIL=20250102T090000", starts: "2025-01-01T00:00:00+07:00",
			from: "2025-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z",
			want: []string{"2025-01-01T02:00:00Z", "2025-01-02T02:00:00Z"},
		},
		{
			name: "COUNT in the rule",
			rule: "FREQ=DAILY;BYHOUR=9;BYMINUTE=0;COUNT=2", starts: "2025-01-01T00:00:00+07:00",
			from: "2025-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z",
			want: []string{"2025-01-01T02:00:00Z", "2025-01-02T02:00:00Z"},
		},
		{
			name: "lowercase rule with RRULE: prefix and spaces",
			rule: " rrule:freq=weekly; byday = mo;byhour=7 ", starts: "2025-01-01T10:00:00+07:00", count: 1,
			from: "2025-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z",
			want: []string{"2025-01-06T00:00:00Z"},
		},
		{
			name: "every 15 minutes",
			rule: "FREQ=MINUTELY;INTERVAL=15", starts: "2025-01-01T00:00:00Z",
			from: "2025-01-01T00:00:00Z", to: "2025-01-01T01:00:00Z",
			want: []string{
				"2025-01-01T00:00:00Z", "2025-01-01T00:15:00Z", "2025-01-01T00:30:00Z", "2025-01-01T00:45:00Z",
			},
		},
		{
			name: "from is inclusive and to is exclusive",
			rule: "FREQ=DAILY;BYHOUR=9;BYMINUTE=0", starts: "2025-01-01T00:00:00+07:00",
			from: "2025-01-02T02:00:00Z", to: "2025-01-04T02:00:00Z",
			want: []string{"2025-01-02T02:00:00Z", "2025-01-03T02:00:00Z"},
		},
		{
			name: "window before starts_at is empty",
			rule: "FREQ=DAILY", starts: "2025-01-01T00:00:00+07:00",
			from: "2024-01-01T00:00:00Z", to: "2024-12-31T00:00:00Z",
			want: []string{},
		},
		{
			name: "empty window is empty",
			rule: "FREQ=DAILY", starts: "2025-01-01T00:00:00+07:00",
			from: "2025-02-01T00:00:00Z", to: "2025-02-01T00:00:00Z",
			want: []string{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := Spec{Rule: tc.rule, Timezone: tc.zone, StartsAt: mustTime(t, tc.starts), Count: tc.count}
			if tc.ends != "" {
				spec.EndsAt = timePtr(t, tc.ends)
			}
			r := mustCompile(t, spec)
			got := r.Between(mustTime(t, tc.from), mustTime(t, tc.to))
			if !slices.Equal(formatAll(got), tc.want) {
				t.Errorf("Between = %v, want %v", formatAll(got), tc.want)
			}
			for _, tm := range got {
				if tm.Location() != time.UTC {
					t.Errorf("occurrence %v is not in UTC", tm)
				}
			}
		})
	}
}

// TestBetweenSplitWindows checks what the materialiser relies on: asking
// in pieces gives the same occurrences as asking at once, and never more
// than Count in total.
func TestBetweenSplitWindows(t *testing.T) {
	tests := []struct {
		name  string
		rule  string
		count int
		want  int // total occurrences in the whole range
	}{
		{name: "weekly with count 5", rule: "FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=7;BYMINUTE=0", count: 5, want: 5},
		{name: "daily without end", rule: "FREQ=DAILY;BYHOUR=16;BYMINUTE=30", want: 90},
		{name: "hourly with count 40", rule: "FREQ=HOURLY;BYMINUTE=0,30", count: 40, want: 40},
	}
	start := mustTime(t, "2025-01-01T10:00:00+07:00")
	from, to := mustTime(t, "2024-12-01T00:00:00Z"), mustTime(t, "2025-04-01T00:00:00Z")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := mustCompile(t, Spec{Rule: tc.rule, StartsAt: start, Count: tc.count})
			whole := r.Between(from, to)
			if len(whole) != tc.want {
				t.Fatalf("whole range has %d occurrences, want %d", len(whole), tc.want)
			}
			// Split at arbitrary instants and exactly at each occurrence.
			splits := []time.Time{start, start.Add(36 * time.Hour), start.Add(30 * 24 * time.Hour)}
			splits = append(splits, whole...)
			for _, mid := range splits {
				first, second := r.Between(from, mid), r.Between(mid, to)
				union := append(slices.Clone(first), second...)
				if !slices.EqualFunc(union, whole, time.Time.Equal) {
					t.Fatalf("split at %v: %v + %v, want %v", mid, formatAll(first), formatAll(second), formatAll(whole))
				}
			}
			if again := r.Between(from, to); !slices.EqualFunc(again, whole, time.Time.Equal) {
				t.Fatalf("second call gave %v, want %v", formatAll(again), formatAll(whole))
			}
			if tc.count > 0 {
				later := r.Between(to, to.AddDate(1, 0, 0))
				if len(later) != 0 {
					t.Fatalf("after count is used up got %v", formatAll(later))
				}
			}
		})
	}
}

func TestNext(t *testing.T) {
	spec := Spec{Rule: "FREQ=WEEKLY;BYDAY=MO;BYHOUR=7", StartsAt: mustTime(t, "2025-01-01T10:00:00+07:00"), Count: 3}
	r := mustCompile(t, spec)
	tests := []struct {
		name   string
		after  string
		want   string
		wantOK bool
	}{
		{name: "before starts_at gives the first", after: "2024-06-01T00:00:00Z", want: "2025-01-06T00:00:00Z", wantOK: true},
		{name: "on an occurrence gives the following one", after: "2025-01-06T00:00:00Z", want: "2025-01-13T00:00:00Z", wantOK: true},
		{name: "between occurrences", after: "2025-01-14T00:00:00Z", want: "2025-01-20T00:00:00Z", wantOK: true},
		{name: "after the last one", after: "2025-01-20T00:00:00Z", wantOK: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := r.Next(mustTime(t, tc.after))
			if ok != tc.wantOK {
				t.Fatalf("Next ok = %v, want %v (got %v)", ok, tc.wantOK, got)
			}
			if ok && got.Format(time.RFC3339) != tc.want {
				t.Errorf("Next = %v, want %v", got.Format(time.RFC3339), tc.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	start := "2025-01-01T10:00:00+07:00"
	tests := []struct {
		name    string
		rule    string
		zone    string
		starts  string
		ends    string
		count   int
		field   string
		message string
	}{
		{name: "empty rule", rule: " ", field: "rule", message: "rule is required"},
		{name: "no FREQ", rule: "BYDAY=MO;BYHOUR=7", field: "rule", message: "rule: FREQ is required"},
		{name: "unknown FREQ", rule: "FREQ=FORTNIGHTLY", field: "rule", message: "rule: undefined frequency: FORTNIGHTLY"},
		{name: "unknown part", rule: "FREQ=DAILY;FOO=1", field: "rule", message: "rule: unknown RRULE property: FOO"},
		{name: "malformed part", rule: "FREQ=DAILY;", field: "rule", message: "rule: wrong format"},
		{name: "part given twice", rule: "FREQ=DAILY;BYHOUR=7;BYHOUR=8", field: "rule", message: "rule: BYHOUR is given twice"},
		{name: "DTSTART inside the rule", rule: "FREQ=DAILY;DTSTART=20250101T000000Z", field: "rule", message: "rule: DTSTART is not allowed; use starts_at"},
		{name: "DTSTART line", rule: "DTSTART:20250101T000000Z\nRRULE:FREQ=DAILY", field: "rule", message: "rule: give a single RRULE line"},
		{name: "hour out of range", rule: "FREQ=DAILY;BYHOUR=24", field: "rule", message: "rule: byhour must be between 0 and 23"},
		{name: "zero interval", rule: "FREQ=DAILY;INTERVAL=0", field: "rule", message: "rule: INTERVAL must be at least 1"},
		{name: "negative interval", rule: "FREQ=DAILY;INTERVAL=-2", field: "rule", message: "rule: INTERVAL must be at least 1"},
		{name: "secondly", rule: "FREQ=SECONDLY;INTERVAL=900", field: "rule", message: "rule: FREQ=SECONDLY is not allowed; a schedule fires at most every 15 minutes"},
		{name: "every minute", rule: "FREQ=MINUTELY", field: "rule", message: "rule: occurrences could be 1m0s apart; a schedule fires at most every 15 minutes"},
		{name: "every 5 minutes", rule: "FREQ=MINUTELY;INTERVAL=5", field: "rule", message: "rule: occurrences could be 5m0s apart; a schedule fires at most every 15 minutes"},
		{name: "hourly at :00 and :10", rule: "FREQ=HOURLY;BYMINUTE=0,10", field: "rule", message: "rule: occurrences could be 10m0s apart; a schedule fires at most every 15 minutes"},
		{name: "daily across midnight", rule: "FREQ=DAILY;BYHOUR=0,23;BYMINUTE=5,55", field: "rule", message: "rule: occurrences could be 10m0s apart; a schedule fires at most every 15 minutes"},
		{name: "weekly with many seconds", rule: "FREQ=WEEKLY;BYHOUR=7;BYSECOND=0,30", field: "rule", message: "rule: occurrences could be 30s apart; a schedule fires at most every 15 minutes"},
		{name: "never fires", rule: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", field: "rule", message: "rule: no occurrence on or after starts_at"},
		{name: "no occurrence before ends_at", rule: "FREQ=WEEKLY;BYDAY=MO", ends: "2025-01-03T00:00:00Z", field: "rule", message: "rule: no occurrence between starts_at and ends_at"},
		{name: "unknown time zone", rule: "FREQ=DAILY", zone: "Mars/Olympus", field: "timezone", message: `timezone: unknown time zone "Mars/Olympus"`},
		{name: "server-local time zone", rule: "FREQ=DAILY", zone: "Local", field: "timezone", message: `timezone: unknown time zone "Local"`},
		{name: "no starts_at", rule: "FREQ=DAILY", starts: "-", field: "starts_at", message: "starts_at is required"},
		{name: "negative count", rule: "FREQ=DAILY", count: -1, field: "count", message: "count must be between 1 and 1000"},
		{name: "count too large", rule: "FREQ=DAILY", count: 1001, field: "count", message: "count must be between 1 and 1000"},
		{name: "ends_at and count", rule: "FREQ=DAILY", ends: "2025-02-01T00:00:00Z", count: 3, field: "ends_at", message: "give ends_at or count, not both"},
		{name: "ends_at equal to starts_at", rule: "FREQ=DAILY", ends: start, field: "ends_at", message: "ends_at must be after starts_at"},
		{name: "ends_at before starts_at", rule: "FREQ=DAILY", ends: "2024-01-01T00:00:00Z", field: "ends_at", message: "ends_at must be after starts_at"},
		{name: "UNTIL and ends_at", rule: "FREQ=DAILY;UNTIL=20250201T000000Z", ends: "2025-02-01T00:00:00Z", field: "rule", message: "rule: UNTIL conflicts with ends_at; give only one"},
		{name: "COUNT and count", rule: "FREQ=DAILY;COUNT=2", count: 2, field: "rule", message: "rule: COUNT conflicts with count; give only one"},
		{name: "UNTIL and count", rule: "FREQ=DAILY;UNTIL=20250201T000000Z", count: 2, field: "rule", message: "rule: give an end (UNTIL or ends_at) or a count (COUNT or count), not both"},
		{name: "COUNT and ends_at", rule: "FREQ=DAILY;COUNT=2", ends: "2025-02-01T00:00:00Z", field: "rule", message: "rule: give an end (UNTIL or ends_at) or a count (COUNT or count), not both"},
		{name: "UNTIL and COUNT in the rule", rule: "FREQ=DAILY;COUNT=2;UNTIL=20250201T000000Z", field: "rule", message: "rule: give an end (UNTIL or ends_at) or a count (COUNT or count), not both"},
		{name: "COUNT zero", rule: "FREQ=DAILY;COUNT=0", field: "rule", message: "rule: COUNT must be between 1 and 1000"},
		{name: "COUNT too large", rule: "FREQ=DAILY;COUNT=5000", field: "rule", message: "rule: COUNT must be between 1 and 1000"},
		{name: "UNTIL before starts_at", rule: "FREQ=DAILY;UNTIL=20240101T000000Z", field: "rule", message: "rule: UNTIL must be after starts_at"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := Spec{Rule: tc.rule, Timezone: tc.zone, Count: tc.count}
			switch tc.starts {
			case "":
				spec.StartsAt = mustTime(t, start)
			case "-":
			default:
				spec.StartsAt = mustTime(t, tc.starts)
			}
			if tc.ends != "" {
				spec.EndsAt = timePtr(t, tc.ends)
			}
			r, err := Compile(spec)
			if err == nil {
				t.Fatalf("Compile succeeded (%q), want an error", r.raw)
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T %v is not a *FieldError", err, err)
			}
			if fe.Field != tc.field || fe.Message != tc.message || err.Error() != tc.message {
				t.Errorf("got field %q message %q, want field %q message %q", fe.Field, fe.Message, tc.field, tc.message)
			}
		})
	}
}

func TestFieldErrorUnwrap(t *testing.T) {
	_, err := Compile(Spec{Rule: "FREQ=DAILY", Timezone: "Mars/Olympus", StartsAt: time.Now()})
	if errors.Unwrap(err) == nil {
		t.Fatal("time zone error does not unwrap to its cause")
	}
	_, err = Compile(Spec{Rule: "FREQ=DAILY;BYHOUR=24", StartsAt: time.Now()})
	if cause := errors.Unwrap(err); cause == nil || !strings.Contains(cause.Error(), "byhour") {
		t.Fatalf("rule error unwraps to %v, want the library's error", cause)
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		name   string
		rule   string
		zone   string
		starts string
		want   string
	}{
		{name: "weekly Monday", rule: "FREQ=WEEKLY;BYDAY=MO;BYHOUR=7", want: "Hằng tuần vào Thứ Hai lúc 07:00"},
		{name: "three weekdays, sorted", rule: "FREQ=WEEKLY;BYDAY=FR,MO,WE;BYHOUR=8;BYMINUTE=30", want: "Thứ Hai, Thứ Tư và Thứ Sáu hằng tuần lúc 08:30"},
		{name: "two weekdays", rule: "FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=7;BYMINUTE=0", want: "Thứ Ba và Thứ Năm hằng tuần lúc 07:00"},
		{name: "two weekdays every other week", rule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;BYHOUR=7", want: "Mỗi 2 tuần vào Thứ Ba và Thứ Năm lúc 07:00"},
		{name: "weekday from starts_at", rule: "FREQ=WEEKLY", want: "Hằng tuần vào Thứ Tư lúc 10:00"},
		{name: "every other Sunday", rule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU", want: "Mỗi 2 tuần vào Chủ Nhật lúc 10:00"},
		{name: "digest Friday 16:00", rule: "FREQ=WEEKLY;BYDAY=FR;BYHOUR=16;BYMINUTE=0", want: "Hằng tuần vào Thứ Sáu lúc 16:00"},
		{name: "daily", rule: "FREQ=DAILY;BYHOUR=16;BYMINUTE=30", want: "Hằng ngày lúc 16:30"},
		{name: "every two days, twice", rule: "FREQ=DAILY;INTERVAL=2;BYHOUR=17,7;BYMINUTE=0", want: "Mỗi 2 ngày lúc 07:00 và 17:00"},
		{name: "with seconds", rule: "FREQ=DAILY;BYHOUR=7;BYSECOND=30", want: "Hằng ngày lúc 07:00:30"},
		{name: "month days", rule: "FREQ=MONTHLY;BYMONTHDAY=15,1;BYHOUR=9", want: "Hằng tháng vào ngày 1 và 15 lúc 09:00"},
		{name: "last day of month", rule: "FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=17", want: "Hằng tháng vào ngày cuối tháng lúc 17:00"},
		{name: "first and last day of month", rule: "FREQ=MONTHLY;BYMONTHDAY=1,-1;BYHOUR=17", want: "Hằng tháng vào ngày 1 và ngày cuối tháng lúc 17:00"},
		{name: "first Monday", rule: "FREQ=MONTHLY;BYDAY=1MO;BYHOUR=8", want: "Hằng tháng vào Thứ Hai đầu tiên lúc 08:00"},
		{name: "last Friday", rule: "FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=16", want: "Hằng tháng vào Thứ Sáu cuối cùng lúc 16:00"},
		{name: "month day from starts_at", rule: "FREQ=MONTHLY", starts: "2025-01-31T09:00:00+07:00", want: "Hằng tháng vào ngày 31 lúc 09:00"},
		{name: "other zone is named", rule: "FREQ=DAILY;BYHOUR=7;BYMINUTE=0", zone: "Europe/Berlin", want: "Hằng ngày lúc 07:00 (giờ Europe/Berlin)"},
		{name: "yearly falls back", rule: "freq=yearly;bymonth=9;bymonthday=2", want: "freq=yearly;bymonth=9;bymonthday=2"},
		{name: "second Tuesday falls back", rule: "FREQ=MONTHLY;BYDAY=2TU", want: "FREQ=MONTHLY;BYDAY=2TU"},
		{name: "hourly falls back", rule: "FREQ=HOURLY;BYMINUTE=0,30", want: "FREQ=HOURLY;BYMINUTE=0,30"},
		{name: "daily with weekdays falls back", rule: "FREQ=DAILY;BYDAY=MO,TU", want: "FREQ=DAILY;BYDAY=MO,TU"},
		{name: "set position falls back", rule: "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", want: "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"},
		{name: "many times fall back", rule: "FREQ=DAILY;BYHOUR=6,8,10,12,14,16,18", want: "FREQ=DAILY;BYHOUR=6,8,10,12,14,16,18"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			starts := tc.starts
			if starts == "" {
				starts = "2025-01-01T10:00:00+07:00" // a Wednesday
			}
			r := mustCompile(t, Spec{Rule: tc.rule, Timezone: tc.zone, StartsAt: mustTime(t, starts)})
			if got := r.Describe(); got != tc.want {
				t.Errorf("Describe = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestConcurrentUse runs under -race: the library writes to its rule while
// iterating, so Rule must not share one between calls.
func TestConcurrentUse(t *testing.T) {
	r := mustCompile(t, Spec{Rule: "FREQ=DAILY;BYHOUR=7;BYMINUTE=0", StartsAt: mustTime(t, "2025-01-01T00:00:00Z"), Count: 20})
	from, to := mustTime(t, "2025-01-01T00:00:00Z"), mustTime(t, "2026-01-01T00:00:00Z")
	want := r.Between(from, to)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if got := r.Between(from, to); !slices.EqualFunc(got, want, time.Time.Equal) {
				t.Errorf("concurrent Between = %v, want %v", formatAll(got), formatAll(want))
			}
			r.Next(from)
		})
	}
	wg.Wait()
}

package recurrence

import (
	"fmt"
	"slices"
	"time"

	"github.com/teambition/rrule-go"
)

// checkSpacing refuses rules whose occurrences could come less than
// MinSpacing apart. It reasons about the rule's pattern rather than sampling
// occurrences, so the verdict does not depend on the start date.
//
// FREQ=SECONDLY is refused outright: news never needs it. MINUTELY, HOURLY
// and coarser rules are allowed when their pattern keeps MinSpacing, e.g.
// FREQ=MINUTELY;INTERVAL=15 or FREQ=HOURLY;BYMINUTE=0,30. The check is on
// wall-clock time; on the day clocks spring forward two occurrences may
// come closer once, which is harmless.
func checkSpacing(opt rrule.ROption) error {
	if opt.Freq == rrule.SECONDLY {
		return newFieldError("rule", "rule: FREQ=SECONDLY is not allowed; a schedule fires at most every 15 minutes", nil)
	}
	if gap := smallestGap(opt); gap < MinSpacing {
		msg := fmt.Sprintf("rule: occurrences could be %s apart; a schedule fires at most every 15 minutes", gap)
		return newFieldError("rule", msg, nil)
	}
	return nil
}

// smallestGap works because, within one period of the rule's frequency, the
// rule fires at a fixed set of offsets (the BYHOUR × BYMINUTE × BYSECOND
// parts finer than the frequency), while the other BY parts only drop whole
// periods. So the smallest gap is the smallest step between offsets, or from
// the last offset to the first one of the next period. This is conservative:
// FREQ=MINUTELY;BYMINUTE=0,30 is refused although it fires every 30 minutes;
// FREQ=HOURLY;BYMINUTE=0,30 says the same thing and is accepted.
func smallestGap(opt rrule.ROption) time.Duration {
	period, offsets := firingPattern(opt)
	slices.Sort(offsets)
	offsets = slices.Compact(offsets)
	gap := period - (offsets[len(offsets)-1] - offsets[0])
	for i := 1; i < len(offsets); i++ {
		gap = min(gap, offsets[i]-offsets[i-1])
	}
	return gap
}

// firingPattern returns the rule's period and the offsets it fires at within
// one period. Parts the rule leaves out come from DTSTART, as in the library.
func firingPattern(opt rrule.ROption) (time.Duration, []time.Duration) {
	interval := time.Duration(max(opt.Interval, 1))
	start := opt.Dtstart
	hours := orDefault(opt.Byhour, start.Hour())
	minutes := orDefault(opt.Byminute, start.Minute())
	seconds := orDefault(opt.Bysecond, start.Second())
	switch opt.Freq {
	case rrule.MINUTELY:
		return interval * time.Minute, offsets([]int{0}, []int{0}, seconds)
	case rrule.HOURLY:
		return interval * time.Hour, offsets([]int{0}, minutes, seconds)
	case rrule.DAILY:
		return interval * 24 * time.Hour, offsets(hours, minutes, seconds)
	default:
		// Weekly, monthly and yearly rules may fire on consecutive days.
		return 24 * time.Hour, offsets(hours, minutes, seconds)
	}
}

func orDefault(values []int, fallback int) []int {
	if len(values) == 0 {
		return []int{fallback}
	}
	return values
}

func offsets(hours, minutes, seconds []int) []time.Duration {
	var out []time.Duration
	for _, h := range hours {
		for _, m := range minutes {
			for _, s := range seconds {
				d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second
				out = append(out, d)
			}
		}
	}
	return out
}

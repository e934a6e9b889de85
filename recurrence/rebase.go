package recurrence

import (
	"time"

	"github.com/teambition/rrule-go"
)

// rebaseSlack is how far before the asked time a rebased walk starts, so
// that wall-clock shifts (see dstSlack) cannot hide an occurrence.
const rebaseSlack = 24 * time.Hour

// iteratorNear returns an iterator that yields, in the library's order,
// every occurrence at or after t, and perhaps some before it. For a rule
// without a count it does not walk from StartsAt: a schedule that started in
// 1970 would take millions of steps to reach today. Instead it starts the
// library at the beginning of a period of the rule near t that is a whole
// number of INTERVALs after the start's period, with every part the library
// would have taken from DTSTART written out, so the occurrences are exactly
// those of the walk from StartsAt. A counted rule walks from StartsAt, since
// its count is counted from there; it has at most MaxCount occurrences.
func (r *Rule) iteratorNear(t time.Time) rrule.Next {
	if r.counted {
		return r.iterator()
	}
	start, ok := r.periodStart(t.Add(-rebaseSlack))
	if !ok {
		return r.iterator()
	}
	opt := r.explicit
	opt.Dtstart = start
	lib, err := rrule.NewRRule(opt)
	if err != nil {
		return r.iterator()
	}
	return lib.Iterator()
}

// explicitDefaults writes out the parts rrule-go fills in from DTSTART
// (see its buildRRule), so they no longer depend on it.
func explicitDefaults(opt rrule.ROption) rrule.ROption {
	s := opt.Dtstart
	if len(opt.Byweekno) == 0 && len(opt.Byyearday) == 0 && len(opt.Bymonthday) == 0 &&
		len(opt.Byweekday) == 0 && len(opt.Byeaster) == 0 {
		switch opt.Freq {
		case rrule.YEARLY:
			if len(opt.Bymonth) == 0 {
				opt.Bymonth = []int{int(s.Month())}
			}
			opt.Bymonthday = []int{s.Day()}
		case rrule.MONTHLY:
			opt.Bymonthday = []int{s.Day()}
		case rrule.WEEKLY:
			opt.Byweekday = []rrule.Weekday{libWeekday(s.Weekday())}
		}
	}
	if len(opt.Byhour) == 0 && opt.Freq < rrule.HOURLY {
		opt.Byhour = []int{s.Hour()}
	}
	if len(opt.Byminute) == 0 && opt.Freq < rrule.MINUTELY {
		opt.Byminute = []int{s.Minute()}
	}
	if len(opt.Bysecond) == 0 && opt.Freq < rrule.SECONDLY {
		opt.Bysecond = []int{s.Second()}
	}
	return opt
}

func libWeekday(d time.Weekday) rrule.Weekday {
	return [...]rrule.Weekday{rrule.SU, rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA}[d]
}

// periodStart returns the start of the rule's period that contains t's
// wall-clock time, moved back to a whole number of INTERVALs after the
// period of DTSTART. The library counts periods on wall-clock fields
// (years, months, days, hours, minutes), so this is done on them too. It
// reports false when that period is DTSTART's own or earlier, or when the
// wall-clock time does not exist in the zone.
func (r *Rule) periodStart(t time.Time) (time.Time, bool) {
	opt := r.explicit
	s := opt.Dtstart // already in r.loc
	w := t.In(r.loc)
	interval := max(opt.Interval, 1)
	sd, wd := civilDay(s), civilDay(w)
	var steps int // periods from DTSTART's period to w's
	switch opt.Freq {
	case rrule.YEARLY:
		steps = w.Year() - s.Year()
	case rrule.MONTHLY:
		steps = (w.Year()-s.Year())*12 + int(w.Month()) - int(s.Month())
	case rrule.WEEKLY:
		wkst := time.Weekday((opt.Wkst.Day() + 1) % 7) // the library counts Monday as 0
		sd -= (int(s.Weekday()) - int(wkst) + 7) % 7
		wd -= (int(w.Weekday()) - int(wkst) + 7) % 7
		steps = (wd - sd) / 7
	case rrule.DAILY:
		steps = wd - sd
	case rrule.HOURLY:
		steps = (wd-sd)*24 + w.Hour() - s.Hour()
	case rrule.MINUTELY:
		steps = ((wd-sd)*24+w.Hour()-s.Hour())*60 + w.Minute() - s.Minute()
	default:
		return time.Time{}, false
	}
	k := steps / interval * interval
	if k <= 0 {
		return time.Time{}, false
	}
	var start time.Time
	switch opt.Freq {
	case rrule.YEARLY:
		start = time.Date(s.Year()+k, 1, 1, 0, 0, 0, 0, r.loc)
	case rrule.MONTHLY:
		start = time.Date(s.Year(), s.Month()+time.Month(k), 1, 0, 0, 0, 0, r.loc)
	case rrule.WEEKLY:
		start = dayStart(sd+7*k, 0, 0, r.loc)
	case rrule.DAILY:
		start = dayStart(sd+k, 0, 0, r.loc)
	case rrule.HOURLY:
		minutes := s.Hour()*60 + k*60
		start = dayStart(sd+minutes/1440, minutes%1440/60, 0, r.loc)
		if start.Hour() != minutes%1440/60 {
			return time.Time{}, false
		}
	case rrule.MINUTELY:
		minutes := s.Hour()*60 + s.Minute() + k
		start = dayStart(sd+minutes/1440, minutes%1440/60, minutes%60, r.loc)
		if start.Hour()*60+start.Minute() != minutes%1440 {
			return time.Time{}, false
		}
	}
	return start, true
}

// civilDay numbers t's wall-clock date: days since 1970-01-01.
func civilDay(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func dayStart(day, hour, minute int, loc *time.Location) time.Time {
	y, m, d := time.Unix(int64(day)*86400, 0).UTC().Date()
	return time.Date(y, m, d, hour, minute, 0, 0, loc)
}

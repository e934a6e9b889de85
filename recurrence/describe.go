package recurrence

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/teambition/rrule-go"
)

// maxDescribedTimes keeps descriptions short; a rule firing at more times of
// day than this is shown raw.
const maxDescribedTimes = 6

// Describe returns a short Vietnamese description of the rule for the UI,
// e.g. "Hằng tuần vào Thứ Hai lúc 07:00". Daily, weekly and monthly rules
// with BYDAY, BYMONTHDAY, BYHOUR, BYMINUTE and BYSECOND are described; any
// other rule is returned as the user wrote it. Times are local to the
// schedule's zone, which is named when it is not DefaultTimezone. EndsAt and
// Count are not described: the UI shows them as fields of their own.
func (r *Rule) Describe() string {
	text, ok := r.Described()
	if !ok {
		return r.raw
	}
	return text
}

// Described is Describe's text and true, or "" and false for a rule it
// cannot put in words, which a page then shows by its next dates.
func (r *Rule) Described() (string, bool) {
	text, ok := describeRule(r.lib.OrigOptions)
	if !ok {
		return "", false
	}
	if name := r.loc.String(); name != DefaultTimezone {
		text += " (giờ " + name + ")"
	}
	return text, true
}

func describeRule(opt rrule.ROption) (string, bool) {
	if len(opt.Bymonth)+len(opt.Byyearday)+len(opt.Byweekno)+len(opt.Bysetpos)+len(opt.Byeaster) > 0 {
		return "", false
	}
	period, ok := describePeriod(opt)
	if !ok {
		return "", false
	}
	days, ok := describeDays(opt)
	if !ok {
		return "", false
	}
	times, ok := describeTimes(opt)
	if !ok {
		return "", false
	}
	// Several weekdays every week read best days first: "Thứ Hai, Thứ Tư
	// và Thứ Sáu hằng tuần lúc 07:00".
	if opt.Freq == rrule.WEEKLY && opt.Interval <= 1 && strings.Contains(days, " và ") {
		return strings.TrimPrefix(days, " vào ") + " hằng tuần lúc " + times, true
	}
	return period + days + " lúc " + times, true
}

func describePeriod(opt rrule.ROption) (string, bool) {
	unit, ok := map[rrule.Frequency]string{
		rrule.DAILY: "ngày", rrule.WEEKLY: "tuần", rrule.MONTHLY: "tháng",
	}[opt.Freq]
	if !ok {
		return "", false
	}
	if opt.Interval <= 1 {
		return "Hằng " + unit, true
	}
	return fmt.Sprintf("Mỗi %d %s", opt.Interval, unit), true
}

// describeDays returns the " vào …" part; missing parts come from DTSTART,
// as they do for the occurrences.
func describeDays(opt rrule.ROption) (string, bool) {
	switch opt.Freq {
	case rrule.DAILY:
		return "", len(opt.Byweekday) == 0 && len(opt.Bymonthday) == 0
	case rrule.WEEKLY:
		return describeWeekly(opt)
	default:
		return describeMonthly(opt)
	}
}

func describeWeekly(opt rrule.ROption) (string, bool) {
	if len(opt.Bymonthday) > 0 {
		return "", false
	}
	days := slices.Clone(opt.Byweekday)
	if len(days) == 0 {
		days = []rrule.Weekday{weekdayOf(opt)}
	}
	slices.SortFunc(days, func(a, b rrule.Weekday) int { return a.Day() - b.Day() })
	days = slices.Compact(days)
	names := make([]string, 0, len(days))
	for _, d := range days {
		if d.N() != 0 {
			return "", false
		}
		names = append(names, weekdayName(d.Day()))
	}
	return " vào " + joinVietnamese(names), true
}

func describeMonthly(opt rrule.ROption) (string, bool) {
	switch {
	case len(opt.Bymonthday) > 0 && len(opt.Byweekday) > 0:
		return "", false
	case len(opt.Byweekday) > 0:
		return describeNthWeekdays(opt.Byweekday)
	case len(opt.Bymonthday) > 0:
		return describeMonthDays(opt.Bymonthday)
	default:
		return describeMonthDays([]int{opt.Dtstart.Day()})
	}
}

func describeMonthDays(days []int) (string, bool) {
	days = slices.Clone(days)
	slices.Sort(days)
	days = slices.Compact(days)
	var numbered []string
	last := false
	for _, d := range days {
		switch {
		case d > 0:
			numbered = append(numbered, fmt.Sprint(d))
		case d == -1:
			last = true
		default:
			return "", false
		}
	}
	var parts []string
	if len(numbered) > 0 {
		parts = append(parts, "ngày "+joinVietnamese(numbered))
	}
	if last {
		parts = append(parts, "ngày cuối tháng")
	}
	return " vào " + strings.Join(parts, " và "), true
}

// describeNthWeekdays covers "the first Monday" and "the last Friday" of the
// month; other positions are rare enough to show raw.
func describeNthWeekdays(days []rrule.Weekday) (string, bool) {
	names := make([]string, 0, len(days))
	for _, d := range days {
		switch d.N() {
		case 1:
			names = append(names, weekdayName(d.Day())+" đầu tiên")
		case -1:
			names = append(names, weekdayName(d.Day())+" cuối cùng")
		default:
			return "", false
		}
	}
	return " vào " + joinVietnamese(names), true
}

// describeTimes lists the local times of day, HH:MM, or HH:MM:SS when any
// second is not zero.
func describeTimes(opt rrule.ROption) (string, bool) {
	start := opt.Dtstart
	offs := offsets(orDefault(opt.Byhour, start.Hour()),
		orDefault(opt.Byminute, start.Minute()),
		orDefault(opt.Bysecond, start.Second()))
	slices.Sort(offs)
	offs = slices.Compact(offs)
	if len(offs) > maxDescribedTimes {
		return "", false
	}
	withSeconds := slices.ContainsFunc(offs, func(d time.Duration) bool { return d%time.Minute != 0 })
	names := make([]string, 0, len(offs))
	for _, d := range offs {
		names = append(names, clock(d, withSeconds))
	}
	return joinVietnamese(names), true
}

// weekdayName names a weekday as rrule-go numbers it, Monday being 0.
func weekdayName(day int) string {
	return [...]string{"Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"}[day]
}

// weekdayOf is DTSTART's weekday, which a WEEKLY rule without BYDAY uses.
func weekdayOf(opt rrule.ROption) rrule.Weekday {
	days := [...]rrule.Weekday{rrule.SU, rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA}
	return days[opt.Dtstart.Weekday()]
}

// joinVietnamese joins "a", "a và b", "a, b và c".
func joinVietnamese(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " và " + items[len(items)-1]
}

func clock(d time.Duration, withSeconds bool) string {
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	if withSeconds {
		return fmt.Sprintf("%02d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%02d:%02d", h, m)
}

package reports

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/loa-vn/loa/publishing"
)

// Cut-offs a period may follow.
const (
	// CutoffDecree is the data cut-off of Nghị định 09/2019/NĐ-CP, Art. 12:
	// a quarter runs from the 15th of the month before it to the 14th of
	// its last month; a half-year and a year from 15 December before.
	CutoffDecree = "decree"
	// CutoffCalendar is the natural quarter, half-year or year.
	CutoffCalendar = "calendar"
)

// Limits on periods.
const (
	MinYear = 2000
	MaxYear = 2100
	// MaxCustomDays caps a from..to range (both days counted).
	MaxCustomDays = 366
	// maxPeriodKey caps the length of a period key read from a request.
	maxPeriodKey = 32
)

// Rules a period's InvalidError may name (Rule), so pages say them in
// their own words.
const (
	RuleBadPeriod   = "bad_period"
	RuleBadCutoff   = "bad_cutoff"
	RuleYearRange   = "year_out_of_range"
	RulePeriodOrder = "period_reversed"
	RulePeriodLong  = "period_too_long"
)

var (
	yearKey    = regexp.MustCompile(`^(\d{4})$`)
	quarterKey = regexp.MustCompile(`^(\d{4})-Q([1-4])$`)
	halfKey    = regexp.MustCompile(`^(\d{4})-H([12])$`)
	rangeKey   = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$`)
)

var romanQuarters = [...]string{"I", "II", "III", "IV"}

// ParsePeriod reads a period key — "2027-Q1", "2027-H1", "2027-H2",
// "2027" or "2027-01-01..2027-02-15" — and a cut-off ("" means decree)
// into the period's exact local dates in loc. A from..to range is taken
// as it is, whatever the cut-off, and reported as a calendar period.
func ParsePeriod(key, cutoff string, loc *time.Location) (Period, error) {
	if cutoff == "" {
		cutoff = CutoffDecree
	}
	if cutoff != CutoffDecree && cutoff != CutoffCalendar {
		return Period{}, periodError("cutoff", RuleBadCutoff, `must be "decree" or "calendar"`)
	}
	key = strings.TrimSpace(key)
	if len(key) > maxPeriodKey {
		return Period{}, periodError("period", RuleBadPeriod, "is too long")
	}
	if m := rangeKey.FindStringSubmatch(key); m != nil {
		return customPeriod(key, m[1], m[2], loc)
	}
	year, span, part, err := splitKey(key)
	if err != nil {
		return Period{}, err
	}
	p := Period{Key: key, Cutoff: cutoff}
	firstMonth := time.Month(1 + (part-1)*span)
	lastMonth := firstMonth + time.Month(span) - 1
	if cutoff == CutoffCalendar {
		p.From = time.Date(year, firstMonth, 1, 0, 0, 0, 0, loc)
		p.To = time.Date(year, lastMonth+1, 1, 0, 0, 0, 0, loc)
	} else {
		// The 15th of the month before the first one to the 14th of the
		// last one: To is the 15th of the last month, exclusive.
		p.From = time.Date(year, firstMonth-1, 15, 0, 0, 0, 0, loc)
		p.To = time.Date(year, lastMonth, 15, 0, 0, 0, 0, loc)
	}
	p.Label = periodLabel(year, span, part)
	return p, nil
}

// splitKey reads a year, quarter or half-year key: span is the months the
// period covers, part which of them in the year (1-based).
func splitKey(key string) (year, span, part int, err error) {
	var m []string
	switch {
	case yearKey.MatchString(key):
		m, span = append(yearKey.FindStringSubmatch(key), "1"), 12
	case quarterKey.MatchString(key):
		m, span = quarterKey.FindStringSubmatch(key), 3
	case halfKey.MatchString(key):
		m, span = halfKey.FindStringSubmatch(key), 6
	default:
		return 0, 0, 0, periodError("period", RuleBadPeriod,
			`must be a year ("2027"), a quarter ("2027-Q1"), a half-year ("2027-H1") or dates ("2027-01-01..2027-02-15")`)
	}
	year, _ = strconv.Atoi(m[1])
	part, _ = strconv.Atoi(m[2])
	if year < MinYear || year > MaxYear {
		return 0, 0, 0, periodError("period", RuleYearRange, fmt.Sprintf("the year must be from %d to %d", MinYear, MaxYear))
	}
	return year, span, part, nil
}

func periodLabel(year, span, part int) string {
	switch span {
	case 3:
		return fmt.Sprintf("quý %s năm %d", romanQuarters[part-1], year)
	case 6:
		if part == 1 {
			return fmt.Sprintf("6 tháng đầu năm %d", year)
		}
		return fmt.Sprintf("6 tháng cuối năm %d", year)
	}
	return fmt.Sprintf("năm %d", year)
}

// customPeriod is the range from..to, both days included.
func customPeriod(key, from, to string, loc *time.Location) (Period, error) {
	first, err := parseDay(from, loc)
	if err != nil {
		return Period{}, err
	}
	last, err := parseDay(to, loc)
	if err != nil {
		return Period{}, err
	}
	if last.Before(first) {
		return Period{}, periodError("period", RulePeriodOrder, "the first date is after the last")
	}
	end := last.AddDate(0, 0, 1)
	if end.After(first.AddDate(0, 0, MaxCustomDays)) {
		return Period{}, periodError("period", RulePeriodLong, fmt.Sprintf("a range covers at most %d days", MaxCustomDays))
	}
	return Period{Key: key, Cutoff: CutoffCalendar, From: first, To: end,
		Label: fmt.Sprintf("từ ngày %s đến ngày %s", first.Format("02/01/2006"), last.Format("02/01/2006"))}, nil
}

// parseDay reads yyyy-mm-dd as local midnight in loc; a day that does not
// exist (2027-02-30) is refused rather than rolled over.
func parseDay(s string, loc *time.Location) (time.Time, error) {
	d, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil {
		return time.Time{}, periodError("period", RuleBadPeriod, fmt.Sprintf("%q is not a date (yyyy-mm-dd)", s))
	}
	if d.Year() < MinYear || d.Year() > MaxYear {
		return time.Time{}, periodError("period", RuleYearRange, fmt.Sprintf("the year must be from %d to %d", MinYear, MaxYear))
	}
	return d, nil
}

func periodError(field, rule, msg string) error {
	return &publishing.InvalidError{Field: field, Message: msg, Rule: rule}
}

// LastDay is the period's last day (inclusive), local midnight.
func (p Period) LastDay() time.Time { return p.To.AddDate(0, 0, -1) }

// Package recurrence turns a user's recurring schedule (an iCalendar RRULE
// plus a time zone, a start and an optional end or count) into exact
// occurrence times.
//
// Semantics, chosen so that materialising posts is deterministic:
//
//   - DTSTART is StartsAt converted to the schedule's zone and truncated to
//     whole seconds (asynq schedules in whole seconds anyway). Parts the rule
//     leaves out (hour, minute, second, weekday, month day) come from it, as
//     RFC 5545 says, so BYHOUR=7 with a start at 10:15:00 fires at 07:15:00.
//   - BYHOUR and friends are wall-clock times in the zone: 07:00 in
//     Europe/Berlin stays 07:00 across daylight-saving changes.
//   - StartsAt itself is an occurrence only if it matches the rule (the
//     python-dateutil reading of RFC 5545, which rrule-go follows).
//   - EndsAt, like UNTIL, is inclusive: an occurrence exactly at EndsAt fires.
//   - Count counts occurrences from StartsAt, so every window query agrees on
//     the same first Count occurrences.
//   - A schedule with neither EndsAt nor Count runs until deleted; callers
//     bound the work by the window they ask for, and a walk for a window
//     starts near it, not at StartsAt (see iteratorNear), so a schedule
//     that started long ago costs no more than a new one.
//   - Rules that could fire less than MinSpacing apart are refused.
package recurrence

import (
	"time"

	"github.com/teambition/rrule-go"
)

const (
	// DefaultTimezone is used when a Spec names no zone: Loa publishes for
	// Vietnamese readers.
	DefaultTimezone = "Asia/Ho_Chi_Minh"
	// MaxCount caps Spec.Count and COUNT in the rule.
	MaxCount = 1000
	// MaxRuleBytes caps the rule's text; real rules are a few dozen
	// characters.
	MaxRuleBytes = 1000
	// MinSpacing is the shortest allowed gap between two occurrences; news
	// channels should not be flooded by a mistyped rule.
	MinSpacing = 15 * time.Minute
)

// Spec is a recurring schedule as a user gives it.
type Spec struct {
	Rule     string     // RRULE, e.g. "FREQ=WEEKLY;BYDAY=MO;BYHOUR=7"
	Timezone string     // IANA name; empty means DefaultTimezone
	StartsAt time.Time  // DTSTART; required
	EndsAt   *time.Time // optional, inclusive
	Count    int        // optional, 0 means not given
}

// Rule is a compiled Spec. It is safe for concurrent use.
type Rule struct {
	lib *rrule.RRule // never iterated directly; see iterator
	loc *time.Location
	raw string // the rule as the user wrote it, for Describe's fallback
	// explicit is lib's options with every part the library takes from
	// DTSTART written out, so a walk can start elsewhere (see iteratorNear).
	explicit rrule.ROption
	counted  bool // the rule has a count: walks start at DTSTART
}

// Compile validates s and returns its rule. Every error is a *FieldError.
func Compile(s Spec) (*Rule, error) {
	loc, err := loadZone(s.Timezone)
	if err != nil {
		return nil, err
	}
	if s.StartsAt.IsZero() {
		return nil, newFieldError("starts_at", "starts_at is required", nil)
	}
	parsed, err := parseRule(s.Rule, loc)
	if err != nil {
		return nil, err
	}
	if err := checkBounds(s, parsed); err != nil {
		return nil, err
	}
	lib, err := buildRRule(s, parsed.opt, loc)
	if err != nil {
		return nil, err
	}
	r := &Rule{lib: lib, loc: loc, raw: parsed.raw, explicit: explicitDefaults(lib.OrigOptions), counted: lib.OrigOptions.Count != 0}
	if err := r.checkFires(s.EndsAt != nil); err != nil {
		return nil, err
	}
	return r, nil
}

// buildRRule merges the Spec's start and bounds into the parsed options.
func buildRRule(s Spec, opt rrule.ROption, loc *time.Location) (*rrule.RRule, error) {
	opt.Dtstart = s.StartsAt.In(loc).Truncate(time.Second)
	if s.EndsAt != nil {
		opt.Until = *s.EndsAt
	}
	if s.Count != 0 {
		opt.Count = s.Count
	}
	lib, err := rrule.NewRRule(opt)
	if err != nil {
		return nil, ruleError(err)
	}
	if err := checkSpacing(opt); err != nil {
		return nil, err
	}
	return lib, nil
}

// checkFires refuses rules with no occurrence at all, such as BYMONTHDAY=30
// with BYMONTH=2: they would never publish, and every query would walk the
// library's whole range (to year 9999) to find that out.
func (r *Rule) checkFires(hasEnd bool) error {
	if _, ok := r.iterator()(); ok {
		return nil
	}
	if hasEnd {
		return newFieldError("rule", "rule: no occurrence between starts_at and ends_at", nil)
	}
	return newFieldError("rule", "rule: no occurrence on or after starts_at", nil)
}

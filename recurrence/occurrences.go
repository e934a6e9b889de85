package recurrence

import (
	"slices"
	"time"

	"github.com/teambition/rrule-go"
)

// dstSlack is how far past a bound the search keeps reading. The library
// yields occurrences in wall-clock order, and a wall-clock time that falls in
// a spring-forward gap is moved an hour later by time.Date, so an occurrence
// can be yielded just before an earlier instant. No zone shifts its clock by
// more than a few hours, so reading this far past the bound finds them all.
const dstSlack = 3 * time.Hour

// iterator walks a copy of the library rule: rrule-go writes to the RRule
// while iterating, so sharing one between goroutines would race.
func (r *Rule) iterator() rrule.Next {
	lib := *r.lib
	return lib.Iterator()
}

// Between returns the occurrences t with from <= t < to, in UTC, sorted and
// without duplicates. It always walks from StartsAt, so Count and the
// occurrence times are the same whatever window is asked for.
func (r *Rule) Between(from, to time.Time) []time.Time {
	var out []time.Time
	if !from.Before(to) {
		return out
	}
	next := r.iterator()
	stop := to.Add(dstSlack)
	for t, ok := next(); ok && t.Before(stop); t, ok = next() {
		if !t.Before(from) && t.Before(to) {
			out = append(out, t.UTC())
		}
	}
	return sortUnique(out)
}

// Next returns the first occurrence strictly after after, in UTC, and false
// when the schedule has no more occurrences.
func (r *Rule) Next(after time.Time) (time.Time, bool) {
	var best time.Time
	found := false
	next := r.iterator()
	for t, ok := next(); ok; t, ok = next() {
		if found && t.After(best.Add(dstSlack)) {
			break
		}
		if t.After(after) && (!found || t.Before(best)) {
			best, found = t, true
		}
	}
	return best.UTC(), found
}

// sortUnique orders times and drops repeats, which the library yields when
// two wall-clock times collapse onto one instant at a spring-forward change.
func sortUnique(ts []time.Time) []time.Time {
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(ts, time.Time.Equal)
}

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
// without duplicates. Count and the occurrence times are the same whatever
// window is asked for.
func (r *Rule) Between(from, to time.Time) []time.Time {
	out, _ := r.between(from, to)
	return out
}

// between also reports how many steps the walk took.
func (r *Rule) between(from, to time.Time) ([]time.Time, int) {
	var out []time.Time
	if !from.Before(to) {
		return out, 0
	}
	next := r.iteratorNear(from)
	stop := to.Add(dstSlack)
	steps := 1
	for t, ok := next(); ok && t.Before(stop); t, ok = next() {
		steps++
		if !t.Before(from) && t.Before(to) {
			out = append(out, t.UTC())
		}
	}
	return sortUnique(out), steps
}

// Next returns the first occurrence strictly after after, in UTC, and false
// when the schedule has no more occurrences.
func (r *Rule) Next(after time.Time) (time.Time, bool) {
	t, ok, _ := r.next(after)
	return t, ok
}

// next also reports how many steps the walk took.
func (r *Rule) next(after time.Time) (time.Time, bool, int) {
	var best time.Time
	found := false
	next := r.iteratorNear(after)
	steps := 1
	for t, ok := next(); ok; t, ok = next() {
		steps++
		if found && t.After(best.Add(dstSlack)) {
			break
		}
		if t.After(after) && (!found || t.Before(best)) {
			best, found = t, true
		}
	}
	return best.UTC(), found, steps
}

// sortUnique orders times and drops repeats, which the library yields when
// two wall-clock times collapse onto one instant at a spring-forward change.
func sortUnique(ts []time.Time) []time.Time {
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(ts, time.Time.Equal)
}

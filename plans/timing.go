package plans

import (
	"fmt"
	"strings"
	"time"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// Timing is when an activity is carried out: one of the storage Timing
// kinds, with a range's first and last days.
type Timing struct {
	Kind     string
	From, To time.Time // a range's days (dates only); zero otherwise
}

// dayLayout is how days are stored; uiDayLayout how people write them.
const (
	dayLayout   = "2006-01-02"
	uiDayLayout = "02/01/2006"
)

// ParseDay reads a day written YYYY-MM-DD or dd/mm/yyyy (d/m/yyyy too).
func ParseDay(raw string) (time.Time, bool) {
	raw = strings.TrimSpace(raw)
	for _, layout := range []string{dayLayout, uiDayLayout, "2/1/2006"} {
		if d, err := time.Parse(layout, raw); err == nil {
			return d, true
		}
	}
	return time.Time{}, false
}

// ParseTiming reads a timing given as a kind ("thuong_xuyen", "ca_nam",
// "Q1".."Q4", "event") or as a range's days (kind "" or "range"), for a
// plan of year: a range must lie within the year before, the year or the
// year after, and end on or after its start. Errors are
// *publishing.InvalidError on field.
func ParseTiming(field, kind, from, to string, year int) (Timing, error) {
	kind = strings.TrimSpace(kind)
	if kind != "" && kind != storage.TimingRange {
		if from != "" || to != "" {
			return Timing{}, invalidf(field, "a timing is either a kind or a range of days, not both")
		}
		for _, k := range timingKinds() {
			if kind == k {
				return Timing{Kind: kind}, nil
			}
		}
		return Timing{}, invalidf(field, "must be thuong_xuyen, ca_nam, Q1, Q2, Q3, Q4, event or a range {\"from\",\"to\"}")
	}
	f, ok1 := ParseDay(from)
	t, ok2 := ParseDay(to)
	switch {
	case !ok1 || !ok2:
		return Timing{}, invalidf(field, "a range needs from and to as dates such as 2026-03-01")
	case t.Before(f):
		return Timing{}, invalidf(field, "ends before it starts")
	case f.Year() < year-1 || t.Year() > year+1:
		return Timing{}, invalidf(field, fmt.Sprintf("must lie within %d–%d, around the plan's year", year-1, year+1))
	}
	return Timing{Kind: storage.TimingRange, From: f, To: t}, nil
}

func timingKinds() []string {
	return []string{storage.TimingRegular, storage.TimingAllYear, storage.TimingQ1, storage.TimingQ2,
		storage.TimingQ3, storage.TimingQ4, storage.TimingEvent}
}

// TimingOf is an activity's stored timing.
func TimingOf(a storage.PlanActivity) Timing {
	t := Timing{Kind: a.TimingKind}
	if a.TimingKind == storage.TimingRange {
		t.From, _ = time.Parse(dayLayout, a.TimingFrom)
		t.To, _ = time.Parse(dayLayout, a.TimingTo)
	}
	return t
}

// apply writes t into a's columns.
func (t Timing) apply(a *storage.PlanActivity) {
	a.TimingKind, a.TimingFrom, a.TimingTo = t.Kind, "", ""
	if t.Kind == storage.TimingRange {
		a.TimingFrom, a.TimingTo = t.From.Format(dayLayout), t.To.Format(dayLayout)
	}
}

// Label is the timing in Vietnamese: "Thường xuyên", "Cả năm", "Quý III",
// "Theo sự kiện", "Từ 01/03/2027 đến 30/04/2027".
func (t Timing) Label() string {
	switch t.Kind {
	case storage.TimingRegular:
		return "Thường xuyên"
	case storage.TimingAllYear:
		return "Cả năm"
	case storage.TimingQ1:
		return "Quý I"
	case storage.TimingQ2:
		return "Quý II"
	case storage.TimingQ3:
		return "Quý III"
	case storage.TimingQ4:
		return "Quý IV"
	case storage.TimingEvent:
		return "Theo sự kiện"
	case storage.TimingRange:
		return "Từ " + t.From.Format(uiDayLayout) + " đến " + t.To.Format(uiDayLayout)
	}
	return t.Kind
}

// TimingKindLabels are the kinds a person picks from, with their labels,
// in order (a range is entered by its days).
func TimingKindLabels() []Choice {
	out := []Choice{}
	for _, k := range timingKinds() {
		out = append(out, Choice{Code: k, Label: Timing{Kind: k}.Label()})
	}
	return out
}

func invalidf(field, msg string) error {
	return &publishing.InvalidError{Field: field, Message: msg, Rule: publishing.RuleBadValue}
}

// Choice is a code with its Vietnamese label, as a select offers it.
type Choice struct{ Code, Label string }

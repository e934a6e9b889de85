package publishing

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/recurrence"
	"github.com/loa-vn/loa/storage"
)

// maxStartsAtPast is how far back a new schedule may start: occurrences
// before now are never published, and a start long ago buys nothing but
// work.
const maxStartsAtPast = 24 * time.Hour

// ScheduleDraft is a recurring schedule as a person gives it, its times
// already read from the request or form; CheckSchedule applies the rules.
type ScheduleDraft struct {
	Name     string
	Rule     string // RRULE, e.g. "FREQ=WEEKLY;BYDAY=MO;BYHOUR=7"
	Timezone string // "" is recurrence.DefaultTimezone
	StartsAt *time.Time
	EndsAt   *time.Time
	Count    *int
	// Template is the post each occurrence creates: text only, its title
	// and summary may hold OccurrenceFields placeholders.
	Template   Fields
	ChannelIDs []int64
	Variants   map[string]content.Variant
}

// RequiredText cleans a short plain-text field (a name, a reason): markup
// removed, NFC, required, at most max characters. Errors are *InvalidError.
func RequiredText(field, raw string, max int) (string, error) {
	text := strings.TrimSpace(content.PlainText(raw))
	switch {
	case text == "":
		return "", invalid(field, "is required")
	case utf8.RuneCountInString(text) > max:
		return "", invalid(field, fmt.Sprintf("is longer than %d characters", max))
	}
	return text, nil
}

// CheckSchedule applies the schedule rules to d: a name, a start no more
// than a day ago (now when not given), a rule that compiles and fires, a
// template whose text passes the post rules for sample occurrences, and
// the target rules. Errors are *InvalidError naming the field
// ("template.title" for the template's). CreateSchedule then places it.
func (s *Service) CheckSchedule(d ScheduleDraft) (storage.Schedule, error) {
	name, err := RequiredText("name", d.Name, 200)
	if err != nil {
		return storage.Schedule{}, err
	}
	startsAt := s.now().UTC()
	if d.StartsAt != nil {
		startsAt = d.StartsAt.UTC()
	}
	if startsAt.Before(s.now().Add(-maxStartsAtPast)) {
		return storage.Schedule{}, invalid("starts_at", "may be at most 1 day in the past")
	}
	spec := recurrence.Spec{Rule: d.Rule, Timezone: d.Timezone, StartsAt: startsAt, EndsAt: d.EndsAt}
	if d.Count != nil {
		if spec.Count = *d.Count; spec.Count < 1 {
			return storage.Schedule{}, invalid("count", "must be between 1 and 1000")
		}
	}
	if err := checkRecurrence(spec); err != nil {
		return storage.Schedule{}, err
	}
	tz := spec.Timezone
	if tz == "" {
		tz = recurrence.DefaultTimezone
	}
	tmpl, err := s.scheduleTemplate(d.Template, tz, startsAt)
	if err != nil {
		return storage.Schedule{}, err
	}
	cls, err := Classify(d.Template.ContentArea, d.Template.AudienceCode, d.Template.ActivityID)
	if err != nil {
		return storage.Schedule{}, err
	}
	targets, err := Targets(d.ChannelIDs, d.Variants)
	if err != nil {
		return storage.Schedule{}, err
	}
	return storage.Schedule{Name: name, Rule: strings.TrimSpace(spec.Rule), Timezone: tz,
		StartsAt: startsAt, EndsAt: d.EndsAt, Count: spec.Count, Template: tmpl, Targets: targets, Classification: cls}, nil
}

func checkRecurrence(spec recurrence.Spec) error {
	_, err := recurrence.Compile(spec)
	var fe *recurrence.FieldError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		return invalid(fe.Field, strings.TrimPrefix(fe.Message, fe.Field+": "))
	}
	return invalid("rule", err.Error())
}

// scheduleTemplate applies the post rules to the template, checks its
// placeholders and expands it for sample occurrences: each must pass the
// same cleaning and limits as a hand-written post.
func (s *Service) scheduleTemplate(f Fields, timezone string, sample time.Time) (storage.PostTemplate, error) {
	p, err := s.Clean(f)
	var bad *InvalidError
	if errors.As(err, &bad) {
		return storage.PostTemplate{}, invalid("template."+bad.Field, bad.Message)
	}
	if err != nil {
		return storage.PostTemplate{}, err
	}
	tmpl := storage.PostTemplate{Title: p.Title, Summary: p.Summary, Body: p.Body, Category: p.Category,
		Audience: p.Audience, Link: p.Link, ImageURL: p.ImageURL, Priority: p.Priority}
	text, err := NewOccurrenceText(tmpl, timezone)
	if err != nil {
		return storage.PostTemplate{}, templateError(err, " (use {{.Date}}, {{.Time}}, {{.Weekday}}, {{.Week}}, {{.Month}}, {{.Year}})")
	}
	for _, at := range sampleOccurrences(sample) {
		if _, err := text.Post(at); err != nil {
			return storage.PostTemplate{}, templateError(err, " on "+at.Format("02/01/2006"))
		}
	}
	return tmpl, nil
}

// templateError reports a template's field error against template.<field>.
func templateError(err error, hint string) error {
	var fe content.FieldError
	if errors.As(err, &fe) {
		return invalid("template."+fe.Field, fe.Message+hint)
	}
	return err
}

// sampleOccurrences are a week of days from start, so every weekday name is
// tried, and the last day of 2026, whose ISO week is 53.
func sampleOccurrences(start time.Time) []time.Time {
	out := []time.Time{time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC)}
	for d := range 7 {
		out = append(out, start.AddDate(0, 0, d))
	}
	return out
}

// UpcomingOccurrences are up to n occurrences of sc after now; none for a
// rule that no longer compiles.
func UpcomingOccurrences(sc storage.Schedule, now time.Time, n int) []time.Time {
	out := []time.Time{}
	rule, err := recurrence.Compile(ScheduleSpec(sc))
	if err != nil {
		return out
	}
	for at := now; len(out) < n; {
		next, ok := rule.Next(at)
		if !ok {
			break
		}
		out, at = append(out, next), next
	}
	return out
}

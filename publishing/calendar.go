package publishing

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/loa-vn/loa/recurrence"
	"github.com/loa-vn/loa/storage"
)

// Calendar item kinds.
const (
	CalendarDelivery   = "delivery"
	CalendarOccurrence = "occurrence"
)

// CalendarItem is one thing on the calendar: a delivery, or an occurrence
// of a schedule that has no post yet (it lies beyond the horizon).
type CalendarItem struct {
	Kind  string
	At    time.Time
	Title string
	// AgencyID is the delivery's channel's agency, or the schedule's.
	AgencyID int64
	// Delivery and Post are set for a delivery.
	Delivery storage.Delivery
	Post     storage.Post
	// Schedule is set for an occurrence.
	Schedule storage.Schedule
}

// Calendar is what a window of the calendar holds, by time. Truncated says
// more deliveries or occurrences exist than were read.
type Calendar struct {
	Items     []CalendarItem
	Truncated bool
}

// Calendar reads the deliveries and the not-yet-created schedule
// occurrences of agency's subtree (0: the actor's own) in [from, to), at
// most limit items. An agency outside the actor's is a *NotFoundError.
func (s *Service) Calendar(ctx context.Context, actor storage.User, agency int64, from, to time.Time, limit int) (Calendar, error) {
	if agency == 0 {
		agency = actor.AgencyID
	}
	if err := s.Authorize(ctx, actor, View, "agency", agency, 0); err != nil {
		return Calendar{}, err
	}
	// One more than the room tells whether more exist.
	entries, err := s.store.DeliveriesBetween(ctx, agency, from, to, limit+1)
	if err != nil {
		return Calendar{}, fmt.Errorf("publishing: calendar deliveries: %w", err)
	}
	var cal Calendar
	if len(entries) > limit {
		entries, cal.Truncated = entries[:limit], true
	}
	for _, e := range entries {
		cal.Items = append(cal.Items, CalendarItem{Kind: CalendarDelivery, At: e.Delivery.ScheduledAt.UTC(),
			Title: e.Post.Title, AgencyID: e.Delivery.AgencyID, Delivery: e.Delivery, Post: e.Post})
	}
	occurrences, more, err := s.futureOccurrences(ctx, agency, from, to, limit-len(cal.Items))
	if err != nil {
		return Calendar{}, err
	}
	cal.Items = append(cal.Items, occurrences...)
	cal.Truncated = cal.Truncated || more
	sort.SliceStable(cal.Items, func(i, j int) bool { return cal.Items[i].At.Before(cal.Items[j].At) })
	return cal, nil
}

// futureOccurrences are schedule occurrences in [from, to) that have no
// post yet (beyond the materialization horizon), at most room of them;
// truncated says some were left out; only the schedules of the agency's
// subtree count. Titles are expanded and cleaned as the posts will be; an
// occurrence whose title cannot be shows the schedule's name.
func (s *Service) futureOccurrences(ctx context.Context, agency int64, from, to time.Time, room int) (items []CalendarItem, truncated bool, err error) {
	scs, err := s.store.ActiveSchedules(ctx, agency)
	if err != nil {
		return nil, false, fmt.Errorf("publishing: calendar schedules: %w", err)
	}
	for _, sc := range scs {
		rule, err := recurrence.Compile(ScheduleSpec(sc))
		if err != nil {
			continue // a schedule whose rule no longer compiles has no occurrences to show
		}
		start := from
		if sc.MaterializedUntil.After(start) {
			start = sc.MaterializedUntil
		}
		text, textErr := NewOccurrenceText(sc.Template, sc.Timezone)
		for _, at := range rule.Between(start, to) {
			if len(items) >= room {
				return items, true, nil
			}
			title := sc.Name
			if textErr == nil {
				if t, err := text.Title(at); err == nil {
					title = t
				}
			}
			items = append(items, CalendarItem{Kind: CalendarOccurrence, At: at, Title: title, AgencyID: sc.AgencyID, Schedule: sc})
		}
	}
	return items, false, nil
}

// Reschedule moves a post that has not started going out to at: an Edit
// of its publish time alone, so the one editing rule applies (nothing has
// started; an officer's change goes back to approval; an editor's stays
// approved and is re-queued). The time obeys the publish time's rules.
func (s *Service) Reschedule(ctx context.Context, by storage.User, id int64, at time.Time) (storage.Post, []storage.Delivery, error) {
	return s.Edit(ctx, by, id, func(storage.Post) (storage.PostEdit, error) {
		t, err := s.publishAt(at.Format(time.RFC3339))
		if err != nil {
			return storage.PostEdit{}, err
		}
		return storage.PostEdit{PublishAt: &t}, nil
	})
}

package api

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/recurrence"
	"github.com/loa-vn/loa/storage"
)

const (
	maxCalendarDays  = 93
	maxCalendarItems = 5000
)

type calendarItem struct {
	Kind       string    `json:"kind"` // delivery or occurrence
	At         time.Time `json:"at"`
	LocalTime  string    `json:"local_time"`
	Title      string    `json:"title"`
	AgencyID   int64     `json:"agency_id"`
	DeliveryID int64     `json:"delivery_id,omitempty"`
	PostID     int64     `json:"post_id,omitempty"`
	ChannelID  int64     `json:"channel_id,omitempty"`
	Status     string    `json:"status,omitempty"`
	Origin     string    `json:"origin,omitempty"`
	ScheduleID int64     `json:"schedule_id,omitempty"`
}

type calendarDay struct {
	Date  string         `json:"date"`
	Items []calendarItem `json:"items"`
}

// calendar lists deliveries and not-yet-created schedule occurrences in a
// window of local days: from and to are YYYY-MM-DD, both included.
func (s *Server) calendar(c echo.Context) error {
	from, to, err := s.calendarWindow(c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	agency, ok, err := s.listAgency(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	var entries []storage.FeedEntry
	if ok {
		if entries, err = s.store.DeliveriesBetween(ctx, agency, from, to, maxCalendarItems); err != nil {
			return err
		}
	}
	var items []calendarItem
	for _, e := range entries {
		items = append(items, calendarItem{Kind: "delivery", At: e.Delivery.ScheduledAt.UTC(), Title: e.Post.Title, AgencyID: e.Delivery.AgencyID,
			DeliveryID: e.Delivery.ID, PostID: e.Post.ID, ChannelID: e.Delivery.ChannelID, Status: e.Delivery.Status,
			Origin: origin(e.Post)})
	}
	var truncated bool
	if ok {
		var occurrences []calendarItem
		occurrences, truncated, err = s.futureOccurrences(ctx, agency, from, to, maxCalendarItems-len(items))
		if err != nil {
			return err
		}
		items = append(items, occurrences...)
	}
	out := map[string]any{"timezone": s.loc.String(),
		"from": from.In(s.loc).Format("2006-01-02"), "to": to.Add(-time.Second).In(s.loc).Format("2006-01-02"),
		"days": s.byDay(items, from, to)}
	if truncated {
		out["truncated"] = true
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) calendarWindow(fromRaw, toRaw string) (time.Time, time.Time, error) {
	from, err := time.ParseInLocation("2006-01-02", fromRaw, s.loc)
	if err != nil {
		return from, from, invalid("from", "must be a date such as 2026-11-23")
	}
	to, err := time.ParseInLocation("2006-01-02", toRaw, s.loc)
	if err != nil {
		return from, to, invalid("to", "must be a date such as 2026-11-29")
	}
	to = to.AddDate(0, 0, 1)
	switch {
	case !to.After(from):
		return from, to, invalid("to", "must not be before from")
	case to.Sub(from) > maxCalendarDays*24*time.Hour:
		return from, to, invalid("to", fmt.Sprintf("the window is at most %d days", maxCalendarDays))
	}
	return from, to, nil
}

// futureOccurrences are schedule occurrences in the window that have no
// post yet (beyond the materialization horizon), at most room of them;
// truncated says some were left out; only the schedules of the agency's
// subtree count. Titles are expanded and cleaned as the
// posts will be; an occurrence whose title cannot be shows the schedule's
// name.
func (s *Server) futureOccurrences(ctx context.Context, agency int64, from, to time.Time, room int) (items []calendarItem, truncated bool, err error) {
	scs, err := s.store.ActiveSchedules(ctx, agency)
	if err != nil {
		return nil, false, err
	}
	for _, sc := range scs {
		rule, err := recurrence.Compile(publishing.ScheduleSpec(sc))
		if err != nil {
			continue
		}
		start := from
		if sc.MaterializedUntil.After(start) {
			start = sc.MaterializedUntil
		}
		text, textErr := publishing.NewOccurrenceText(sc.Template, sc.Timezone)
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
			items = append(items, calendarItem{Kind: "occurrence", At: at, Title: title, AgencyID: sc.AgencyID, ScheduleID: sc.ID, Origin: "schedule"})
		}
	}
	return items, false, nil
}

func (s *Server) byDay(items []calendarItem, from, to time.Time) []calendarDay {
	sort.SliceStable(items, func(i, j int) bool { return items[i].At.Before(items[j].At) })
	var days []calendarDay
	index := map[string]int{}
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		key := d.In(s.loc).Format("2006-01-02")
		index[key] = len(days)
		days = append(days, calendarDay{Date: key, Items: []calendarItem{}})
	}
	for _, it := range items {
		local := it.At.In(s.loc)
		it.LocalTime = local.Format("15:04")
		if i, ok := index[local.Format("2006-01-02")]; ok {
			days[i].Items = append(days[i].Items, it)
		}
	}
	return days
}

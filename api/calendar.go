package api

import (
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/publishing"
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
// window of local days: from and to are YYYY-MM-DD, both included. What the
// window holds is read by the application layer (the web calendar reads it
// too).
func (s *Server) calendar(c echo.Context) error {
	from, to, err := s.calendarWindow(c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	agency, ok, err := s.listAgency(c)
	if err != nil {
		return err
	}
	var cal publishing.Calendar
	if ok {
		if cal, err = s.pub.Calendar(c.Request().Context(), currentUser(c), agency, from, to, maxCalendarItems); err != nil {
			return err
		}
	}
	items := make([]calendarItem, 0, len(cal.Items))
	for _, it := range cal.Items {
		items = append(items, viewCalendarItem(it))
	}
	out := map[string]any{"timezone": s.loc.String(),
		"from": from.In(s.loc).Format("2006-01-02"), "to": to.Add(-time.Second).In(s.loc).Format("2006-01-02"),
		"days": s.byDay(items, from, to)}
	if cal.Truncated {
		out["truncated"] = true
	}
	return c.JSON(http.StatusOK, out)
}

func viewCalendarItem(it publishing.CalendarItem) calendarItem {
	if it.Kind == publishing.CalendarOccurrence {
		return calendarItem{Kind: it.Kind, At: it.At.UTC(), Title: it.Title, AgencyID: it.AgencyID,
			ScheduleID: it.Schedule.ID, Origin: "schedule"}
	}
	return calendarItem{Kind: it.Kind, At: it.At.UTC(), Title: it.Title, AgencyID: it.AgencyID,
		DeliveryID: it.Delivery.ID, PostID: it.Post.ID, ChannelID: it.Delivery.ChannelID, Status: it.Delivery.Status,
		Origin: origin(it.Post)}
}

func (s *Server) calendarWindow(fromRaw, toRaw string) (time.Time, time.Time, error) {
	from, err := s.localDay(fromRaw)
	if err != nil {
		return from, from, invalid("from", "must be a date such as 2026-11-23")
	}
	to, err := s.localDay(toRaw)
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

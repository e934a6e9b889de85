package web

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// calendarLimit caps the deliveries and occurrences one calendar view
// reads; the page says when more exist.
const calendarLimit = 1000

// calendarDateLayout is the layout of a local day in links and form values
// (<input type=date> sends it).
const calendarDateLayout = "2006-01-02"

// calendarRequest is the window a calendar page shows: a month (the
// default) or a week, around Date (local midnight).
type calendarRequest struct {
	Week bool
	Date time.Time
}

func (r calendarRequest) view() string {
	if r.Week {
		return "week"
	}
	return "month"
}

// link is the calendar page of the window at date in the same view.
func (r calendarRequest) link(date time.Time) string {
	return "/calendar?" + url.Values{"view": {r.view()}, "date": {date.Format(calendarDateLayout)}}.Encode()
}

// window is the first and the day after the last local day shown: whole
// weeks from Monday, covering the month or the week of Date.
func (r calendarRequest) window() (from, to time.Time) {
	if r.Week {
		from = calendarMonday(r.Date)
		return from, from.AddDate(0, 0, 7)
	}
	first := time.Date(r.Date.Year(), r.Date.Month(), 1, 0, 0, 0, 0, r.Date.Location())
	from = calendarMonday(first)
	to = calendarMonday(first.AddDate(0, 1, 0).AddDate(0, 0, -1)).AddDate(0, 0, 7)
	return from, to
}

// calendarMonday is local midnight of the Monday on or before d (weeks start on
// Monday, ui.md).
func calendarMonday(d time.Time) time.Time {
	back := (int(d.Weekday()) + 6) % 7
	return time.Date(d.Year(), d.Month(), d.Day()-back, 0, 0, 0, 0, d.Location())
}

// calendarDay is one local day of the grid.
type calendarDay struct {
	Key     string // 2026-12-07: the drop target's date
	Weekday string
	Label   string // 07/12
	Full    string // Thứ Hai 07/12/2026
	Outside bool   // in the grid but not in the month shown
	Today   bool
	Entries []*calendarEntry
}

// calendarEntry is a post's deliveries on one local day, or one schedule
// occurrence that has no post yet.
type calendarEntry struct {
	PostID     int64
	ScheduleID int64
	Title      string
	Time       string // 07:00, local
	Channels   int
	// Status is what the entry's colour says (the most urgent of its
	// deliveries'); Statuses names each with its count, so colour is
	// never the only signal.
	Status   string
	Statuses []calendarStatus
	// Movable shows the reschedule form: nothing has started and the
	// policy lets the user edit the post (the service decides again).
	Movable  bool
	FormDate string
	FormTime string
	// Error is a refused reschedule's reason, next to its form.
	Error string
	Field string

	post      storage.Post
	statusSet map[string]int
}

// calendarStatus is a status on the calendar: its class, its name and,
// on an entry whose deliveries differ, how many channels it holds.
type calendarStatus struct {
	Status string
	Name   string
	Label  string
	Count  int
}

// calendarStatusOrder ranks statuses for an entry's colour, most urgent first,
// and orders the legend.
var calendarStatusOrder = []string{
	storage.DeliveryFailed, storage.DeliveryUnconfirmed, storage.DeliveryRetrying, storage.DeliverySending,
	storage.DeliveryPendingApproval, storage.DeliveryScheduled, storage.DeliveryDelivered, storage.DeliveryCanceled,
	storage.PostRejected,
}

// occurrenceLabel names a schedule occurrence that has no post yet.
const occurrenceLabel = "Lịch định kỳ (chưa tạo tin)"

// calendarView is the calendar page.
type calendarView struct {
	Week                 bool
	Heading              string
	Zone                 string
	Prev, Next, Today    string
	PrevLabel, NextLabel string
	MonthLink, WeekLink  string
	Weekdays             []string
	Weeks                [][]calendarDay
	Legend               []calendarStatus
	Truncated            bool
	Limit                int
	Notice               string // a confirmation after a change
	Error                string // a refusal, at the top
	View, Back           string // the form's way back to this page
}

// calendarWeekdays are the weekday names in the calendar's order.
var calendarWeekdays = []string{"Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"}

// calendarData reads the window of r in u's agency subtree, at most limit
// items, and lays it out by local day.
func (p *Pages) calendarData(ctx context.Context, u storage.User, r calendarRequest, limit int) (calendarView, error) {
	from, to := r.window()
	cal, err := p.pub.Calendar(ctx, u, 0, from, to, limit)
	if err != nil {
		return calendarView{}, fmt.Errorf("web: read calendar: %w", err)
	}
	v := p.calendarFrame(r)
	v.Truncated, v.Limit = cal.Truncated, limit
	days := map[string]*calendarDay{}
	for w := range v.Weeks {
		for d := range v.Weeks[w] {
			days[v.Weeks[w][d].Key] = &v.Weeks[w][d]
		}
	}
	posts := map[string]*calendarEntry{}
	for _, it := range cal.Items {
		local := it.At.In(p.loc)
		day := days[local.Format(calendarDateLayout)]
		if day == nil {
			continue
		}
		if it.Kind == publishing.CalendarOccurrence {
			day.Entries = append(day.Entries, &calendarEntry{ScheduleID: it.Schedule.ID, Title: it.Title,
				Time: local.Format("15:04"), Channels: len(it.Schedule.Targets.ChannelIDs), Status: "occurrence",
				Statuses: []calendarStatus{{Status: "occurrence", Name: occurrenceLabel, Label: occurrenceLabel}}})
			continue
		}
		key := day.Key + "/" + strconv.FormatInt(it.Post.ID, 10)
		e := posts[key]
		if e == nil {
			e = &calendarEntry{PostID: it.Post.ID, Title: it.Title, Time: local.Format("15:04"),
				FormDate: day.Key, FormTime: local.Format("15:04"), post: it.Post, statusSet: map[string]int{}}
			posts[key] = e
			day.Entries = append(day.Entries, e)
		}
		e.Channels++
		status := it.Delivery.Status
		if it.Post.Status == storage.PostRejected {
			status = storage.PostRejected // canceled by the rejection: say why
		}
		e.statusSet[status]++
	}
	for _, e := range posts {
		p.finishEntry(u, e)
	}
	return v, nil
}

// finishEntry names the entry's statuses, picks its colour and decides
// whether its reschedule form is shown.
func (p *Pages) finishEntry(u storage.User, e *calendarEntry) {
	movable := e.post.Status == storage.PostScheduled || e.post.Status == storage.PostPendingApproval
	for _, s := range calendarStatusOrder {
		n := e.statusSet[s]
		if n == 0 {
			continue
		}
		if e.Status == "" {
			e.Status = s
		}
		e.Statuses = append(e.Statuses, calendarStatus{Status: s, Name: deliveryStatus(s), Label: deliveryStatus(s), Count: n})
		if s != storage.DeliveryScheduled && s != storage.DeliveryPendingApproval {
			movable = false
		}
	}
	if len(e.Statuses) > 1 {
		for i := range e.Statuses {
			e.Statuses[i].Label = fmt.Sprintf("%s: %d kênh", e.Statuses[i].Name, e.Statuses[i].Count)
		}
	}
	e.Movable = movable && publishing.Allowed(u, publishing.EditPost, publishing.Subject{OwnerID: e.post.CreatedBy}) == nil
}

// calendarFrame is the page around the days: heading, links and the
// empty grid of r's window.
func (p *Pages) calendarFrame(r calendarRequest) calendarView {
	today := startOfDay(p.now(), p.loc)
	from, to := r.window()
	v := calendarView{Week: r.Week, Zone: zoneLabel(p.loc, from), Weekdays: calendarWeekdays,
		Today: r.link(today), View: r.view(), Back: r.Date.Format(calendarDateLayout), Legend: calendarLegend(),
		MonthLink: calendarRequest{Date: r.Date}.link(r.Date), WeekLink: calendarRequest{Week: true, Date: r.Date}.link(r.Date)}
	if r.Week {
		last := to.AddDate(0, 0, -1)
		v.Heading = "Tuần từ " + localDate(from, p.loc) + " đến " + localDate(last, p.loc)
		v.Prev, v.Next = r.link(from.AddDate(0, 0, -7)), r.link(from.AddDate(0, 0, 7))
		v.PrevLabel, v.NextLabel = "Tuần trước", "Tuần sau"
	} else {
		v.Heading = fmt.Sprintf("Tháng %d năm %d", r.Date.Month(), r.Date.Year())
		first := time.Date(r.Date.Year(), r.Date.Month(), 1, 0, 0, 0, 0, p.loc)
		v.Prev, v.Next = r.link(first.AddDate(0, -1, 0)), r.link(first.AddDate(0, 1, 0))
		v.PrevLabel, v.NextLabel = "Tháng trước", "Tháng sau"
	}
	for d := from; d.Before(to); d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, p.loc) {
		if (int(d.Weekday())+6)%7 == 0 {
			v.Weeks = append(v.Weeks, nil)
		}
		w := len(v.Weeks) - 1
		v.Weeks[w] = append(v.Weeks[w], calendarDay{Key: d.Format(calendarDateLayout), Weekday: weekdays[d.Weekday()],
			Label: d.Format("02/01"), Full: localDate(d, p.loc), Today: d.Equal(today),
			Outside: !r.Week && d.Month() != r.Date.Month()})
	}
	return v
}

// calendarLegend names every colour of the calendar.
func calendarLegend() []calendarStatus {
	out := make([]calendarStatus, 0, len(calendarStatusOrder)+1)
	for _, s := range calendarStatusOrder {
		out = append(out, calendarStatus{Status: s, Name: deliveryStatus(s), Label: deliveryStatus(s)})
	}
	return append(out, calendarStatus{Status: "occurrence", Name: occurrenceLabel, Label: occurrenceLabel})
}

package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/recurrence"
	"github.com/loa-vn/loa/storage"
)

// mountSchedules adds the recurring schedules pages' routes: everyone sees
// the schedules of their agencies and creates schedules; pausing and
// resuming follow the policy (officers their own, editors any).
func (p *Pages) mountSchedules(add adder) {
	add(http.MethodGet, "/schedules", p.schedulesPage, p.signedIn)
	add(http.MethodGet, "/schedules/new", p.newSchedulePage, p.signedIn)
	add(http.MethodPost, "/schedules", p.createSchedule, p.signedIn, p.checkCSRF)
	add(http.MethodGet, "/schedules/:id", p.schedulePage, p.signedIn)
	add(http.MethodPost, "/schedules/:id/pause", p.setScheduleStatus(storage.SchedulePaused), p.signedIn, p.checkCSRF)
	add(http.MethodPost, "/schedules/:id/resume", p.setScheduleStatus(storage.ScheduleActive), p.signedIn, p.checkCSRF)
}

const (
	// schedulesShown bounds the schedules list; upcomingShown is how many
	// next occurrences each shows; occurrencesShown how many past posts.
	schedulesShown   = 200
	upcomingShown    = 5
	occurrencesShown = 20
)

type scheduleRow struct {
	ID     int64
	Name   string
	Status string
	Timing scheduleTiming
}

type schedulesView struct {
	Rows      []scheduleRow
	Total     int
	Truncated bool
	Zone      string
}

func (p *Pages) schedulesPage(c echo.Context) error {
	u := currentUser(c)
	scs, err := p.store.ListSchedules(c.Request().Context(), u.AgencyID)
	if err != nil {
		return p.failed(c, err)
	}
	now := p.now()
	v := schedulesView{Total: len(scs), Truncated: len(scs) > schedulesShown, Zone: zoneLabel(p.loc, now)}
	for _, sc := range scs[:min(len(scs), schedulesShown)] {
		v.Rows = append(v.Rows, scheduleRow{ID: sc.ID, Name: sc.Name, Status: sc.Status, Timing: describeSchedule(sc, now, p.loc)})
	}
	return p.render(c, http.StatusOK, "schedules", view{Title: "Lịch định kỳ", User: &u, CSRF: currentSession(c).CSRFToken, Data: v})
}

// loadSchedule is the schedule in the path if the user may see it; one
// outside their agencies is not found, like a missing one.
func (p *Pages) loadSchedule(c echo.Context) (storage.Schedule, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return storage.Schedule{}, &publishing.NotFoundError{What: "schedule"}
	}
	ctx := c.Request().Context()
	sc, err := p.store.GetSchedule(ctx, id)
	if err != nil {
		return sc, err
	}
	return sc, p.pub.Authorize(ctx, currentUser(c), publishing.View, "schedule", sc.AgencyID, sc.CreatedBy)
}

type occurrenceRow struct {
	PostID int64
	Title  string
	Status string
	When   string
}

type schedulePageView struct {
	Schedule    storage.Schedule
	Timing      scheduleTiming
	Channels    []string
	Starts      string
	Ends        string
	Occurrences []occurrenceRow
	MayPause    bool
	Notice      string
}

func (p *Pages) schedulePage(c echo.Context) error {
	sc, err := p.loadSchedule(c)
	if err != nil {
		return p.adminFailed(c, err)
	}
	u := currentUser(c)
	ctx := c.Request().Context()
	v := schedulePageView{Schedule: sc, Timing: describeSchedule(sc, p.now(), p.loc), Starts: localTime(sc.StartsAt, p.loc),
		Notice:   adminNotices[c.QueryParam("da")],
		MayPause: p.pub.Authorize(ctx, u, publishing.PauseResumeSchedule, "schedule", sc.AgencyID, sc.CreatedBy) == nil}
	if sc.EndsAt != nil {
		v.Ends = localTime(*sc.EndsAt, p.loc)
	}
	if v.Channels, err = p.channelNames(c, sc.Targets.ChannelIDs); err != nil {
		return p.failed(c, err)
	}
	posts, err := p.store.ScheduleOccurrences(ctx, sc.ID)
	if err != nil {
		return p.failed(c, err)
	}
	for _, post := range posts[max(0, len(posts)-occurrencesShown):] {
		v.Occurrences = append(v.Occurrences, occurrenceRow{PostID: post.ID, Title: post.Title, Status: post.Status, When: localTime(post.PublishAt, p.loc)})
	}
	return p.render(c, http.StatusOK, "schedules_show", view{Title: sc.Name, User: &u, CSRF: currentSession(c).CSRFToken, Data: v})
}

// channelNames names the channels of ids that are in the user's agencies.
func (p *Pages) channelNames(c echo.Context, ids []int64) ([]string, error) {
	chs, err := p.store.ListChannels(c.Request().Context(), currentUser(c).AgencyID)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, ch := range chs {
		names[ch.ID] = ch.Name
	}
	var out []string
	for _, id := range ids {
		if n, ok := names[id]; ok {
			out = append(out, n)
		}
	}
	return out, nil
}

// setScheduleStatus pauses a schedule (its unsent occurrences are
// canceled) or resumes it, through the layer's one rule.
func (p *Pages) setScheduleStatus(status string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil || id <= 0 {
			return p.adminFailed(c, &publishing.NotFoundError{What: "schedule"})
		}
		err = p.pub.SetScheduleStatus(c.Request().Context(), currentUser(c), id, status)
		if errors.Is(err, publishing.ErrNotAllowed) {
			return p.message(c, http.StatusForbidden, "Không có quyền",
				"Chuyên viên chỉ tạm dừng hoặc cho chạy tiếp được lịch do chính mình tạo, nên không có thay đổi nào được thực hiện. Hãy nhờ Người duyệt.")
		}
		if err != nil {
			return p.adminFailed(c, err)
		}
		done := map[string]string{storage.SchedulePaused: "tam-dung", storage.ScheduleActive: "tiep-tuc"}[status]
		return c.Redirect(http.StatusSeeOther, "/schedules/"+strconv.FormatInt(id, 10)+"?da="+done)
	}
}

// scheduleStatusName is a schedule's status in Vietnamese.
func scheduleStatusName(status string) string {
	if status == storage.SchedulePaused {
		return "Tạm dừng"
	}
	return "Đang chạy"
}

// scheduleTiming says when a schedule publishes: in words when the
// recurrence can be put in words, else by its next dates.
type scheduleTiming struct {
	Words     string
	Described bool
	Next      []string
}

// describeSchedule words sc's recurrence (recurrence.Rule.Described) and
// lists its next occurrences in loc, "Thứ Hai 07/12/2026, 07:00".
func describeSchedule(sc storage.Schedule, now time.Time, loc *time.Location) scheduleTiming {
	var t scheduleTiming
	for _, at := range publishing.UpcomingOccurrences(sc, now, upcomingShown) {
		t.Next = append(t.Next, localTime(at, loc))
	}
	if words, ok := describedRule(sc); ok {
		t.Words, t.Described = words, true
		return t
	}
	switch {
	case len(t.Next) == 0:
		t.Words = "Không còn lần đăng nào."
	default:
		short := make([]string, 0, len(t.Next))
		for _, at := range publishing.UpcomingOccurrences(sc, now, upcomingShown) {
			short = append(short, at.In(loc).Format("02/01/2006 15:04"))
		}
		t.Words = "Theo quy tắc riêng, các lần đăng tới: " + strings.Join(short, "; ")
	}
	return t
}

func describedRule(sc storage.Schedule) (string, bool) {
	rule, err := recurrence.Compile(publishing.ScheduleSpec(sc))
	if err != nil {
		return "", false
	}
	return rule.Described()
}

package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// mountCalendar adds the calendar pages' routes.
func (p *Pages) mountCalendar(add adder) {
	add(http.MethodGet, "/calendar", p.calendarPage, p.signedIn)
	add(http.MethodPost, "/calendar/posts/:id/reschedule", p.reschedule, p.signedIn, p.checkCSRF)
}

// calendarPage is Lịch đăng: a month (default) or a week of deliveries and
// schedule occurrences, by local day, in the user's agency subtree.
func (p *Pages) calendarPage(c echo.Context) error {
	r, ok := p.calendarRequest(c.QueryParam("view"), c.QueryParam("date"))
	if !ok {
		return p.message(c, http.StatusUnprocessableEntity, "Ngày không hợp lệ",
			"Ngày cần xem trên Lịch đăng không hợp lệ. Vui lòng mở lại Lịch đăng từ thanh điều hướng.")
	}
	return p.renderCalendar(c, http.StatusOK, r, func(v *calendarView) { v.Notice = p.calendarNotice(c.QueryParams()) })
}

// renderCalendar reads and renders r's window; adjust changes the view
// before rendering (a notice, a refusal next to a form).
func (p *Pages) renderCalendar(c echo.Context, status int, r calendarRequest, adjust func(*calendarView)) error {
	u := currentUser(c)
	v, err := p.calendarData(c.Request().Context(), u, r, calendarLimit)
	if err != nil {
		return p.failed(c, err)
	}
	adjust(&v)
	return p.render(c, status, "calendar", view{Title: "Lịch đăng", User: &u, CSRF: currentSession(c).CSRFToken, Data: v})
}

// calendarRequest reads the view ("month" or "week") and the date
// (yyyy-mm-dd, default today, local); ok is false for a bad date.
func (p *Pages) calendarRequest(viewName, date string) (calendarRequest, bool) {
	r := calendarRequest{Week: viewName == "week", Date: startOfDay(p.now(), p.loc)}
	if date == "" {
		return r, true
	}
	d, err := time.ParseInLocation(calendarDateLayout, date, p.loc)
	if err != nil || d.Year() < 2000 || d.Year() > 9000 {
		return r, false
	}
	r.Date = d
	return r, true
}

// calendarNotice is the confirmation a redirect after a change asks for;
// it is built from checked values only, never from the query's text.
func (p *Pages) calendarNotice(q url.Values) string {
	id, err := strconv.ParseInt(q.Get("post"), 10, 64)
	if err != nil || id <= 0 {
		return ""
	}
	at, err := time.Parse(time.RFC3339, q.Get("at"))
	if err != nil {
		return ""
	}
	msg := fmt.Sprintf("Đã dời lịch tin số %d sang %s.", id, localTime(at, p.loc))
	switch q.Get("done") {
	case "moved":
		return msg
	case "moved-approval":
		return msg + " Tin cần được duyệt lại trước khi gửi."
	}
	return ""
}

// reschedule moves an unsent post to a new local date and time through
// the application layer (the one editing rule and the approval rule). A
// refusal re-renders the calendar with the reason; nothing changes.
func (p *Pages) reschedule(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return p.refusePostMissing(c)
	}
	r, ok := p.calendarRequest(c.FormValue("view"), c.FormValue("back"))
	if !ok {
		r, _ = p.calendarRequest(c.FormValue("view"), "")
	}
	date, clock := strings.TrimSpace(c.FormValue("date")), strings.TrimSpace(c.FormValue("time"))
	refuse := func(status int, field, msg string) error {
		return p.renderCalendar(c, status, r, func(v *calendarView) { v.refuse(id, field, msg, date, clock) })
	}
	at, field, msg := p.parseCalendarTime(date, clock)
	if msg != "" {
		return refuse(http.StatusUnprocessableEntity, field, msg)
	}
	u := currentUser(c)
	post, _, err := p.pub.Reschedule(c.Request().Context(), u, id, at)
	if err != nil {
		status, field, msg, known := rescheduleRefusal(err, id)
		if !known {
			return p.failed(c, err)
		}
		if status == http.StatusNotFound {
			return p.refusePostMissing(c)
		}
		p.log.Info("web: reschedule refused", "post_id", id, "user_id", u.ID, "err", err)
		return refuse(status, field, msg)
	}
	done := "moved"
	if post.Status == storage.PostPendingApproval {
		done = "moved-approval"
	}
	p.log.Info("web: post rescheduled", "post_id", id, "user_id", u.ID, "at", post.PublishAt)
	back := calendarRequest{Week: r.Week, Date: startOfDay(post.PublishAt, p.loc)}
	return c.Redirect(http.StatusSeeOther, back.link(back.Date)+"&"+url.Values{"done": {done},
		"post": {strconv.FormatInt(id, 10)}, "at": {post.PublishAt.UTC().Format(time.RFC3339)}}.Encode())
}

// parseCalendarTime reads a date (yyyy-mm-dd as <input type=date> sends it,
// or dd/mm/yyyy as typed) and a 24-hour time in LOA_TIMEZONE; on failure
// it names the field and says what to type.
func (p *Pages) parseCalendarTime(date, clock string) (at time.Time, field, msg string) {
	d, err := time.Parse(calendarDateLayout, date)
	if err != nil {
		d, err = time.Parse("02/01/2006", date)
	}
	if err != nil {
		return at, "date", "Ngày không hợp lệ. Vui lòng nhập ngày dạng dd/mm/yyyy, ví dụ 07/12/2026. Không có thay đổi nào được thực hiện."
	}
	t, err := time.Parse("15:04", clock)
	if err != nil {
		t, err = time.Parse("15:04:05", clock)
	}
	if err != nil {
		return at, "time", "Giờ không hợp lệ. Vui lòng nhập giờ dạng HH:mm (24 giờ), ví dụ 07:30. Không có thay đổi nào được thực hiện."
	}
	return time.Date(d.Year(), d.Month(), d.Day(), t.Hour(), t.Minute(), 0, 0, p.loc), "", ""
}

// rescheduleRefusal says in Vietnamese why the application layer refused
// to move post id; known is false for a system error.
func rescheduleRefusal(err error, id int64) (status int, field, msg string, known bool) {
	var missing *publishing.NotFoundError
	var refused *publishing.NotAllowedError
	var state *publishing.StateError
	var bad *publishing.InvalidError
	unchanged := " Không có thay đổi nào được thực hiện."
	switch {
	case errors.As(err, &missing):
		return http.StatusNotFound, "", "", true
	case errors.As(err, &refused):
		return http.StatusForbidden, "", fmt.Sprintf("Bạn không được dời lịch tin số %d: chuyên viên chỉ dời được tin do chính mình soạn.", id) + unchanged, true
	case errors.As(err, &state):
		return http.StatusConflict, "", fmt.Sprintf("Không dời lịch được tin số %d: tin đã bắt đầu gửi, đã gửi xong hoặc đã bị hủy.", id) + unchanged, true
	case errors.As(err, &bad) && bad.Rule == publishing.RuleInPast:
		return http.StatusUnprocessableEntity, "date", "Thời điểm mới đã qua. Vui lòng chọn ngày giờ trong tương lai." + unchanged, true
	case errors.As(err, &bad):
		return http.StatusUnprocessableEntity, "date", "Thời điểm mới không hợp lệ: chỉ hẹn giờ được trong vòng năm năm tới." + unchanged, true
	}
	return 0, "", "", false
}

// refuse puts a refused reschedule's reason at the top and next to the
// post's forms, keeping what the user typed.
func (v *calendarView) refuse(id int64, field, msg, date, clock string) {
	v.Error = msg
	for w := range v.Weeks {
		for d := range v.Weeks[w] {
			for _, e := range v.Weeks[w][d].Entries {
				if e.PostID == id && e.Movable {
					e.Error, e.Field, e.FormDate, e.FormTime = msg, field, date, clock
				}
			}
		}
	}
}

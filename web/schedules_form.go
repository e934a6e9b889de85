package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// ruleWeekdays are the RRULE weekdays in the form's order, Monday first.
var ruleWeekdays = []struct{ Code, Name string }{
	{"MO", "Thứ Hai"}, {"TU", "Thứ Ba"}, {"WE", "Thứ Tư"}, {"TH", "Thứ Năm"}, {"FR", "Thứ Sáu"}, {"SA", "Thứ Bảy"}, {"SU", "Chủ Nhật"},
}

// monthDays are the days a monthly schedule may fall on (with -1, the last).
var monthDays = func() []int {
	out := make([]int, 31)
	for i := range out {
		out[i] = i + 1
	}
	return out
}()

// scheduleForm is the new-schedule form: the recurrence by simple fields,
// the post text, the channels; with the values typed and the errors to
// show next to each field.
type scheduleForm struct {
	Name, Frequency, Time, MonthDay, StartDate, EndDate string
	Weekdays                                            map[string]bool
	Title, Summary, Body                                string
	Channels                                            []channelChoice
	NeedsApproval                                       bool
	Placeholders                                        []string
	Errors                                              map[string]string
}

func (p *Pages) newSchedulePage(c echo.Context) error {
	f := scheduleForm{Frequency: "weekly", Time: "07:00", MonthDay: "1", StartDate: p.now().In(p.loc).Format("2006-01-02"),
		Weekdays: map[string]bool{"MO": true}}
	return p.renderScheduleForm(c, http.StatusOK, f, nil)
}

func (p *Pages) renderScheduleForm(c echo.Context, status int, f scheduleForm, checked []int64) error {
	u := currentUser(c)
	chs, err := p.store.ListChannels(c.Request().Context(), u.AgencyID)
	if err != nil {
		return p.failed(c, err)
	}
	for _, ch := range chs {
		if ch.Status == storage.ChannelDisabled {
			continue
		}
		f.Channels = append(f.Channels, channelChoice{ID: ch.ID, Label: ch.Name, Checked: containsID(checked, ch.ID)})
	}
	f.NeedsApproval = publishing.NeedsApproval(u)
	for _, name := range publishing.OccurrenceFields {
		f.Placeholders = append(f.Placeholders, "{{."+name+"}}")
	}
	return p.render(c, status, "schedules_new", view{Title: "Tạo lịch định kỳ", User: &u, CSRF: currentSession(c).CSRFToken, Data: f})
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// createSchedule checks the form through the layer's schedule rules and
// creates the schedule (CreateSchedule places it and makes the first
// occurrences); any refusal re-shows the form with nothing stored.
func (p *Pages) createSchedule(c echo.Context) error {
	f, ids := p.readScheduleForm(c)
	d, fieldErrs := p.scheduleDraft(f, ids)
	if len(fieldErrs) > 0 {
		f.Errors = fieldErrs
		return p.renderScheduleForm(c, http.StatusUnprocessableEntity, f, ids)
	}
	u := currentUser(c)
	sc, err := p.pub.CheckSchedule(d)
	if err == nil {
		err = p.pub.CreateSchedule(c.Request().Context(), u, &sc)
	}
	if msgs, ok := scheduleErrors(err); ok {
		f.Errors = msgs
		return p.renderScheduleForm(c, http.StatusUnprocessableEntity, f, ids)
	}
	if err != nil {
		return p.adminFailed(c, err)
	}
	p.log.Info("web: schedule created", "schedule_id", sc.ID, "by", u.ID)
	return c.Redirect(http.StatusSeeOther, "/schedules/"+strconv.FormatInt(sc.ID, 10)+"?da=tao-lich")
}

func (p *Pages) readScheduleForm(c echo.Context) (scheduleForm, []int64) {
	f := scheduleForm{Name: c.FormValue("name"), Frequency: c.FormValue("frequency"), Time: c.FormValue("time"),
		MonthDay: c.FormValue("month_day"), StartDate: c.FormValue("start_date"), EndDate: c.FormValue("end_date"),
		Title: c.FormValue("title"), Summary: c.FormValue("summary"), Body: c.FormValue("body"), Weekdays: map[string]bool{}}
	form, _ := c.FormParams()
	for _, d := range form["weekdays"] {
		f.Weekdays[d] = true
	}
	var ids []int64
	for _, raw := range form["channel_ids"] {
		if id, err := strconv.ParseInt(raw, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	for _, s := range []*string{&f.Name, &f.Title, &f.Summary, &f.Body} {
		if len(*s) > 200_000 {
			*s = ""
		}
	}
	return f, ids
}

// scheduleDraft reads the simple fields into an RRULE and times; what
// the fields themselves get wrong is answered here, the rest by the layer.
func (p *Pages) scheduleDraft(f scheduleForm, ids []int64) (publishing.ScheduleDraft, map[string]string) {
	errs := map[string]string{}
	rule, err := recurrenceRule(f)
	if err != nil {
		errs[err.field] = err.text
	}
	d := publishing.ScheduleDraft{Name: f.Name, Rule: rule, Timezone: p.zoneName(), ChannelIDs: ids,
		Template: publishing.Fields{Title: f.Title, Summary: f.Summary, Body: f.Body}}
	if f.StartDate != "" {
		day, err := time.ParseInLocation("2006-01-02", f.StartDate, p.loc)
		if err != nil {
			errs["start_date"] = "Ngày bắt đầu không hợp lệ. Vui lòng chọn ngày theo dạng ngày/tháng/năm."
		}
		now := p.now()
		switch {
		case err == nil && day.Before(startOfDay(now, p.loc)):
			errs["start_date"] = "Ngày bắt đầu không được sớm hơn hôm nay."
		case day.Before(now):
			day = now // today: occurrences from now on
		}
		d.StartsAt = &day
	}
	if f.EndDate != "" {
		day, err := time.ParseInLocation("2006-01-02", f.EndDate, p.loc)
		if err != nil {
			errs["end_date"] = "Ngày kết thúc không hợp lệ. Vui lòng chọn ngày theo dạng ngày/tháng/năm."
		}
		end := day.AddDate(0, 0, 1).Add(-time.Second) // the whole last day
		d.EndsAt = &end
	}
	return d, errs
}

// zoneName is LOA_TIMEZONE's name if the recurrence can load it, else
// "" for the recurrence's default zone.
func (p *Pages) zoneName() string {
	name := p.loc.String()
	if _, err := time.LoadLocation(name); err != nil || name == "Local" {
		return ""
	}
	return name
}

type formFieldError struct{ field, text string }

// recurrenceRule is the RRULE the simple fields describe: daily, weekly on
// the chosen weekdays, or monthly on a day (-1 the last), at a time.
func recurrenceRule(f scheduleForm) (string, *formFieldError) {
	at, err := time.Parse("15:04", f.Time)
	if err != nil {
		return "", &formFieldError{"time", "Vui lòng nhập giờ đăng theo dạng giờ:phút, ví dụ 07:00."}
	}
	clock := fmt.Sprintf(";BYHOUR=%d;BYMINUTE=%d;BYSECOND=0", at.Hour(), at.Minute())
	switch f.Frequency {
	case "daily":
		return "FREQ=DAILY" + clock, nil
	case "weekly":
		var days []string
		for _, d := range ruleWeekdays {
			if f.Weekdays[d.Code] {
				days = append(days, d.Code)
			}
		}
		if len(days) == 0 {
			return "", &formFieldError{"weekdays", "Vui lòng chọn ít nhất một ngày trong tuần."}
		}
		return "FREQ=WEEKLY;BYDAY=" + strings.Join(days, ",") + clock, nil
	case "monthly":
		day, err := strconv.Atoi(f.MonthDay)
		if err != nil || day == 0 || day < -1 || day > 31 {
			return "", &formFieldError{"month_day", "Vui lòng chọn ngày trong tháng, từ 1 đến 31 hoặc ngày cuối tháng."}
		}
		return "FREQ=MONTHLY;BYMONTHDAY=" + strconv.Itoa(day) + clock, nil
	}
	return "", &formFieldError{"frequency", "Vui lòng chọn tần suất: hằng ngày, hằng tuần hoặc hằng tháng."}
}

// scheduleErrors turns the layer's refusal of a schedule into Vietnamese
// messages by form field; ok is false for any other error.
func scheduleErrors(err error) (map[string]string, bool) {
	field, _, ok := fieldOf(err)
	if !ok {
		return nil, false
	}
	placeholders := strings.Join(placeholderNames(), ", ")
	text := map[string]struct{ id, text string }{
		"name":             {"name", "Vui lòng nhập tên lịch, tối đa 200 ký tự."},
		"starts_at":        {"start_date", "Ngày bắt đầu không được sớm hơn hôm nay."},
		"ends_at":          {"end_date", "Ngày kết thúc phải sau ngày bắt đầu."},
		"count":            {"end_date", "Số lần đăng không hợp lệ."},
		"rule":             {"frequency", "Lịch này không có lần đăng nào trong khoảng đã chọn, hoặc các lần đăng quá gần nhau. Vui lòng kiểm tra tần suất và các ngày."},
		"timezone":         {"frequency", "Múi giờ của hệ thống không dùng được cho lịch. Vui lòng báo quản trị viên."},
		"template.title":   {"title", "Tiêu đề là bắt buộc, không quá 200 ký tự, và chỉ dùng các ô thay thế: " + placeholders + "."},
		"template.summary": {"summary", "Tóm tắt quá dài hoặc dùng ô thay thế không hợp lệ; chỉ dùng: " + placeholders + "."},
		"template.body":    {"body", "Nội dung quá dài hoặc có ký tự không hợp lệ."},
		"channel_ids":      {"channels", "Vui lòng chọn từ 1 đến 50 kênh trong phạm vi cơ quan, đơn vị của bạn, đang hoạt động."},
		"agency_id":        {"channels", "Các kênh đã chọn phải thuộc cơ quan, đơn vị của bạn hoặc các đơn vị trực thuộc."},
	}[field]
	if text.id == "" {
		text.id, text.text = "name", "Thông tin chưa hợp lệ. Vui lòng kiểm tra rồi thử lại."
	}
	return map[string]string{text.id: text.text}, true
}

func placeholderNames() []string {
	out := make([]string, 0, len(publishing.OccurrenceFields))
	for _, name := range publishing.OccurrenceFields {
		out = append(out, "{{."+name+"}}")
	}
	return out
}

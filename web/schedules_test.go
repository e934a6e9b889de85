package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/storage"
)

// The describer puts the recurrences the form makes in words, and falls
// back to the next dates for a rule it cannot describe.
func TestDescribeSchedule(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Skip("no Asia/Ho_Chi_Minh zone data")
	}
	now := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC) // Thứ Hai 07/12/2026, 09:00
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, loc)
	ended := time.Date(2026, 12, 5, 0, 0, 0, 0, loc)
	tests := []struct {
		name, rule string
		ends       *time.Time
		words      string
		described  bool
		next       []string
	}{
		{"weekly Monday", "FREQ=WEEKLY;BYDAY=MO;BYHOUR=7;BYMINUTE=0;BYSECOND=0", nil, "Hằng tuần vào Thứ Hai lúc 07:00", true,
			[]string{"Thứ Hai 14/12/2026, 07:00", "Thứ Hai 21/12/2026, 07:00", "Thứ Hai 28/12/2026, 07:00", "Thứ Hai 04/01/2027, 07:00", "Thứ Hai 11/01/2027, 07:00"}},
		{"daily", "FREQ=DAILY;BYHOUR=6;BYMINUTE=30;BYSECOND=0", nil, "Hằng ngày lúc 06:30", true,
			[]string{"Thứ Ba 08/12/2026, 06:30", "Thứ Tư 09/12/2026, 06:30", "Thứ Năm 10/12/2026, 06:30", "Thứ Sáu 11/12/2026, 06:30", "Thứ Bảy 12/12/2026, 06:30"}},
		{"monthly on the 15th", "FREQ=MONTHLY;BYMONTHDAY=15;BYHOUR=8;BYMINUTE=0;BYSECOND=0", nil, "Hằng tháng vào ngày 15 lúc 08:00", true,
			[]string{"Thứ Ba 15/12/2026, 08:00", "Thứ Sáu 15/01/2027, 08:00", "Thứ Hai 15/02/2027, 08:00", "Thứ Hai 15/03/2027, 08:00", "Thứ Năm 15/04/2027, 08:00"}},
		{"three weekdays", "FREQ=WEEKLY;BYDAY=MO,WE,FR;BYHOUR=7;BYMINUTE=0;BYSECOND=0", nil, "Thứ Hai, Thứ Tư và Thứ Sáu hằng tuần lúc 07:00", true,
			[]string{"Thứ Tư 09/12/2026, 07:00", "Thứ Sáu 11/12/2026, 07:00", "Thứ Hai 14/12/2026, 07:00", "Thứ Tư 16/12/2026, 07:00", "Thứ Sáu 18/12/2026, 07:00"}},
		{"last day of the month", "FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=17;BYMINUTE=0;BYSECOND=0", nil, "Hằng tháng vào ngày cuối tháng lúc 17:00", true,
			[]string{"Thứ Năm 31/12/2026, 17:00", "Chủ Nhật 31/01/2027, 17:00", "Chủ Nhật 28/02/2027, 17:00", "Thứ Tư 31/03/2027, 17:00", "Thứ Sáu 30/04/2027, 17:00"}},
		{"yearly: the next dates", "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1;BYHOUR=7;BYMINUTE=0;BYSECOND=0", nil,
			"Theo quy tắc riêng, các lần đăng tới: 01/01/2027 07:00; 01/01/2028 07:00; 01/01/2029 07:00; 01/01/2030 07:00; 01/01/2031 07:00", false,
			[]string{"Thứ Sáu 01/01/2027, 07:00", "Thứ Bảy 01/01/2028, 07:00", "Thứ Hai 01/01/2029, 07:00", "Thứ Ba 01/01/2030, 07:00", "Thứ Tư 01/01/2031, 07:00"}},
		{"ended, undescribed", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=2;BYHOUR=7", &ended, "Không còn lần đăng nào.", false, nil},
		{"ended, described", "FREQ=DAILY;BYHOUR=7", &ended, "Hằng ngày lúc 07:00", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := storage.Schedule{Rule: tt.rule, Timezone: "Asia/Ho_Chi_Minh", StartsAt: start, EndsAt: tt.ends}
			got := describeSchedule(sc, now, loc)
			if got.Words != tt.words || got.Described != tt.described || !reflect.DeepEqual(got.Next, tt.next) {
				t.Errorf("got %+v\nwant %q %v %q", got, tt.words, tt.described, tt.next)
			}
		})
	}
}

func (h *harness) channel(name string, agency int64) storage.Channel {
	h.t.Helper()
	ch := storage.Channel{Name: name, Kind: "webhook", ConfigSealed: []byte("s"), AgencyID: agency}
	if err := h.store.CreateChannel(context.Background(), &ch, "test"); err != nil {
		h.t.Fatal(err)
	}
	return ch
}

func (h *harness) schedules() []storage.Schedule {
	h.t.Helper()
	scs, err := h.store.ListSchedules(context.Background(), 0)
	if err != nil {
		h.t.Fatal(err)
	}
	return scs
}

func scheduleFormValues(channel int64) url.Values {
	return url.Values{"name": {"Lịch tiếp công dân"}, "frequency": {"weekly"}, "weekdays": {"MO", "WE", "FR"},
		"time": {"07:00"}, "month_day": {"1"}, "start_date": {"2026-12-07"}, "end_date": {""},
		"title": {"Lịch tiếp công dân {{.Weekday}} {{.Date}}"}, "summary": {"Tuần {{.Week}}"}, "body": {"<p>Nội dung</p>"},
		"channel_ids": {fmt.Sprint(channel)}}
}

// A schedule made with the form is described in words with its next
// dates, creates its first posts, and pauses and resumes.
func TestScheduleCreatePauseResume(t *testing.T) {
	h := newHarness(t)
	ch := h.channel("Cổng thông tin xã", 0)
	h.user("Biên Tập", storage.RoleEditor, "mật khẩu đủ dài 1", 0)
	b := h.browser()
	b.mustLogin("Biên Tập", "mật khẩu đủ dài 1")
	allowed := []string{"Biên Tập", "Cổng thông tin xã", "Lịch tiếp công dân", "Date", "Time", "Weekday", "Week", "Month", "Year", "Tuần", "Nội dung"}

	form := b.get("/schedules/new")
	if form.status != http.StatusOK || !strings.Contains(form.body, "Cổng thông tin xã") || !strings.Contains(form.body, "không cần chờ duyệt") {
		t.Fatalf("form: %d %s", form.status, form.body)
	}
	checkVietnamesePage(t, form.body, allowed...)
	p := b.post("/schedules/new", "/schedules", scheduleFormValues(ch.ID))
	if p.status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", p.status, p.body)
	}
	scs := h.schedules()
	if len(scs) != 1 || scs[0].Rule != "FREQ=WEEKLY;BYDAY=MO,WE,FR;BYHOUR=7;BYMINUTE=0;BYSECOND=0" || scs[0].Status != storage.ScheduleActive {
		t.Fatalf("stored %+v", scs)
	}
	show := fmt.Sprintf("/schedules/%d", scs[0].ID)
	page := b.get(p.header.Get("Location"))
	for _, want := range []string{"Đã tạo lịch định kỳ.", "Thứ Hai, Thứ Tư và Thứ Sáu hằng tuần lúc 07:00", "Thứ Tư 09/12/2026, 07:00", "Thứ Sáu 18/12/2026, 07:00", "Tạm dừng lịch"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("schedule page lacks %q", want)
		}
	}
	checkVietnamesePage(t, page.body, allowed...)
	posts, err := h.store.ScheduleOccurrences(context.Background(), scs[0].ID)
	if err != nil || len(posts) == 0 {
		t.Fatalf("no occurrences created: %v", err)
	}
	list := b.get("/schedules")
	if !strings.Contains(list.body, "Thứ Hai, Thứ Tư và Thứ Sáu hằng tuần lúc 07:00") || !strings.Contains(list.body, "Đang chạy") {
		t.Errorf("list: %s", list.body)
	}
	checkVietnamesePage(t, list.body, allowed...)

	if p := b.post(show, show+"/pause", url.Values{}); p.status != http.StatusSeeOther || p.header.Get("Location") != show+"?da=tam-dung" {
		t.Fatalf("pause: %d %s", p.status, p.body)
	}
	if sc, _ := h.store.GetSchedule(context.Background(), scs[0].ID); sc.Status != storage.SchedulePaused {
		t.Errorf("after pause: %s", sc.Status)
	}
	paused := b.get(show + "?da=tam-dung")
	if !strings.Contains(paused.body, "Cho chạy tiếp") || !strings.Contains(paused.body, "Đã tạm dừng lịch") {
		t.Errorf("paused page: %s", paused.body)
	}
	checkVietnamesePage(t, paused.body, allowed...)
	if p := b.post(show, show+"/resume", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("resume: %d", p.status)
	}
	if sc, _ := h.store.GetSchedule(context.Background(), scs[0].ID); sc.Status != storage.ScheduleActive {
		t.Errorf("after resume: %s", sc.Status)
	}
}

// Bad input is answered on the form (422, Vietnamese, next to the field)
// and stores nothing.
func TestScheduleFormRefusesBadInput(t *testing.T) {
	h := newHarness(t)
	ch := h.channel("Cổng thông tin xã", 0)
	tr := newAdminTree(h)
	elsewhere := h.channel("Kênh huyện B", tr.b.ID)
	h.user("Chuyên Viên", storage.RoleOfficer, "mật khẩu đủ dài 1", tr.a.ID)
	b := h.browser()
	b.mustLogin("Chuyên Viên", "mật khẩu đủ dài 1")
	tests := []struct {
		name string
		edit func(url.Values)
		want string
	}{
		{"no name", func(f url.Values) { f.Set("name", " ") }, "Vui lòng nhập tên lịch"},
		{"no weekday", func(f url.Values) { f.Del("weekdays") }, "Vui lòng chọn ít nhất một ngày trong tuần."},
		{"no time", func(f url.Values) { f.Set("time", "7 giờ") }, "Vui lòng nhập giờ đăng"},
		{"unknown frequency", func(f url.Values) { f.Set("frequency", "hourly") }, "Vui lòng chọn tần suất"},
		{"month day 32", func(f url.Values) { f.Set("frequency", "monthly"); f.Set("month_day", "32") }, "Vui lòng chọn ngày trong tháng"},
		{"start yesterday", func(f url.Values) { f.Set("start_date", "2026-12-06") }, "Ngày bắt đầu không được sớm hơn hôm nay."},
		{"end before start", func(f url.Values) { f.Set("start_date", "2026-12-10"); f.Set("end_date", "2026-12-08") }, "Ngày kết thúc phải sau ngày bắt đầu."},
		{"no title", func(f url.Values) { f.Set("title", "") }, "Tiêu đề là bắt buộc"},
		{"unknown placeholder", func(f url.Values) { f.Set("title", "Tuần {{.Nope}}") }, "chỉ dùng các ô thay thế"},
		{"no channel", func(f url.Values) { f.Del("channel_ids") }, "Vui lòng chọn từ 1 đến 50 kênh"},
		{"channel outside scope", func(f url.Values) { f.Set("channel_ids", fmt.Sprint(elsewhere.ID)) }, "Vui lòng chọn từ 1 đến 50 kênh"},
		{"channel above", func(f url.Values) { f.Set("channel_ids", fmt.Sprint(ch.ID)) }, "Vui lòng chọn từ 1 đến 50 kênh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := scheduleFormValues(0)
			form.Del("channel_ids")
			h.channelFor(t, form, tr.a.ID)
			tt.edit(form)
			p := b.post("/schedules/new", "/schedules", form)
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, tt.want) || !strings.Contains(p.body, `class="field-error"`) {
				t.Fatalf("got %d %s", p.status, p.body)
			}
			checkVietnamesePage(t, p.body, "Chuyên Viên", "Lịch tiếp công dân", "Tuần", "Nope", "Nội dung", "Date", "Time", "Weekday", "Week", "Month", "Year")
			if n := len(h.schedules()); n != 0 {
				t.Errorf("%d schedules stored by a refused form", n)
			}
		})
	}
}

// channelFor puts a channel of agency in the form, made once per test.
func (h *harness) channelFor(t *testing.T, form url.Values, agency int64) {
	t.Helper()
	chs, err := h.store.ListChannels(context.Background(), agency)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range chs {
		if ch.AgencyID == agency {
			form.Set("channel_ids", fmt.Sprint(ch.ID))
			return
		}
	}
	form.Set("channel_ids", fmt.Sprint(h.channel("Kênh huyện A", agency).ID))
}

// An officer pauses only their own schedules; a schedule outside the
// user's agencies is not found; refusals change nothing.
func TestSchedulePauseRefused(t *testing.T) {
	h := newHarness(t)
	tr := newAdminTree(h)
	ch := h.channel("Kênh huyện A", tr.a.ID)
	chB := h.channel("Kênh huyện B", tr.b.ID)
	editor := h.user("Biên Tập A", storage.RoleEditor, "mật khẩu đủ dài 1", tr.a.ID)
	editorB := h.user("Biên Tập B", storage.RoleEditor, "mật khẩu đủ dài 1", tr.b.ID)
	h.user("Chuyên Viên A", storage.RoleOfficer, "mật khẩu đủ dài 1", tr.a.ID)
	mine := h.schedule(editor, ch.ID)
	theirs := h.schedule(editorB, chB.ID)
	b := h.browser()
	b.mustLogin("Chuyên Viên A", "mật khẩu đủ dài 1")
	token := b.csrf("/schedules")

	own := b.get(fmt.Sprintf("/schedules/%d", mine.ID))
	if own.status != http.StatusOK || strings.Contains(own.body, "Tạm dừng lịch") {
		t.Errorf("officer sees a pause button on an editor's schedule: %d", own.status)
	}
	p := b.do(http.MethodPost, fmt.Sprintf("/schedules/%d/pause", mine.ID), url.Values{"csrf_token": {token}})
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "không có thay đổi nào") {
		t.Errorf("officer pauses an editor's schedule: %d", p.status)
	}
	checkVietnamesePage(t, p.body)
	for _, path := range []string{fmt.Sprintf("/schedules/%d", theirs.ID), "/schedules/999999", "/schedules/x"} {
		if p := b.get(path); p.status != http.StatusNotFound || !strings.Contains(p.body, "Không tìm thấy") {
			t.Errorf("GET %s: %d", path, p.status)
		}
	}
	if p := b.do(http.MethodPost, fmt.Sprintf("/schedules/%d/pause", theirs.ID), url.Values{"csrf_token": {token}}); p.status != http.StatusNotFound {
		t.Errorf("pause outside scope: %d", p.status)
	}
	if list := b.get("/schedules"); strings.Contains(list.body, "Lịch của B") || !strings.Contains(list.body, "Lịch của A") {
		t.Errorf("list: %s", list.body)
	}
	for _, id := range []int64{mine.ID, theirs.ID} {
		if sc, _ := h.store.GetSchedule(context.Background(), id); sc.Status != storage.ScheduleActive {
			t.Errorf("schedule %d is %s after refusals", id, sc.Status)
		}
	}
}

// schedule creates a weekly schedule by author through the layer.
func (h *harness) schedule(author storage.User, channel int64) storage.Schedule {
	h.t.Helper()
	name := "Lịch của A"
	if strings.HasSuffix(author.Name, "B") {
		name = "Lịch của B"
	}
	sc := storage.Schedule{Name: name, Rule: "FREQ=WEEKLY;BYDAY=MO;BYHOUR=7", Timezone: "Asia/Ho_Chi_Minh", StartsAt: h.now(),
		Template: storage.PostTemplate{Title: "Tin tuần {{.Week}}"}, Targets: storage.Targets{ChannelIDs: []int64{channel}},
		AgencyID: author.AgencyID}
	if err := h.pub.CreateSchedule(context.Background(), author, &sc); err != nil {
		h.t.Fatal(err)
	}
	return sc
}

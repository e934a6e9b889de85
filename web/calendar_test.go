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

	"golang.org/x/net/html"

	"github.com/loa-vn/loa/storage"
)

// calChannel makes a webhook channel in agency.
func (h *harness) calChannel(agency int64, name string) storage.Channel {
	h.t.Helper()
	ch := storage.Channel{Name: name, Kind: "webhook", ConfigSealed: []byte("s"), AgencyID: agency}
	if err := h.store.CreateChannel(context.Background(), &ch, "test"); err != nil {
		h.t.Fatal(err)
	}
	return ch
}

// calPost stores a post by author in agency to the channels at at, with
// status (storage's default, scheduled, when empty).
func (h *harness) calPost(author storage.User, agency int64, title, status string, at time.Time, chs ...storage.Channel) storage.Post {
	h.t.Helper()
	ids := make([]int64, len(chs))
	for i, ch := range chs {
		ids[i] = ch.ID
	}
	p := storage.Post{Title: title, Body: "<p>Nội dung</p>", Audience: "public", AgencyID: agency, Status: status,
		PublishAt: at, CreatedBy: author.ID}
	if _, err := h.store.CreatePost(context.Background(), &p, ids, nil, "test"); err != nil {
		h.t.Fatal(err)
	}
	return p
}

// postState is what a refused change must leave as it was.
type postState struct {
	Post       storage.Post
	Deliveries []storage.Delivery
	History    int
}

func (h *harness) postState(id int64) postState {
	h.t.Helper()
	ctx := context.Background()
	p, ds, err := h.store.GetPost(ctx, id)
	if err != nil {
		h.t.Fatal(err)
	}
	events, err := h.store.History(ctx, storage.EntityPost, id)
	if err != nil {
		h.t.Fatal(err)
	}
	return postState{Post: p, Deliveries: ds, History: len(events)}
}

// calendarCells maps each day of a calendar page (data-date) to the text
// of its cell.
func calendarCells(t *testing.T, body string) map[string]string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	cells := map[string]string{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "li" && attr(n, "data-date") != "" {
			cells[attr(n, "data-date")] = textOf(n)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return cells
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteString(" ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// A delivery belongs to its local day in LOA_TIMEZONE: 00:30 on the 1st
// in Hồ Chí Minh city is the previous month's last day in UTC, and 23:30
// on the last day is still that day; a month's grid runs Monday to Sunday.
func TestCalendarLocalDayAtMonthEdges(t *testing.T) {
	h := newHarness(t)
	ed := h.user("bt", storage.RoleEditor, "mật khẩu đủ dài 1", 0)
	ch := h.calChannel(0, "Cổng tỉnh")
	local := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, h.loc) }
	h.calPost(ed, 0, "Đầu tháng Giêng", "", local(2027, 1, 1, 0, 30), ch)
	h.calPost(ed, 0, "Cuối tháng Chạp", "", local(2026, 12, 31, 23, 30), ch)
	h.calPost(ed, 0, "Đầu tháng Mười Hai", "", local(2026, 12, 1, 0, 30), ch)
	b := h.browser()
	b.mustLogin("bt", "mật khẩu đủ dài 1")

	tests := []struct {
		name, path     string
		heading        string
		first, last    string
		in             map[string]string // day → title it holds
		notIn          map[string]string // day → title it must not hold
		currentViewTxt string
	}{
		{"December", "/calendar?view=month&date=2026-12-15", "Tháng 12 năm 2026", "2026-11-30", "2027-01-03",
			map[string]string{"2027-01-01": "00:30 Đầu tháng Giêng", "2026-12-31": "23:30 Cuối tháng Chạp", "2026-12-01": "00:30 Đầu tháng Mười Hai"},
			map[string]string{"2026-12-31": "Đầu tháng Giêng", "2026-11-30": "Đầu tháng Mười Hai", "2027-01-01": "Cuối tháng Chạp"}, "Xem theo tháng"},
		{"January", "/calendar?date=2027-01-01", "Tháng 1 năm 2027", "2026-12-28", "2027-01-31",
			map[string]string{"2027-01-01": "Đầu tháng Giêng", "2026-12-31": "Cuối tháng Chạp"},
			map[string]string{"2026-12-31": "Đầu tháng Giêng"}, "Xem theo tháng"},
		{"default is this month", "/calendar", "Tháng 12 năm 2026", "2026-11-30", "2027-01-03",
			map[string]string{"2026-12-01": "Đầu tháng Mười Hai"}, nil, "Xem theo tháng"},
		{"week across the year's end", "/calendar?view=week&date=2026-12-30", "Tuần từ Thứ Hai 28/12/2026 đến Chủ Nhật 03/01/2027", "2026-12-28", "2027-01-03",
			map[string]string{"2027-01-01": "Đầu tháng Giêng", "2026-12-31": "Cuối tháng Chạp"},
			map[string]string{"2026-12-31": "Đầu tháng Giêng"}, "Xem theo tuần"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := b.get(tt.path)
			if p.status != http.StatusOK || !strings.Contains(p.body, tt.heading) {
				t.Fatalf("%s: %d, no heading %q", tt.path, p.status, tt.heading)
			}
			checkVietnamesePage(t, p.body, "bt", "Giêng", "Chạp")
			cells := calendarCells(t, p.body)
			if _, ok := cells[tt.first]; !ok {
				t.Errorf("grid does not start on %s", tt.first)
			}
			if _, ok := cells[tt.last]; !ok {
				t.Errorf("grid does not end on %s", tt.last)
			}
			first, _ := time.Parse(calendarDateLayout, tt.first)
			if first.Weekday() != time.Monday || len(cells)%7 != 0 {
				t.Errorf("grid starts on %s with %d days, want whole weeks from Monday", first.Weekday(), len(cells))
			}
			for day, title := range tt.in {
				if !strings.Contains(cells[day], title) {
					t.Errorf("%s holds %q, want %q", day, cells[day], title)
				}
			}
			for day, title := range tt.notIn {
				if strings.Contains(cells[day], title) {
					t.Errorf("%s holds %q, which belongs to another local day", day, title)
				}
			}
			if !strings.Contains(p.body, `aria-current="page">`+tt.currentViewTxt) {
				t.Errorf("view switch does not mark %q", tt.currentViewTxt)
			}
		})
	}
}

// In a zone behind UTC the edge goes the other way: 20:00 on 31/12 in New
// York is already 01/01 in UTC, and stays on the 31st.
func TestCalendarLocalDayBehindUTC(t *testing.T) {
	h := newHarness(t)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	ed := h.user("bt", storage.RoleEditor, "mật khẩu đủ dài 1", 0)
	ch := h.calChannel(0, "Cổng tỉnh")
	h.calPost(ed, 0, "Tối giao thừa", "", time.Date(2026, 12, 31, 20, 0, 0, 0, ny), ch)
	pages, err := New(Options{Store: h.store, Publishing: h.pub, Location: ny, Now: h.now})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []calendarRequest{
		{Date: time.Date(2026, 12, 1, 0, 0, 0, 0, ny)},
		{Week: true, Date: time.Date(2027, 1, 1, 0, 0, 0, 0, ny)},
	} {
		v, err := pages.calendarData(context.Background(), ed, r, calendarLimit)
		if err != nil {
			t.Fatal(err)
		}
		days := map[string][]string{}
		for _, w := range v.Weeks {
			for _, d := range w {
				for _, e := range d.Entries {
					days[d.Key] = append(days[d.Key], e.Time+" "+e.Title)
				}
			}
		}
		if fmt.Sprint(days) != "map[2026-12-31:[20:00 Tối giao thừa]]" {
			t.Errorf("%s view: entries by day = %v", r.view(), days)
		}
	}
}

// A post's deliveries make one entry with its channel count and each
// status named; schedule occurrences beyond the horizon appear; the view
// is bounded and says so; another agency's posts never show.
func TestCalendarEntriesOccurrencesAndScope(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	root, _ := h.store.RootAgency(ctx)
	a := storage.Agency{Name: "Huyện A", Code: "a", ParentID: &root.ID}
	bAg := storage.Agency{Name: "Huyện B", Code: "b", ParentID: &root.ID}
	for _, ag := range []*storage.Agency{&a, &bAg} {
		if err := h.store.CreateAgency(ctx, ag, "test"); err != nil {
			t.Fatal(err)
		}
	}
	ed := h.user("bt a", storage.RoleEditor, "mật khẩu đủ dài 1", a.ID)
	h.user("cv a", storage.RoleOfficer, "mật khẩu đủ dài 1", a.ID)
	ch1, ch2 := h.calChannel(a.ID, "Cổng A"), h.calChannel(a.ID, "Zalo A")
	chB := h.calChannel(bAg.ID, "Cổng B")
	at := time.Date(2026, 12, 10, 9, 0, 0, 0, h.loc)
	mine := h.calPost(ed, a.ID, "Thông báo tiếp dân", "", at, ch1, ch2)
	h.calPost(ed, a.ID, "Tin chờ duyệt AAA", storage.PostPendingApproval, at.Add(time.Hour), ch1)
	h.calPost(ed, bAg.ID, "Tin của huyện B", "", at, chB)
	sc := storage.Schedule{Name: "Bản tin đầu tuần", Rule: "FREQ=WEEKLY;BYDAY=MO;BYHOUR=7;BYMINUTE=0", Timezone: "Asia/Ho_Chi_Minh",
		StartsAt: h.now(), Template: storage.PostTemplate{Title: "Bản tin tuần {{.Week}}", Body: "<p>x</p>"},
		Targets: storage.Targets{ChannelIDs: []int64{ch1.ID}}, CreatedBy: ed.ID, AgencyID: a.ID,
		MaterializedUntil: time.Date(2026, 12, 20, 0, 0, 0, 0, h.loc)}
	if err := h.store.CreateSchedule(ctx, &sc, "test"); err != nil {
		t.Fatal(err)
	}
	b := h.browser()
	b.mustLogin("bt a", "mật khẩu đủ dài 1")
	p := b.get("/calendar?view=month&date=2026-12-01")
	checkVietnamesePage(t, p.body, "bt a", "AAA")
	cells := calendarCells(t, p.body)
	for day, want := range map[string]string{
		"2026-12-10": "09:00 Thông báo tiếp dân 2 kênh Đã hẹn giờ",
		"2026-12-21": "07:00 Bản tin tuần 52 1 kênh Lịch định kỳ (chưa tạo tin)",
		"2026-12-28": "07:00 Bản tin tuần 53 1 kênh Lịch định kỳ (chưa tạo tin)",
	} {
		if !strings.Contains(cells[day], want) {
			t.Errorf("%s = %q, want %q", day, cells[day], want)
		}
	}
	if strings.Contains(cells["2026-12-14"], "Bản tin tuần") {
		t.Error("an occurrence before the materialized horizon is shown (its post would be)")
	}
	if !strings.Contains(cells["2026-12-10"], "10:00 Tin chờ duyệt AAA 1 kênh Chờ duyệt") {
		t.Errorf("pending post: %q", cells["2026-12-10"])
	}
	if strings.Contains(p.body, "huyện B") {
		t.Error("another agency's post is on the calendar")
	}
	if !strings.Contains(p.body, fmt.Sprintf(`href="/posts/%d"`, mine.ID)) {
		t.Error("entry does not link to its post")
	}
	for _, s := range []string{"Chú giải trạng thái", "Không thành công", "Chưa xác nhận (cần kiểm tra)", "Đã đăng", "Chờ duyệt"} {
		if !strings.Contains(p.body, s) {
			t.Errorf("legend lacks %q", s)
		}
	}

	t.Run("mixed statuses are each named", func(t *testing.T) {
		mixed := h.calPost(ed, a.ID, "Tin gửi dở", "", h.now(), ch1, ch2)
		_, ds, _ := h.store.GetPost(ctx, mixed.ID)
		h.fail(ds[0].ID)
		v, err := h.pages.calendarData(ctx, ed, calendarRequest{Date: at}, calendarLimit)
		if err != nil {
			t.Fatal(err)
		}
		e := findEntry(v, mixed.ID)
		if e == nil || e.Status != storage.DeliveryFailed || e.Movable ||
			fmt.Sprint(e.Statuses) != "[{failed Không thành công Không thành công: 1 kênh 1} {scheduled Đã hẹn giờ Đã hẹn giờ: 1 kênh 1}]" {
			t.Fatalf("entry = %+v", e)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		v, err := h.pages.calendarData(ctx, ed, calendarRequest{Date: at}, 2)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, w := range v.Weeks {
			for _, d := range w {
				n += len(d.Entries)
			}
		}
		if !v.Truncated || n > 2 {
			t.Fatalf("limit 2: truncated %v, %d entries", v.Truncated, n)
		}
		var out strings.Builder
		if err := h.pages.pages["calendar"].ExecuteTemplate(&out, "layout", view{Title: "Lịch đăng", Data: v}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "trang chỉ hiển thị 2 mục đầu tiên") {
			t.Error("a bounded view does not say more exist")
		}
	})
	t.Run("officer sees no form for an editor's post", func(t *testing.T) {
		ob := h.browser()
		ob.mustLogin("cv a", "mật khẩu đủ dài 1")
		p := ob.get("/calendar?date=2026-12-10")
		if strings.Contains(p.body, fmt.Sprintf("/calendar/posts/%d/reschedule", mine.ID)) {
			t.Error("officer is offered to move an editor's post")
		}
	})
	t.Run("bad date", func(t *testing.T) {
		p := b.get("/calendar?date=2026-13-01")
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Ngày cần xem trên Lịch đăng không hợp lệ") {
			t.Fatalf("got %d", p.status)
		}
		checkVietnamesePage(t, p.body)
	})
}

func findEntry(v calendarView, postID int64) *calendarEntry {
	for _, w := range v.Weeks {
		for _, d := range w {
			for _, e := range d.Entries {
				if e.PostID == postID {
					return e
				}
			}
		}
	}
	return nil
}

// fail makes delivery id failed, as the worker would after its attempts.
func (h *harness) fail(id int64) {
	h.t.Helper()
	ctx := context.Background()
	c, err := h.store.ClaimDelivery(ctx, id, fmt.Sprint("lease-", id), time.Minute)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.store.FinishAttempt(ctx, c, storage.Result{Status: storage.DeliveryFailed, Outcome: storage.OutcomeFailed, Error: "lỗi"}); err != nil {
		h.t.Fatal(err)
	}
}

// Rescheduling goes through the application layer: an editor's move keeps
// the post approved and re-queues it; an officer's own move sends it back
// to approval; every refusal says why in Vietnamese and changes nothing.
func TestCalendarReschedule(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	root, _ := h.store.RootAgency(ctx)
	a := storage.Agency{Name: "Huyện A", Code: "a", ParentID: &root.ID}
	bAg := storage.Agency{Name: "Huyện B", Code: "b", ParentID: &root.ID}
	for _, ag := range []*storage.Agency{&a, &bAg} {
		if err := h.store.CreateAgency(ctx, ag, "test"); err != nil {
			t.Fatal(err)
		}
	}
	ed := h.user("bt a", storage.RoleEditor, "mật khẩu đủ dài 1", a.ID)
	cv := h.user("cv a", storage.RoleOfficer, "mật khẩu đủ dài 1", a.ID)
	h.user("cv khac", storage.RoleOfficer, "mật khẩu đủ dài 1", a.ID)
	h.user("bt b", storage.RoleEditor, "mật khẩu đủ dài 1", bAg.ID)
	ch1, ch2 := h.calChannel(a.ID, "Cổng A"), h.calChannel(a.ID, "Zalo A")
	at := time.Date(2026, 12, 10, 9, 0, 0, 0, h.loc)
	editors := h.calPost(ed, a.ID, "Tin của biên tập", "", at, ch1, ch2)
	officers := h.calPost(cv, a.ID, "Tin của chuyên viên", "", at, ch1)
	started := h.calPost(ed, a.ID, "Tin đang gửi", "", h.now(), ch1, ch2)
	_, ds, _ := h.store.GetPost(ctx, started.ID)
	if _, err := h.store.ClaimDelivery(ctx, ds[0].ID, "lease", time.Minute); err != nil {
		t.Fatal(err)
	}
	sessions := map[string]*browser{}
	for _, name := range []string{"bt a", "cv a", "cv khac", "bt b"} {
		sessions[name] = h.browser()
		sessions[name].mustLogin(name, "mật khẩu đủ dài 1")
	}
	move := func(who string, id int64, date, clock string) page {
		b := sessions[who]
		return b.do(http.MethodPost, fmt.Sprintf("/calendar/posts/%d/reschedule", id), url.Values{
			"csrf_token": {b.csrf("/calendar")}, "view": {"month"}, "back": {"2026-12-01"}, "date": {date}, "time": {clock}})
	}

	refusals := []struct {
		name, who string
		id        int64
		date, tm  string
		status    int
		text      string
	}{
		{"a delivery has started", "bt a", started.ID, "2026-12-20", "09:00", http.StatusConflict, "tin đã bắt đầu gửi"},
		{"officer moves another's post", "cv khac", officers.ID, "2026-12-20", "09:00", http.StatusForbidden, "chuyên viên chỉ dời được tin do chính mình soạn"},
		{"outside the agency", "bt b", editors.ID, "2026-12-20", "09:00", http.StatusNotFound, "Không tìm thấy tin này"},
		{"no such post", "bt a", 999999, "2026-12-20", "09:00", http.StatusNotFound, "Không tìm thấy tin này"},
		{"impossible date", "bt a", editors.ID, "2026-02-31", "09:00", http.StatusUnprocessableEntity, "Ngày không hợp lệ"},
		{"bad time", "bt a", editors.ID, "2026-12-20", "25:00", http.StatusUnprocessableEntity, "Giờ không hợp lệ"},
		{"in the past", "bt a", editors.ID, "2026-12-01", "09:00", http.StatusUnprocessableEntity, "Thời điểm mới đã qua"},
		{"too far ahead", "bt a", editors.ID, "2036-12-01", "09:00", http.StatusUnprocessableEntity, "trong vòng năm năm tới"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			var before []postState
			for _, id := range []int64{editors.ID, officers.ID, started.ID} {
				before = append(before, h.postState(id))
			}
			queued := len(h.sched.scheduled)
			p := move(tt.who, tt.id, tt.date, tt.tm)
			if p.status != tt.status || !strings.Contains(p.body, tt.text) || !strings.Contains(p.body, "Không có thay đổi nào được thực hiện") {
				t.Fatalf("got %d, want %d with %q:\n%s", p.status, tt.status, tt.text, p.body)
			}
			checkVietnamesePage(t, p.body, tt.who)
			for i, id := range []int64{editors.ID, officers.ID, started.ID} {
				if after := h.postState(id); !reflect.DeepEqual(before[i], after) {
					t.Errorf("post %d changed by a refused move:\n%+v\n%+v", id, before[i], after)
				}
			}
			if len(h.sched.scheduled) != queued {
				t.Error("a refused move queued something")
			}
		})
	}
	t.Run("the refused values stay in the form", func(t *testing.T) {
		p := move("bt a", editors.ID, "2026-12-20", "25:00")
		if !strings.Contains(p.body, `value="25:00"`) || !strings.Contains(p.body, `aria-invalid="true"`) {
			t.Errorf("form lost the typed time or its error mark")
		}
	})

	t.Run("editor moves a post: stays approved, re-queued", func(t *testing.T) {
		p := move("bt a", editors.ID, "20/12/2026", "07:15")
		want := time.Date(2026, 12, 20, 7, 15, 0, 0, h.loc)
		loc := p.header.Get("Location")
		if p.status != http.StatusSeeOther || !strings.Contains(loc, "date=2026-12-20") || !strings.Contains(loc, "done=moved&") {
			t.Fatalf("got %d %q", p.status, loc)
		}
		st := h.postState(editors.ID)
		if !st.Post.PublishAt.Equal(want) || st.Post.Status != storage.PostScheduled {
			t.Fatalf("post = %s at %s", st.Post.Status, st.Post.PublishAt)
		}
		for _, d := range st.Deliveries {
			if !d.ScheduledAt.Equal(want) || d.Status != storage.DeliveryScheduled || !h.sched.scheduled[d.ID].Equal(want) {
				t.Errorf("delivery %d: %s at %s, queued for %s", d.ID, d.Status, d.ScheduledAt, h.sched.scheduled[d.ID])
			}
		}
		after := sessions["bt a"].get(loc)
		if !strings.Contains(after.body, fmt.Sprintf("Đã dời lịch tin số %d sang Chủ Nhật 20/12/2026, 07:15.", editors.ID)) {
			t.Errorf("no confirmation after the move")
		}
		if !strings.Contains(calendarCells(t, after.body)["2026-12-20"], "07:15 Tin của biên tập 2 kênh") {
			t.Error("moved post is not on its new day")
		}
		checkVietnamesePage(t, after.body, "bt a")
	})
	t.Run("officer moves their own post: back to approval", func(t *testing.T) {
		p := move("cv a", officers.ID, "2026-12-21", "08:00")
		if p.status != http.StatusSeeOther || !strings.Contains(p.header.Get("Location"), "done=moved-approval") {
			t.Fatalf("got %d %q", p.status, p.header.Get("Location"))
		}
		st := h.postState(officers.ID)
		if st.Post.Status != storage.PostPendingApproval || st.Deliveries[0].Status != storage.DeliveryPendingApproval {
			t.Fatalf("officer's moved post = %s", st.Post.Status)
		}
		after := sessions["cv a"].get(p.header.Get("Location"))
		if !strings.Contains(after.body, "Tin cần được duyệt lại trước khi gửi.") {
			t.Error("officer is not told the post waits for approval again")
		}
	})
	t.Run("a forged confirmation shows nothing", func(t *testing.T) {
		p := sessions["bt a"].get("/calendar?done=moved&post=abc&at=hôm-nay")
		if strings.Contains(p.body, "Đã dời lịch") {
			t.Error("confirmation from unchecked query values")
		}
	})
}

// Both pages keep the strict page policy: no inline script or style
// attribute; their own files are served with the right types.
func TestCalendarAndApprovalsPolicyAndAssets(t *testing.T) {
	w := newApprovalsWorld(t)
	w.submit("Tin chờ duyệt", "<p>x</p>")
	w.h.calPost(w.edA, w.a.ID, "Tin đã hẹn", "", w.h.now().Add(time.Hour), w.chA)
	b := w.sessions["bt a"]
	for _, path := range []string{"/calendar", "/calendar?view=week", "/approvals"} {
		p := b.get(path)
		if p.status != http.StatusOK || hasInlineScript(p.body) || strings.Contains(p.body, ` style=`) ||
			!strings.Contains(p.header.Get("Content-Security-Policy"), "script-src 'self';") {
			t.Errorf("%s: %d, inline script or style, or CSP %q", path, p.status, p.header.Get("Content-Security-Policy"))
		}
		checkVietnamesePage(t, p.body, "bt a")
	}
	for file, typ := range map[string]string{"calendar.js": "javascript", "calendar.css": "text/css", "approvals.css": "text/css"} {
		if p := b.get("/assets/" + file); p.status != http.StatusOK || !strings.Contains(p.header.Get("Content-Type"), typ) {
			t.Errorf("%s: %d %s", file, p.status, p.header.Get("Content-Type"))
		}
	}
	if p := w.h.browser().get("/calendar"); p.status != http.StatusSeeOther {
		t.Errorf("signed-out calendar: %d", p.status)
	}
	if p := w.h.browser().get("/approvals"); p.status != http.StatusSeeOther {
		t.Errorf("signed-out approvals: %d", p.status)
	}
}

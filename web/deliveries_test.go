package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/storage"
)

const pw = "mật khẩu đủ dài 1"

// logWorld is a root with agencies A and B, a channel in each, and users:
// two officers and an editor in A, an editor in B, an editor at the root.
type logWorld struct {
	h                   *harness
	a, b                storage.Agency
	chA, chA2, chB      storage.Channel
	cvA, cvA2, btA      storage.User
	btB, btRoot, adRoot storage.User
}

func newLogWorld(t *testing.T) *logWorld {
	t.Helper()
	h := newHarness(t)
	ctx := context.Background()
	root, err := h.store.RootAgency(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w := &logWorld{h: h, a: storage.Agency{Name: "Huyện A", Code: "a", ParentID: &root.ID},
		b: storage.Agency{Name: "Huyện B", Code: "b", ParentID: &root.ID}}
	for _, ag := range []*storage.Agency{&w.a, &w.b} {
		if err := h.store.CreateAgency(ctx, ag, "test"); err != nil {
			t.Fatal(err)
		}
	}
	w.chA = storage.Channel{Name: "Cổng A", Kind: "webhook", ConfigSealed: []byte("s"), AgencyID: w.a.ID}
	w.chA2 = storage.Channel{Name: "Trang Facebook A", Kind: "facebook_page", ConfigSealed: []byte("s"), AgencyID: w.a.ID}
	w.chB = storage.Channel{Name: "Cổng B", Kind: "webhook", ConfigSealed: []byte("s"), AgencyID: w.b.ID}
	for _, c := range []*storage.Channel{&w.chA, &w.chA2, &w.chB} {
		if err := h.store.CreateChannel(ctx, c, "test"); err != nil {
			t.Fatal(err)
		}
	}
	w.cvA = h.user("cv a", storage.RoleOfficer, pw, w.a.ID)
	w.cvA2 = h.user("cv a hai", storage.RoleOfficer, pw, w.a.ID)
	w.btA = h.user("bt a", storage.RoleEditor, pw, w.a.ID)
	w.btB = h.user("bt b", storage.RoleEditor, pw, w.b.ID)
	w.btRoot = h.user("bt tinh", storage.RoleEditor, pw, root.ID)
	w.adRoot = h.user("qt tinh", storage.RoleAdmin, pw, root.ID)
	return w
}

// post makes a post by author to ch, going out at `at`, and returns its delivery.
func (w *logWorld) post(author storage.User, ch storage.Channel, title string, at time.Time) storage.Delivery {
	w.h.t.Helper()
	p := storage.Post{Title: title, Body: "Nội dung", Audience: "public", AgencyID: ch.AgencyID, PublishAt: at, CreatedBy: author.ID}
	ds, err := w.h.store.CreatePost(context.Background(), &p, []int64{ch.ID}, nil, "test")
	if err != nil {
		w.h.t.Fatal(err)
	}
	return ds[0]
}

// finish makes one attempt at d (due now) end with r.
func (w *logWorld) finish(d storage.Delivery, r storage.Result) {
	w.h.t.Helper()
	ctx := context.Background()
	c, err := w.h.store.ClaimDelivery(ctx, d.ID, fmt.Sprintf("lease-%d-%d", d.ID, time.Now().UnixNano()), time.Minute)
	if err != nil {
		w.h.t.Fatal(err)
	}
	if err := w.h.store.FinishAttempt(ctx, c, r); err != nil {
		w.h.t.Fatal(err)
	}
}

func (w *logWorld) failed(author storage.User, ch storage.Channel, title, reason string) storage.Delivery {
	w.h.t.Helper()
	d := w.post(author, ch, title, w.h.now())
	w.finish(d, storage.Result{Status: storage.DeliveryFailed, Outcome: storage.OutcomeFailed, Error: reason, HTTPStatus: 400})
	return d
}

func (w *logWorld) login(u storage.User) *browser {
	w.h.t.Helper()
	b := w.h.browser()
	b.mustLogin(u.Name, pw)
	return b
}

func (w *logWorld) status(id int64) string {
	w.h.t.Helper()
	d, _, err := w.h.store.GetDelivery(context.Background(), id)
	if err != nil {
		w.h.t.Fatal(err)
	}
	return d.Status
}

var shownDelivery = regexp.MustCompile(`id="luot-(\d+)"`)

// shown lists the deliveries a page of the log shows, in order.
func shown(body string) []int64 {
	var ids []int64
	for _, m := range shownDelivery.FindAllStringSubmatch(body, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		ids = append(ids, id)
	}
	return ids
}

// allowedTitles are the test's own words, which a page may show.
var allowedTitles = []string{"cv a", "bt a", "bt b", "bt tinh", "qt tinh", "hai"}

// The filters narrow the log within the user's scope; an agency outside
// it shows nothing; bad input is a 422 with the message by the field.
func TestDeliveriesFilters(t *testing.T) {
	w := newLogWorld(t)
	now := w.h.now()
	today := w.post(w.cvA, w.chA, "Tin hôm nay", now.Add(time.Hour))
	later := w.post(w.cvA, w.chA2, "Tin tuần sau", now.Add(7*24*time.Hour))
	bad := w.failed(w.cvA, w.chA, "Tin hỏng", "webhook: HTTP 400: bad")
	other := w.post(w.btB, w.chB, "Tin của huyện B", now.Add(time.Hour))
	b := w.login(w.btA)
	local := func(t time.Time) string { return t.In(w.h.loc).Format("02/01/2006") }
	tests := []struct {
		name  string
		query url.Values
		want  []int64
	}{
		{"everything in scope", nil, []int64{bad.ID, later.ID, today.ID}},
		{"status", url.Values{"status": {"failed"}}, []int64{bad.ID}},
		{"channel", url.Values{"channel": {strconv.FormatInt(w.chA2.ID, 10)}}, []int64{later.ID}},
		{"post", url.Values{"post": {strconv.FormatInt(today.PostID, 10)}}, []int64{today.ID}},
		{"delivery", url.Values{"delivery": {strconv.FormatInt(bad.ID, 10)}}, []int64{bad.ID}},
		{"one local day", url.Values{"from": {local(now)}, "to": {local(now)}}, []int64{bad.ID, today.ID}},
		{"from a day on", url.Values{"from": {local(now.Add(24 * time.Hour))}}, []int64{later.ID}},
		{"agency A", url.Values{"agency": {strconv.FormatInt(w.a.ID, 10)}}, []int64{bad.ID, later.ID, today.ID}},
		{"agency outside scope", url.Values{"agency": {strconv.FormatInt(w.b.ID, 10)}}, nil},
		{"channel outside scope", url.Values{"channel": {strconv.FormatInt(w.chB.ID, 10)}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := b.get("/deliveries?" + tt.query.Encode())
			if p.status != http.StatusOK {
				t.Fatalf("status %d", p.status)
			}
			if got := shown(p.body); !slices.Equal(got, tt.want) {
				t.Errorf("shows %v, want %v", got, tt.want)
			}
			if strings.Contains(p.body, "Tin của huyện B") {
				t.Error("shows a delivery of another agency")
			}
			checkVietnamesePage(t, p.body, append(allowedTitles, "webhook: HTTP 400: bad")...)
		})
	}
	// The province editor sees both agencies' deliveries.
	if got := shown(w.login(w.btRoot).get("/deliveries").body); !slices.Contains(got, other.ID) || !slices.Contains(got, bad.ID) {
		t.Errorf("province editor sees %v", got)
	}
	for _, bad := range []struct{ query, want string }{
		{"from=2026-12-07", "Ngày phải viết theo dạng ngày/tháng/năm"},
		{"from=08/12/2026&to=07/12/2026", "Ngày kết thúc phải bằng hoặc sau ngày bắt đầu"},
		{"post=abc", "Mã tin phải là một số nguyên dương"},
		{"status=gone", "Trạng thái không hợp lệ"},
	} {
		t.Run(bad.query, func(t *testing.T) {
			p := b.get("/deliveries?" + bad.query)
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, bad.want) {
				t.Fatalf("got %d, want 422 with %q", p.status, bad.want)
			}
			if len(shown(p.body)) != 0 {
				t.Error("a bad filter still lists deliveries")
			}
			checkVietnamesePage(t, p.body, allowedTitles...)
		})
	}
}

var pageLink = regexp.MustCompile(`<a href="([^"]+)" rel="(next|prev)">`)

func links(body string) map[string]string {
	out := map[string]string{}
	for _, m := range pageLink.FindAllStringSubmatch(body, -1) {
		out[m[2]] = strings.ReplaceAll(m[1], "&amp;", "&")
	}
	return out
}

// Keyset pages: "Trang sau" walks every delivery once, newest first,
// keeping the filter; "Trang trước" comes back to the same page.
func TestDeliveriesKeysetPages(t *testing.T) {
	w := newLogWorld(t)
	var all []int64
	for i := range 2*deliveriesPage + 10 {
		all = append(all, w.post(w.cvA, w.chA, fmt.Sprintf("Tin %d", i), w.h.now().Add(time.Hour)).ID)
	}
	w.post(w.cvA, w.chA2, "Tin kênh khác", w.h.now().Add(time.Hour)) // filtered out
	slices.Reverse(all)
	b := w.login(w.btA)
	path := "/deliveries?channel=" + strconv.FormatInt(w.chA.ID, 10)
	var seen [][]int64
	var paths []string
	for path != "" {
		p := b.get(path)
		if p.status != http.StatusOK {
			t.Fatalf("%s: %d", path, p.status)
		}
		seen, paths = append(seen, shown(p.body)), append(paths, path)
		path = links(p.body)["next"]
		if len(seen) > 5 {
			t.Fatal("pages never end")
		}
	}
	if len(seen) != 3 || len(seen[0]) != deliveriesPage || len(seen[2]) != 10 {
		t.Fatalf("page sizes %d pages: %v", len(seen), seen)
	}
	if got := slices.Concat(seen...); !slices.Equal(got, all) {
		t.Fatalf("pages show %v, want %v", got, all)
	}
	if !strings.Contains(paths[1], "channel=") {
		t.Error("the next page lost the filter")
	}
	last := b.get(paths[2])
	prev := links(last.body)["prev"]
	if prev == "" {
		t.Fatal("no Trang trước on the last page")
	}
	if got := shown(b.get(prev).body); !slices.Equal(got, seen[1]) {
		t.Errorf("Trang trước shows %v, want %v", got, seen[1])
	}
	first := b.get(links(b.get(prev).body)["prev"])
	if got := shown(first.body); !slices.Equal(got, seen[0]) {
		t.Errorf("back to the first page shows %v, want %v", got, seen[0])
	}
	if _, ok := links(first.body)["prev"]; ok {
		t.Error("the first page offers Trang trước")
	}
	if strings.Count(first.body, "Trang sau") != 1 {
		t.Error("no Trang sau on the first page")
	}
}

// Attempts show their time, outcome, HTTP status and the reason in plain
// Vietnamese, the raw reason redacted in small print; a delivered one
// links to the published item.
func TestDeliveriesAttemptsInVietnamese(t *testing.T) {
	w := newLogWorld(t)
	const token = "EAAGsecretsecretsecretsecretsecret0123456789"
	fb := w.post(w.cvA, w.chA2, "Tin Facebook", w.h.now())
	w.finish(fb, storage.Result{Status: storage.DeliveryRetrying, Outcome: storage.OutcomeRetry, HTTPStatus: 503,
		Error: "facebook: could not publish the post: Graph is temporarily unavailable (code 2); Loa will retry", NextAttemptAt: w.h.now()})
	w.finish(fb, storage.Result{Status: storage.DeliveryFailed, Outcome: storage.OutcomeFailed, HTTPStatus: 400,
		Error: "facebook: could not publish the post: the page token is invalid or expired (code 190, subcode 460, OAuthException: " +
			"Error validating access token https://graph.facebook.com/v25.0/me?access_token=" + token + "); re-authorise the Page"})
	ok := w.post(w.cvA, w.chA, "Tin đã đăng", w.h.now())
	w.finish(ok, storage.Result{Status: storage.DeliveryDelivered, Outcome: storage.OutcomeDelivered, HTTPStatus: 201,
		ExternalURL: "https://cong.example.gov.vn/tin/1"})
	p := w.login(w.btA).get("/deliveries")
	for _, want := range []string{
		"Mã truy cập đã hết hạn hoặc bị thu hồi. Quản trị viên cần Xác thực lại kênh",
		"Không kết nối được tới nền tảng hoặc máy chủ của nền tảng đang lỗi",
		"mã HTTP 400", "mã HTTP 503", "Lỗi, sẽ thử lại", "Không thành công", "Lần 1 · Thứ Hai 07/12/2026, 09:00",
		"Chi tiết kỹ thuật", "access_token=***",
		`href="https://cong.example.gov.vn/tin/1"`, "Xem bài trên nền tảng", "Đã đăng lúc",
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("missing %q", want)
		}
	}
	if strings.Contains(p.body, token) || strings.Contains(p.body, token[:20]) {
		t.Error("the raw reason shows the access token")
	}
	checkVietnamesePage(t, p.body, append(allowedTitles, "facebook: could not publish the post the page token is invalid or expired"+
		" Graph is temporarily unavailable Loa will retry OAuthException Error validating access token re-authorise Page")...)
}

func TestExplainReason(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"zalo: create article: Zalo error -216 (Access token is invalid): re-authorise the OA", "Mã truy cập đã hết hạn"},
		{"zalo: create article: Zalo error -32 (rate): Zalo's rate limit was reached", "giới hạn số lượt gửi"},
		{"facebook: could not publish the post: Facebook refused a duplicate post (code 506)", "trùng với một bài đăng gần đây"},
		{"wordpress: HTTP 401 rest_cannot_create: Sorry; check the username and application password", "mật khẩu ứng dụng WordPress"},
		{"gave up after 8 attempts: webhook: HTTP 503", "Đã thử 8 lần không thành công: không kết nối được"},
		{"worker stopped while sending; the platform may have received it", "không rõ nền tảng đã nhận tin hay chưa"},
		{"something new", "Nền tảng báo lỗi chưa rõ nguyên nhân"},
	}
	for _, tt := range tests {
		if got := explainReason(tt.raw, 0); !strings.Contains(strings.ToLower(got), strings.ToLower(tt.want)) {
			t.Errorf("%q → %q, want %q", tt.raw, got, tt.want)
		}
	}
	if got := redactReason("GET https://user:pa55@host/x?token=abc Bearer abc.def"); strings.Contains(got, "pa55") ||
		strings.Contains(got, "token=abc") || strings.Contains(got, "abc.def") {
		t.Errorf("redacted: %q", got)
	}
}

// pick posts a selection form from the log page.
func pick(b *browser, action string, ids []int64, extra url.Values) page {
	form := url.Values{"csrf_token": {b.csrf("/deliveries")}, "back": {"status=failed"}}
	for _, id := range ids {
		form.Add("id", strconv.FormatInt(id, 10))
	}
	for k, v := range extra {
		form[k] = v
	}
	return b.do(http.MethodPost, "/deliveries/"+action, form)
}

// A retry of a selection acts on exactly the selected deliveries, with
// more eligible ones left alone, and says what happened to each.
func TestRetrySelectionActsOnExactlySelected(t *testing.T) {
	w := newLogWorld(t)
	var failed []storage.Delivery
	for i := range 5 {
		failed = append(failed, w.failed(w.cvA, w.chA, fmt.Sprintf("Tin hỏng %d", i), "webhook: HTTP 400"))
	}
	done := w.post(w.cvA, w.chA, "Tin đã đăng", w.h.now())
	w.finish(done, storage.Result{Status: storage.DeliveryDelivered, Outcome: storage.OutcomeDelivered})
	b := w.login(w.cvA)
	p := pick(b, "retry", []int64{failed[1].ID, failed[3].ID, done.ID}, nil)
	if p.status != http.StatusSeeOther {
		t.Fatalf("retry: %d %s", p.status, p.body)
	}
	loc := p.header.Get("Location")
	if !strings.HasPrefix(loc, "/deliveries?") || !strings.Contains(loc, "status=failed") {
		t.Errorf("back to %q, not the list it came from", loc)
	}
	for i, d := range failed {
		want := storage.DeliveryFailed
		if i == 1 || i == 3 {
			want = storage.DeliveryScheduled
		}
		if got := w.status(d.ID); got != want {
			t.Errorf("delivery %d (#%d) is %s, want %s", d.ID, i, got, want)
		}
	}
	if got := w.h.sched.runNow; !slices.Equal(got, []int64{failed[1].ID, failed[3].ID}) {
		t.Errorf("queued %v", got)
	}
	after := b.get(loc)
	if !strings.Contains(after.body, "Đã gửi lại 2 lượt gửi; 1 lượt gửi không thể gửi lại vì đã đăng.") {
		t.Errorf("no summary in %s", after.body)
	}
	checkVietnamesePage(t, after.body, allowedTitles...)

	// A delivery's own button acts on it alone, whatever else is ticked.
	p = pick(b, "retry", []int64{failed[0].ID, failed[2].ID}, url.Values{"one": {strconv.FormatInt(failed[4].ID, 10)}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("retry one: %d", p.status)
	}
	for i, want := range map[int]string{0: storage.DeliveryFailed, 2: storage.DeliveryFailed, 4: storage.DeliveryScheduled} {
		if got := w.status(failed[i].ID); got != want {
			t.Errorf("after one: #%d is %s, want %s", i, got, want)
		}
	}
}

// Cancelling a selection cancels exactly the chosen deliveries that have
// not gone out, and removes their queued tasks.
func TestCancelSelectionActsOnExactlySelected(t *testing.T) {
	w := newLogWorld(t)
	var ds []storage.Delivery
	for i := range 4 {
		ds = append(ds, w.post(w.cvA, w.chA, fmt.Sprintf("Tin hẹn giờ %d", i), w.h.now().Add(time.Hour)))
	}
	b := w.login(w.btA)
	p := pick(b, "cancel", []int64{ds[0].ID, ds[2].ID}, nil)
	if p.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d %s", p.status, p.body)
	}
	for i, d := range ds {
		want := storage.DeliveryScheduled
		if i == 0 || i == 2 {
			want = storage.DeliveryCanceled
		}
		if got := w.status(d.ID); got != want {
			t.Errorf("#%d is %s, want %s", i, got, want)
		}
	}
	if got := w.h.sched.removed; !slices.Equal(got, []int64{ds[0].ID, ds[2].ID}) {
		t.Errorf("unscheduled %v", got)
	}
	p = pick(b, "cancel", []int64{ds[0].ID}, nil)
	if after := b.get(p.header.Get("Location")); !strings.Contains(after.body, "Không hủy được lượt gửi nào; 1 lượt gửi không thể hủy vì đã hủy từ trước.") {
		t.Errorf("second cancel's summary missing")
	}
}

// Retry and cancel are refused to a role the policy does not allow and
// outside the user's scope, changing nothing; a selection too big or
// empty is refused whole (422).
func TestSelectionRefusals(t *testing.T) {
	w := newLogWorld(t)
	mine := w.failed(w.cvA, w.chA, "Tin của cv a", "webhook: HTTP 400")
	unsure := w.post(w.cvA, w.chA, "Tin chưa xác nhận", w.h.now())
	w.finish(unsure, storage.Result{Status: storage.DeliveryUnconfirmed, Outcome: storage.OutcomeUnconfirmed, Error: "may have received it"})
	waiting := w.post(w.cvA, w.chA, "Tin hẹn giờ", w.h.now().Add(time.Hour))
	tests := []struct {
		name   string
		who    storage.User
		action string
		ids    []int64
		want   string
	}{
		{"another officer's post", w.cvA2, "retry", []int64{mine.ID}, "1 lượt gửi không được gửi lại vì bạn không có quyền"},
		{"another officer cancels", w.cvA2, "cancel", []int64{waiting.ID}, "1 lượt gửi không được hủy vì bạn không có quyền"},
		{"officer retries unconfirmed", w.cvA, "retry", []int64{unsure.ID}, "1 lượt gửi không được gửi lại vì bạn không có quyền"},
		{"editor of another agency", w.btB, "retry", []int64{mine.ID}, "1 lượt gửi không tìm thấy"},
		{"editor of another agency cancels", w.btB, "cancel", []int64{waiting.ID}, "1 lượt gửi không tìm thấy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := w.login(tt.who)
			p := pick(b, tt.action, tt.ids, nil)
			if p.status != http.StatusSeeOther {
				t.Fatalf("got %d", p.status)
			}
			after := b.get(p.header.Get("Location"))
			if !strings.Contains(after.body, tt.want) {
				t.Errorf("summary lacks %q", tt.want)
			}
			checkVietnamesePage(t, after.body, allowedTitles...)
		})
	}
	for id, want := range map[int64]string{mine.ID: storage.DeliveryFailed, unsure.ID: storage.DeliveryUnconfirmed, waiting.ID: storage.DeliveryScheduled} {
		if got := w.status(id); got != want {
			t.Errorf("delivery %d is %s after refusals, want %s", id, got, want)
		}
	}
	if len(w.h.sched.runNow) != 0 || len(w.h.sched.removed) != 0 {
		t.Errorf("queue touched: %v %v", w.h.sched.runNow, w.h.sched.removed)
	}
	// The editor of A may retry the unconfirmed one.
	b := w.login(w.btA)
	if p := pick(b, "retry", []int64{unsure.ID}, nil); p.status != http.StatusSeeOther || w.status(unsure.ID) != storage.DeliveryScheduled {
		t.Errorf("editor's retry of an unconfirmed delivery: %d %s", p.status, w.status(unsure.ID))
	}
	many := make([]int64, 101)
	for i := range many {
		many[i] = int64(i + 1)
	}
	for name, ids := range map[string][]int64{"too many": many, "none": nil} {
		t.Run(name, func(t *testing.T) {
			p := pick(b, "retry", ids, nil)
			if p.status != http.StatusUnprocessableEntity {
				t.Fatalf("got %d", p.status)
			}
			checkVietnamesePage(t, p.body, allowedTitles...)
		})
	}
	if w.status(mine.ID) != storage.DeliveryFailed {
		t.Error("a refused selection changed a delivery")
	}
}

// Buttons are offered only where the policy allows: an officer sees no
// retry on another's failed delivery nor on an unconfirmed one.
func TestDeliveriesButtonsFollowPolicy(t *testing.T) {
	w := newLogWorld(t)
	mine := w.failed(w.cvA, w.chA, "Tin của cv a", "webhook: HTTP 400")
	theirs := w.failed(w.cvA2, w.chA, "Tin của người khác", "webhook: HTTP 400")
	p := w.login(w.cvA).get("/deliveries")
	if !strings.Contains(p.body, fmt.Sprintf("Gửi lại lượt gửi số %d", mine.ID)) {
		t.Error("no retry button on the officer's own failed delivery")
	}
	if strings.Contains(p.body, fmt.Sprintf("Gửi lại lượt gửi số %d", theirs.ID)) {
		t.Error("retry offered on another officer's delivery")
	}
}

package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// Generic refusals over the pages' whole route table: a route added by a
// later page is checked without a change here, unless it takes a
// parameter the table below has no real object for — then the tests say
// so and fail.

// scopeWorld is a province (root) with two districts, A and B. A holds
// one object of every kind a page can show by id; B has its own admin,
// for whom all of A is out of scope.
type scopeWorld struct {
	// ids are A's objects by the route segment that names them.
	ids map[string]string
	// form has every field the pages' forms may read, filled with A's
	// objects, so that a route that forgot a check would act on it.
	form url.Values
}

const scopePassword = "mật khẩu đủ dài 1"

// Users of the scope world: the province's admin and officer, and B's admin.
const (
	provinceAdmin   = "qt tinh"
	provinceOfficer = "cv tinh"
	districtBAdmin  = "qt huyen b"
)

// newScopeWorld fills h, a harness with every channel kind (see
// newChannelHarness) so each channel page works for the control.
func newScopeWorld(h *harness) scopeWorld {
	h.t.Helper()
	ctx := context.Background()
	root, err := h.store.RootAgency(ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	a := storage.Agency{Name: "Huyện A", Code: "huyen-a", ParentID: &root.ID}
	b := storage.Agency{Name: "Huyện B", Code: "huyen-b", ParentID: &root.ID}
	for _, ag := range []*storage.Agency{&a, &b} {
		if err := h.store.CreateAgency(ctx, ag, "test"); err != nil {
			h.t.Fatal(err)
		}
	}
	admin := h.user(provinceAdmin, storage.RoleAdmin, scopePassword, root.ID)
	h.user(provinceOfficer, storage.RoleOfficer, scopePassword, root.ID)
	h.user(districtBAdmin, storage.RoleAdmin, scopePassword, b.ID)
	officerA := h.user("cv huyen a", storage.RoleOfficer, scopePassword, a.ID)

	name, kind := "Cổng huyện A", "webhook"
	ch, err := h.pages.channelAdmin().CreateChannel(ctx, admin, publishing.ChannelInput{Name: &name, Kind: &kind, AgencyID: &a.ID,
		Config: json.RawMessage(`{"url": "http://127.0.0.1:9/tin", "secret": "khoa-ky-du-dai-0123456789"}`)})
	if err != nil {
		h.t.Fatal(err)
	}
	// A channel needing re-authorisation has every channel page, the
	// re-authorisation form included.
	if err := h.store.SetChannelStatus(ctx, ch.ID, storage.ChannelNeedsReauth, "mã truy cập hết hạn", "test"); err != nil {
		h.t.Fatal(err)
	}
	at := h.now().Add(2 * time.Hour)
	waiting := storage.Post{Title: "Tin chờ duyệt huyện A", Body: "Nội dung", Audience: "public", AgencyID: a.ID,
		Status: storage.PostPendingApproval, PublishAt: at, CreatedBy: officerA.ID}
	if _, err := h.store.CreatePost(ctx, &waiting, []int64{ch.ID}, nil, "test"); err != nil {
		h.t.Fatal(err)
	}
	sent := storage.Post{Title: "Tin đã hẹn giờ huyện A", Body: "Nội dung", Audience: "public", AgencyID: a.ID,
		PublishAt: at, CreatedBy: officerA.ID}
	ds, err := h.store.CreatePost(ctx, &sent, []int64{ch.ID}, nil, "test")
	if err != nil {
		h.t.Fatal(err)
	}
	// A delivery that failed, so that retrying it would change something.
	broken := storage.Post{Title: "Tin gửi lỗi huyện A", Body: "Nội dung", Audience: "public", AgencyID: a.ID,
		PublishAt: h.now(), CreatedBy: officerA.ID}
	ds, err = h.store.CreatePost(ctx, &broken, []int64{ch.ID}, nil, "test")
	if err != nil {
		h.t.Fatal(err)
	}
	claim, err := h.store.ClaimDelivery(ctx, ds[0].ID, "lease-a", time.Minute)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.store.FinishAttempt(ctx, claim, storage.Result{Status: storage.DeliveryFailed, Outcome: storage.OutcomeFailed, Error: "lỗi"}); err != nil {
		h.t.Fatal(err)
	}
	sc := storage.Schedule{Name: "Lịch huyện A", Rule: "FREQ=WEEKLY;BYDAY=MO;BYHOUR=7;BYMINUTE=0", Timezone: "Asia/Ho_Chi_Minh",
		StartsAt: h.now(), Status: storage.ScheduleActive, AgencyID: a.ID, CreatedBy: officerA.ID,
		Template: storage.PostTemplate{Title: "Bản tin tuần", Body: "Nội dung"}, Targets: storage.Targets{ChannelIDs: []int64{ch.ID}}}
	if err := h.store.CreateSchedule(ctx, &sc, "test"); err != nil {
		h.t.Fatal(err)
	}
	src := storage.Source{Name: "Nguồn huyện A", URL: "https://huyen-a.example/rss", Mode: storage.SourceReview,
		Status: storage.SourceActive, AgencyID: a.ID, CreatedBy: officerA.ID, Targets: storage.Targets{ChannelIDs: []int64{ch.ID}}}
	if err := h.store.CreateSource(ctx, &src, "test"); err != nil {
		h.t.Fatal(err)
	}
	plan := storage.Plan{AgencyID: a.ID, Title: "Kế hoạch huyện A", Year: h.now().In(h.loc).Year(), CreatedBy: officerA.ID}
	acts, err := h.store.CreatePlan(ctx, &plan, []storage.PlanActivity{{Code: "2.1", Title: "Tuyên truyền TTHC",
		Forms: storage.Forms{"website"}, TimingKind: storage.TimingAllYear}}, "test")
	if err != nil {
		h.t.Fatal(err)
	}
	record := storage.ActivityRecord{ActivityID: acts[0].ID, AgencyID: a.ID, OccurredOn: h.now().In(h.loc).Format("2006-01-02"),
		Form: "hoi_nghi", Description: "Hội nghị huyện A", Count: 1, CreatedBy: officerA.ID}
	scan := storage.Attachment{FileName: "danh-sach.pdf", ContentType: "application/pdf", Size: 8, Data: []byte("%PDF-1.4")}
	if err := h.store.CreateActivityRecord(ctx, &record, &scan, "test"); err != nil {
		h.t.Fatal(err)
	}
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	w := scopeWorld{ids: map[string]string{
		"plans/:id": id(plan.ID), "activities/:id": id(acts[0].ID), "attachments/:id": id(scan.ID),
		"posts/:id": id(waiting.ID), "approvals/:id": id(waiting.ID), "deliveries/:id": id(ds[0].ID), "channels/:id": id(ch.ID),
		"schedules/:id": id(sc.ID), "sources/:id": id(src.ID), "users/:id": id(officerA.ID), "agencies/:id": id(a.ID),
		// A radio edition's file: no edition exists, which is enough to
		// show it is refused outside the agency (see made).
		"editions/:date": "2026-12-07", ":date/:file": "ban-tin.txt",
	}}
	w.form = url.Values{
		"title": {"Sửa trái phép"}, "summary": {"Sửa trái phép"}, "body": {"<p>Sửa trái phép</p>"},
		"name": {provinceAdmin}, "password": {scopePassword}, "password_again": {scopePassword},
		"role": {storage.RoleAdmin}, "code": {"trai-phep"}, "reason": {"Từ chối trái phép"},
		"channel_ids": {id(ch.ID)}, "channel_id": {id(ch.ID)}, "delivery_ids": {id(ds[0].ID)}, "ids": {id(ds[0].ID)},
		"id": {id(ds[0].ID)}, "one": {id(ds[0].ID)},
		"post_id": {id(waiting.ID)}, "agency_id": {id(a.ID)}, "parent_id": {id(a.ID)},
		"publish_at": {h.now().In(h.loc).Add(3 * time.Hour).Format("2006-01-02T15:04")}, "when": {"now"},
		"date": {h.now().In(h.loc).AddDate(0, 0, 2).Format("2006-01-02")}, "time": {"08:00"},
		"kind": {"rss"}, "slug": {"trai-phep"}, "url": {"https://trai-phep.example/rss"}, "status": {"paused"},
		"disabled": {"1"}, "rule": {"FREQ=DAILY"}, "action": {"approve"},
	}
	return w
}

// made are the parameters whose values name no real object; a page
// that takes one is not opened by the in-scope control.
var made = map[string]bool{"editions/:date": true, ":date/:file": true, "setup/:token": true}

// fill puts the world's objects into path's parameters ("posts/:id" is
// looked up by the segment before it); the key of a parameter it has no
// value for is returned instead.
func (w scopeWorld) fill(path string) (filled, missing string) {
	parts := strings.Split(path, "/")
	out := slices.Clone(parts)
	for i, p := range parts {
		if !strings.HasPrefix(p, ":") {
			continue
		}
		key := parts[i-1] + "/" + p
		v, ok := w.ids[key]
		if !ok {
			return "", key
		}
		out[i] = v
	}
	return strings.Join(out, "/"), ""
}

func usesMade(path string) bool {
	parts := strings.Split(path, "/")
	for i := 1; i < len(parts); i++ {
		if made[parts[i-1]+"/"+parts[i]] {
			return true
		}
	}
	return false
}

// snapshot is every row of every table (but a session's last-seen time,
// which reading a page may move), to show a request changed nothing.
func (h *harness) snapshot() map[string][]string {
	h.t.Helper()
	ctx := context.Background()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if h.store.Driver() == "postgres" {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	var tables []string
	rows, err := h.db.QueryContext(ctx, q)
	if err != nil {
		h.t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			h.t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) < 10 {
		h.t.Fatalf("found only tables %v", tables)
	}
	out := map[string][]string{}
	for _, table := range tables {
		out[table] = h.tableRows(table)
	}
	return out
}

func (h *harness) tableRows(table string) []string {
	rows, err := h.db.QueryContext(context.Background(), `SELECT * FROM "`+table+`"`)
	if err != nil {
		h.t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			h.t.Fatal(err)
		}
		var b strings.Builder
		for i, v := range vals {
			if cols[i] == "last_seen_at" {
				continue
			}
			if raw, ok := v.([]byte); ok {
				v = string(raw)
			}
			fmt.Fprintf(&b, "%s=%v;", cols[i], v)
		}
		out = append(out, b.String())
	}
	slices.Sort(out)
	return out
}

// mustBeUnchanged fails with the tables whose rows differ from before.
func (h *harness) mustBeUnchanged(t *testing.T, before map[string][]string, what string) {
	t.Helper()
	for table, rows := range h.snapshot() {
		if !slices.Equal(rows, before[table]) {
			t.Errorf("%s changed table %s (%d rows before, %d after)", what, table, len(before[table]), len(rows))
		}
	}
}

// Every state-changing route of the pages refuses a form without its own
// session's token — missing, wrong, another session's, or sent by a
// signed-out visitor — with a Vietnamese page, and changes nothing in
// any table (posts, deliveries, channels, users, agencies, sessions, …),
// though the form names real objects.
func TestEveryFormNeedsItsToken(t *testing.T) {
	h := newChannelHarness(t).harness
	w := newScopeWorld(h)
	b := h.browser()
	b.mustLogin(provinceAdmin, scopePassword)
	other := h.browser()
	other.mustLogin(provinceOfficer, scopePassword)
	otherToken := other.csrf("/")
	w.ids["setup/:token"] = "ma-khong-co"

	tokens := map[string]string{"no token": "", "a wrong token": "sai", "another session's token": otherToken}
	n := 0
	for _, r := range h.pages.routes {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			continue
		}
		n++
		path, missing := w.fill(r.Path)
		if missing != "" {
			t.Errorf("%s %s: no real object for %s; add one to newScopeWorld", r.Method, r.Path, missing)
			continue
		}
		for name, token := range tokens {
			h.refused(t, b, r.Method, path, w.form, token, name, "không có thay đổi nào được thực hiện")
		}
		h.refused(t, h.browser(), r.Method, path, w.form, otherToken, "signed out", "")
	}
	if n == 0 {
		t.Fatal("no state-changing routes found")
	}
	if p := b.get("/"); p.status != http.StatusOK {
		t.Errorf("session ended by refused forms: %d", p.status)
	}
}

// refused posts form with token to path as b and wants a 403 page that
// says want (or, for a signed-out visitor, either refusal), in
// Vietnamese, with nothing changed.
func (h *harness) refused(t *testing.T, b *browser, method, path string, form url.Values, token, name, want string) {
	t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	if token != "" {
		f.Set(csrfField, token)
	}
	before := h.snapshot()
	p := b.do(method, path, f)
	said := strings.Contains(p.body, "không có thay đổi nào được thực hiện") || strings.Contains(p.body, "Vui lòng đăng nhập lại")
	if want != "" {
		said = strings.Contains(p.body, want)
	}
	if p.status != http.StatusForbidden || !said {
		t.Errorf("%s %s with %s: %d, want 403 and a refusal\n%s", method, path, name, p.status, p.body)
	}
	checkVietnamesePage(t, p.body)
	h.mustBeUnchanged(t, before, fmt.Sprintf("%s %s with %s", method, path, name))
}

// Every page that shows one object is "not found" (404, Vietnamese) for
// a user outside the object's agency — though an admin of their own
// district — while the province's admin opens it; every form on such an
// object, posted by that user with their own valid token, is refused and
// changes nothing.
func TestPagesOutsideScope(t *testing.T) {
	h := newChannelHarness(t).harness
	w := newScopeWorld(h)
	inside := h.browser()
	inside.mustLogin(provinceAdmin, scopePassword)
	outside := h.browser()
	outside.mustLogin(districtBAdmin, scopePassword)
	token := outside.csrf("/")
	n := 0
	for _, r := range h.pages.routes {
		if !strings.Contains(r.Path, "/:id") {
			continue
		}
		n++
		path, missing := w.fill(r.Path)
		if missing != "" {
			t.Errorf("%s %s: no real object for %s; add one to newScopeWorld", r.Method, r.Path, missing)
			continue
		}
		if r.Method == http.MethodGet {
			if p := inside.get(path); !usesMade(r.Path) && p.status != http.StatusOK && p.status/100 != 3 {
				t.Errorf("GET %s for the province's admin: %d, want the page", path, p.status)
			}
			p := outside.get(path)
			if p.status != http.StatusNotFound {
				t.Errorf("GET %s outside its agency: %d, want 404", path, p.status)
			}
			checkVietnamesePage(t, p.body)
			continue
		}
		f := url.Values{csrfField: {token}}
		for k, v := range w.form {
			f[k] = v
		}
		before := h.snapshot()
		p := outside.do(r.Method, path, f)
		if p.status != http.StatusNotFound && p.status != http.StatusForbidden {
			t.Errorf("%s %s outside its agency: %d, want 404 or 403", r.Method, path, p.status)
		}
		checkVietnamesePage(t, p.body)
		h.mustBeUnchanged(t, before, r.Method+" "+path+" outside its agency")
	}
	if n == 0 {
		t.Skip("no page takes an object id yet")
	}
}

// sessionForms change the caller's own session, whatever the form says.
var sessionForms = map[string]bool{"/login": true, "/logout": true, "/setup/:token": true}

// Every other form that names no object in its address — create, act on
// a selection, preview — posted by district B's admin with their own
// valid token but naming district A's objects (its agency, channel,
// deliveries, post) changes nothing anywhere.
func TestFormsNamingAnotherAgencyChangeNothing(t *testing.T) {
	h := newChannelHarness(t).harness
	w := newScopeWorld(h)
	outside := h.browser()
	outside.mustLogin(districtBAdmin, scopePassword)
	token := outside.csrf("/")
	n := 0
	for _, r := range h.pages.routes {
		if r.Method == http.MethodGet || strings.Contains(r.Path, ":") || sessionForms[r.Path] {
			continue
		}
		n++
		f := url.Values{csrfField: {token}}
		for k, v := range w.form {
			f[k] = v
		}
		before := h.snapshot()
		p := outside.do(r.Method, r.Path, f)
		if p.status >= 500 {
			t.Errorf("%s %s: %d", r.Method, r.Path, p.status)
		}
		if p.status/100 != 3 {
			checkVietnamesePage(t, p.body)
		}
		h.mustBeUnchanged(t, before, r.Method+" "+r.Path+" naming another agency's objects")
	}
	if n == 0 {
		t.Fatal("no forms without an object in their address")
	}
	// Control: the same form from the province's admin does retry A's
	// failed delivery, so the form names it the way the page does.
	inside := h.browser()
	inside.mustLogin(provinceAdmin, scopePassword)
	f := url.Values{csrfField: {inside.csrf("/")}}
	for k, v := range w.form {
		f[k] = v
	}
	before := h.snapshot()
	inside.do(http.MethodPost, "/deliveries/retry", f)
	if slices.Equal(before["deliveries"], h.snapshot()["deliveries"]) {
		t.Error("the form retried nothing for the province's admin either: it does not name the delivery as the page does")
	}
}

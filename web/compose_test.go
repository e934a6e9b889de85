package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/loa-vn/loa/storage"
)

// composeFixture is a district with a commune below it and a sibling
// district, each with channels, and users of each role in the district.
type composeFixture struct {
	h                         *harness
	district, commune, other  storage.Agency
	radio, zalo, site, remote storage.Channel
}

const composePassword = "mật khẩu đủ dài 1"

func newComposeFixture(t *testing.T) *composeFixture {
	t.Helper()
	h := newHarness(t)
	ctx := context.Background()
	root, err := h.store.RootAgency(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f := &composeFixture{h: h}
	f.district = storage.Agency{Name: "Huyện Đông", Code: "dong", ParentID: &root.ID}
	f.other = storage.Agency{Name: "Huyện Tây", Code: "tay", ParentID: &root.ID}
	for _, a := range []*storage.Agency{&f.district, &f.other} {
		if err := h.store.CreateAgency(ctx, a, "test"); err != nil {
			t.Fatal(err)
		}
	}
	f.commune = storage.Agency{Name: "Xã An Bình", Code: "an-binh", ParentID: &f.district.ID}
	if err := h.store.CreateAgency(ctx, &f.commune, "test"); err != nil {
		t.Fatal(err)
	}
	f.radio = f.channel("Loa xã An Bình", "radio", f.commune.ID, `{"station":"Đài truyền thanh xã An Bình","air_times":["06:00","17:00"]}`)
	f.zalo = f.channel("Zalo xã An Bình", "zalo_oa", f.commune.ID, `{"app_id":"1","secret_key":"k","refresh_token":"r"}`)
	f.site = f.channel("Cổng thông tin huyện", "rss", f.district.ID, `{"title":"Tin huyện"}`)
	f.remote = f.channel("Loa huyện Tây", "radio", f.other.ID, `{"station":"Đài huyện Tây","air_times":["06:00"]}`)
	h.user("cán bộ đông", storage.RoleOfficer, composePassword, f.district.ID)
	h.user("cán bộ khác", storage.RoleOfficer, composePassword, f.district.ID)
	h.user("biên tập đông", storage.RoleEditor, composePassword, f.district.ID)
	h.user("cán bộ tây", storage.RoleOfficer, composePassword, f.other.ID)
	return f
}

// channel stores a channel of kind with config sealed as the adapters read it.
func (f *composeFixture) channel(name, kind string, agency int64, config string) storage.Channel {
	f.h.t.Helper()
	sealed, err := f.h.box.Seal([]byte(config))
	if err != nil {
		f.h.t.Fatal(err)
	}
	ch := storage.Channel{Name: name, Kind: kind, ConfigSealed: sealed, AgencyID: agency}
	if err := f.h.store.CreateChannel(context.Background(), &ch, "test"); err != nil {
		f.h.t.Fatal(err)
	}
	return ch
}

func (f *composeFixture) login(name string) *browser {
	f.h.t.Helper()
	b := f.h.browser()
	b.mustLogin(name, composePassword)
	return b
}

// posts counts every stored post.
func (f *composeFixture) posts() int {
	f.h.t.Helper()
	ps, err := f.h.store.ListPosts(context.Background(), storage.PostFilter{Limit: 1000})
	if err != nil {
		f.h.t.Fatal(err)
	}
	return len(ps)
}

// form is a filled-in compose form for channels, due on 08/12/2026 at 07:30.
func composeValues(action string, channels ...int64) url.Values {
	v := url.Values{"title": {"Thông báo lịch tiêm chủng"}, "summary": {"Lịch tiêm tháng 12 tại các thôn."},
		"body": {"<p>Ủy ban nhân dân xã thông báo lịch tiêm.</p>"}, "priority": {"normal"},
		"when": {"at"}, "date": {"08/12/2026"}, "time": {"07:30"}, "action": {action}}
	for _, id := range channels {
		v.Add("channel", strconv.FormatInt(id, 10))
	}
	return v
}

// send posts form to path with the session's token.
func (b *browser) send(path string, form url.Values) page {
	b.h.t.Helper()
	form.Set("csrf_token", b.csrf("/posts/new"))
	return b.do(http.MethodPost, path, form)
}

var postLocation = regexp.MustCompile(`^/posts/(\d+)\?done=(\w+)$`)

// created is the id of the post a form redirected to.
func created(t *testing.T, p page) int64 {
	t.Helper()
	m := postLocation.FindStringSubmatch(p.header.Get("Location"))
	if p.status != http.StatusSeeOther || m == nil {
		t.Fatalf("want a redirect to the post, got %d %q: %s", p.status, p.header.Get("Location"), p.body)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// Composing to two channels stores the post with a delivery to each; the
// approval rule decides its status: an officer's waits, an editor's is
// scheduled and queued. The page after the redirect says so in Vietnamese.
func TestComposeSubmit(t *testing.T) {
	tests := []struct {
		user, wantStatus, wantLabel string
		wantQueued                  int
	}{
		{"cán bộ đông", storage.PostPendingApproval, "Chờ duyệt", 0},
		{"biên tập đông", storage.PostScheduled, "Đã hẹn giờ", 2},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			f := newComposeFixture(t)
			b := f.login(tt.user)
			id := created(t, b.send("/posts", composeValues(actionSubmit, f.radio.ID, f.site.ID)))
			post, ds, err := f.h.store.GetPost(context.Background(), id)
			if err != nil || post.Status != tt.wantStatus || len(ds) != 2 || post.AgencyID != f.district.ID {
				t.Fatalf("post %+v, %d deliveries, %v", post, len(ds), err)
			}
			if want := "2026-12-08T00:30:00Z"; post.PublishAt.UTC().Format("2006-01-02T15:04:05Z") != want {
				t.Errorf("publish at %s, want %s (07:30 local)", post.PublishAt.UTC(), want)
			}
			if n := len(f.h.sched.scheduled); n != tt.wantQueued {
				t.Errorf("queued %d deliveries, want %d", n, tt.wantQueued)
			}
			page := b.get(postURL(id, "submit"))
			if page.status != http.StatusOK || !strings.Contains(page.body, "Đã gửi tin.") ||
				!strings.Contains(page.body, tt.wantLabel) || !strings.Contains(page.body, "Thứ Ba 08/12/2026, 07:30") {
				t.Fatalf("post page %d: %s", page.status, page.body)
			}
			checkVietnamesePage(t, page.body, tt.user, "Thông báo lịch tiêm chủng")
		})
	}
}

// HTML pasted from Word (mso- classes and styles, <o:p>, spans, a script)
// is cleaned by the server as the API cleans it, keeping its structure.
func TestComposeWordPaste(t *testing.T) {
	f := newComposeFixture(t)
	word, err := os.ReadFile("testdata/word-clipboard.html")
	if err != nil {
		t.Fatal(err)
	}
	b := f.login("cán bộ đông")
	form := composeValues(actionSubmit, f.site.ID)
	form.Set("body", string(word))
	id := created(t, b.send("/posts", form))
	post, _, err := f.h.store.GetPost(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<h2>", "Thông báo lịch tiêm chủng tháng 12", "<b>", "<i>toàn thể nhân dân</i>",
		"<ul", "<li>", "Thứ Hai: thôn Đông", "<ol", "Mang theo sổ tiêm chủng",
		`<a href="https://xa.example.gov.vn/tiem-chung"`, `<img`, `src="https://xa.example.gov.vn/anh-tiem.jpg"`} {
		if !strings.Contains(post.Body, want) {
			t.Errorf("structure lost: no %q in %s", want, post.Body)
		}
	}
	for _, bad := range []string{"mso-", "Mso", "<o:p", "style=", "class=", "<script", "alert(", "<html", "<head", "v:shapes"} {
		if strings.Contains(post.Body, bad) {
			t.Errorf("Word residue %q kept in %s", bad, post.Body)
		}
	}
	page := b.get(postURL(id, ""))
	if !strings.Contains(page.body, "<li>Mang theo sổ tiêm chủng</li>") {
		t.Errorf("post page does not show the cleaned body")
	}
}

// Every bad input re-renders the form with the user's values and a
// Vietnamese message next to the field, 422, and stores nothing.
func TestComposeRefusals(t *testing.T) {
	f := newComposeFixture(t)
	b := f.login("cán bộ đông")
	tests := []struct {
		name   string
		edit   func(url.Values)
		action string
		want   string
	}{
		{"empty title", func(v url.Values) { v.Set("title", " ") }, actionSubmit, "Hãy nhập tiêu đề."},
		{"title too long", func(v url.Values) { v.Set("title", strings.Repeat("Ô", 251)) }, actionSubmit, "Tiêu đề dài quá 250 ký tự"},
		{"bad date", func(v url.Values) { v.Set("date", "32/13/2026") }, actionSubmit, "Ngày đăng không đúng dạng"},
		{"bad time", func(v url.Values) { v.Set("time", "7 giờ") }, actionDraft, "Giờ đăng không đúng dạng"},
		{"past time", func(v url.Values) { v.Set("date", "2026-12-06") }, actionSubmit, "Thời điểm đăng đã qua"},
		{"no channel", func(v url.Values) { v.Del("channel") }, actionSubmit, "Hãy chọn ít nhất một kênh để đăng."},
		{"channel outside scope", func(v url.Values) { v.Add("channel", strconv.FormatInt(f.remote.ID, 10)) }, actionSubmit,
			"Có kênh không tồn tại hoặc không thuộc phạm vi của bạn"},
		{"channel outside scope, draft", func(v url.Values) { v.Set("channel", strconv.FormatInt(f.remote.ID, 10)) }, actionDraft,
			"Có kênh không tồn tại hoặc không thuộc phạm vi của bạn"},
		{"bad link", func(v url.Values) { v.Set("link", "javascript:alert(1)") }, actionSubmit, "Đường dẫn bài gốc phải là địa chỉ đầy đủ"},
		{"next slot without slots", func(v url.Values) { v.Set("when", whenNextSlot) }, actionSubmit, "chưa có khung giờ đăng"},
		{"bad channel id", func(v url.Values) { v.Set("channel", "abc") }, actionSubmit, "Danh sách kênh không hợp lệ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.posts()
			form := composeValues(tt.action, f.radio.ID, f.site.ID)
			form.Set("summary", "Tóm tắt người dùng đã gõ")
			tt.edit(form)
			p := b.send("/posts", form)
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, tt.want) {
				t.Fatalf("got %d, want 422 with %q: %s", p.status, tt.want, p.body)
			}
			if !strings.Contains(p.body, "Tóm tắt người dùng đã gõ") || !strings.Contains(p.body, `class="field-error"`) {
				t.Error("the form lost the user's values or the message next to the field")
			}
			if after := f.posts(); after != before {
				t.Errorf("posts %d → %d: a refused form stored something", before, after)
			}
			checkVietnamesePage(t, p.body, "cán bộ đông")
		})
	}
	if len(f.h.sched.scheduled) != 0 {
		t.Errorf("refused forms queued %v", f.h.sched.scheduled)
	}
}

// "Xem trước" shows, per channel, the text the adapter would send with
// its count against the platform's limit and the adapter's warnings, and
// stores nothing; the script's fragment shows the same.
func TestComposePreview(t *testing.T) {
	f := newComposeFixture(t)
	b := f.login("cán bộ đông")
	form := composeValues(actionPreview, f.radio.ID, f.zalo.ID)
	form.Set("title", "UBND xã thông báo "+strings.Repeat("lịch tiêm ", 20))
	for _, path := range []string{"/posts", "/posts/preview"} {
		t.Run(path, func(t *testing.T) {
			p := b.send(path, form)
			if p.status != http.StatusOK {
				t.Fatalf("status %d: %s", p.status, p.body)
			}
			for _, want := range []string{
				"Loa xã An Bình", "Truyền thanh cơ sở", "Ủy ban nhân dân xã thông báo", "âm tiết", // radio: read aloud, abbreviation expanded
				"Zalo xã An Bình", "/ 150 ký tự", "vượt giới hạn 150 ký tự của Zalo", "Thiếu ảnh bìa", // zalo: title cut, cover missing
			} {
				if !strings.Contains(p.body, want) {
					t.Errorf("preview lacks %q", want)
				}
			}
			if strings.Contains(p.body, "characters") {
				t.Error("an adapter's unit is shown in English")
			}
			if path == "/posts" {
				checkVietnamesePage(t, p.body, "cán bộ đông")
			}
		})
	}
	if n := f.posts(); n != 0 {
		t.Errorf("preview stored %d posts", n)
	}
	p := b.send("/posts/preview", composeValues(actionPreview))
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Hãy chọn ít nhất một kênh") {
		t.Errorf("preview without channel: %d %s", p.status, p.body)
	}
}

// The selector reaches every radio and Zalo channel of the agencies below
// the user, through the layer's target check.
func TestComposeSelector(t *testing.T) {
	f := newComposeFixture(t)
	b := f.login("biên tập đông")
	form := composeValues(actionSubmit)
	form.Set("below", "1")
	id := created(t, b.send("/posts", form))
	post, ds, err := f.h.store.GetPost(context.Background(), id)
	if err != nil || post.Selector == nil || len(ds) != 2 {
		t.Fatalf("post %+v with %d deliveries: %v", post, len(ds), err)
	}
	got := map[int64]bool{ds[0].ChannelID: true, ds[1].ChannelID: true}
	if !got[f.radio.ID] || !got[f.zalo.ID] {
		t.Errorf("selector chose %v, want the commune's radio and Zalo", got)
	}
}

// A draft queues nothing and keeps the choices; it is changed, then
// submitted into a post waiting for approval with its deliveries.
func TestComposeDraftThenSubmit(t *testing.T) {
	f := newComposeFixture(t)
	b := f.login("cán bộ đông")
	id := created(t, b.send("/posts", composeValues(actionDraft, f.radio.ID)))
	post, ds, _ := f.h.store.GetPost(context.Background(), id)
	if post.Status != storage.PostDraft || len(ds) != 0 || len(f.h.sched.scheduled) != 0 {
		t.Fatalf("draft %+v with %d deliveries", post, len(ds))
	}
	page := b.get(postURL(id, "draft"))
	for _, want := range []string{"Đã lưu nháp.", "Bản nháp", "Soạn tiếp bản nháp", `value="08/12/2026"`, `value="07:30"`,
		`id="ch-` + strconv.FormatInt(f.radio.ID, 10) + `" checked`, "Lưu nháp", "Gửi duyệt", "Hủy bản nháp"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("draft page lacks %q", want)
		}
	}
	if n := strings.Count(page.body, `id="preview-body"`); n != 1 {
		t.Errorf("draft page has %d preview sections, want 1", n)
	}
	checkVietnamesePage(t, page.body, "cán bộ đông", "Thông báo lịch tiêm chủng")
	path := postURL(id, "")
	changed := composeValues(actionDraft, f.radio.ID, f.zalo.ID)
	changed.Set("title", "Lịch tiêm đã sửa")
	created(t, b.send(path, changed))
	if p := b.send(path, composeValues(actionSubmit)); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("draft submitted without a channel: %d", p.status)
	}
	submit := composeValues(actionSubmit, f.radio.ID, f.zalo.ID)
	submit.Set("title", "Lịch tiêm đã sửa")
	created(t, b.send(path, submit))
	post, ds, _ = f.h.store.GetPost(context.Background(), id)
	if post.Status != storage.PostPendingApproval || len(ds) != 2 || post.Title != "Lịch tiêm đã sửa" {
		t.Fatalf("submitted draft %+v with %d deliveries", post, len(ds))
	}
	history := b.get(path).body
	for _, want := range []string{"Lưu nháp", "Sửa tin", "Gửi tin từ bản nháp", "Bản nháp → Chờ duyệt", "cán bộ đông"} {
		if !strings.Contains(history, want) {
			t.Errorf("history lacks %q", want)
		}
	}
}

// A post that has not started going out is edited through the layer and
// canceled with the form's token; once canceled it cannot be edited. An
// officer cannot edit another's post.
func TestComposeEditAndCancel(t *testing.T) {
	f := newComposeFixture(t)
	b := f.login("cán bộ đông")
	id := created(t, b.send("/posts", composeValues(actionSubmit, f.radio.ID, f.site.ID)))
	path := postURL(id, "")
	edit := composeValues(actionSave)
	edit.Set("title", "Tiêu đề mới")
	edit.Set("time", "08:15")
	created(t, b.send(path, edit))
	post, ds, _ := f.h.store.GetPost(context.Background(), id)
	if post.Title != "Tiêu đề mới" || post.PublishAt.In(f.h.loc).Format("15:04") != "08:15" || len(ds) != 2 {
		t.Fatalf("edited post %+v", post)
	}

	other := f.login("cán bộ khác")
	edit.Set("title", "Của người khác")
	if p := other.send(path, edit); p.status != http.StatusForbidden || !strings.Contains(p.body, "Bạn không có quyền") {
		t.Errorf("another officer's edit: %d", p.status)
	}
	if p := other.send(path+"/cancel", url.Values{}); p.status != http.StatusForbidden {
		t.Errorf("another officer's cancel: %d", p.status)
	}

	if p := b.send(path+"/cancel", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d %s", p.status, p.body)
	}
	post, ds, _ = f.h.store.GetPost(context.Background(), id)
	if post.Status != storage.PostCanceled || ds[0].Status != storage.DeliveryCanceled {
		t.Fatalf("after cancel: %s / %s", post.Status, ds[0].Status)
	}
	page := b.get(postURL(id, "cancel"))
	for _, want := range []string{"Đã hủy tin", "Đã hủy", "Sửa tin", "Hủy", "Chờ duyệt → Đã hủy"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("canceled post page lacks %q", want)
		}
	}
	if strings.Contains(page.body, `action="/posts/`+strconv.FormatInt(id, 10)+`/cancel"`) {
		t.Error("a canceled post still offers Hủy")
	}
	checkVietnamesePage(t, page.body, "cán bộ đông", "Tiêu đề mới")
	edit.Set("title", "Sau khi hủy")
	if p := b.send(path, edit); p.status != http.StatusConflict {
		t.Errorf("edit after cancel: %d", p.status)
	}
	if post, _, _ = f.h.store.GetPost(context.Background(), id); post.Title != "Tiêu đề mới" {
		t.Errorf("refused edit changed the title to %q", post.Title)
	}
}

// A post outside the user's agencies is "not found", in Vietnamese, to
// every route, exactly like a missing one, and nothing changes.
func TestComposePostScope(t *testing.T) {
	f := newComposeFixture(t)
	id := created(t, f.login("cán bộ đông").send("/posts", composeValues(actionSubmit, f.radio.ID)))
	path := postURL(id, "")
	b := f.login("cán bộ tây")
	edit := composeValues(actionSave)
	for name, p := range map[string]page{
		"view":         b.get(path),
		"missing":      b.get("/posts/999999"),
		"not a number": b.get("/posts/abc"),
		"edit":         b.send(path, edit),
		"cancel":       b.send(path+"/cancel", url.Values{}),
		"preview":      b.send("/posts/preview", url.Values{"post_id": {strconv.FormatInt(id, 10)}, "title": {"x"}}),
	} {
		t.Run(name, func(t *testing.T) {
			if p.status != http.StatusNotFound || !strings.Contains(p.body, "Không tìm thấy tin") || strings.Contains(p.body, "Thông báo lịch tiêm") {
				t.Fatalf("got %d: %s", p.status, p.body)
			}
			checkVietnamesePage(t, p.body, "cán bộ tây")
		})
	}
	post, _, _ := f.h.store.GetPost(context.Background(), id)
	if post.Status != storage.PostPendingApproval {
		t.Errorf("post changed by a user outside its agency: %s", post.Status)
	}
	page := b.get("/posts/new")
	if strings.Contains(page.body, "Loa xã An Bình") || !strings.Contains(page.body, "Loa huyện Tây") {
		t.Error("Soạn tin lists channels outside the user's agencies")
	}
}

// Soạn tin is Vietnamese, lists the user's channels with their kinds, and
// loads the editor and its stylesheet from Loa's own assets, which are
// served; no page template has an inline style or script.
func TestComposePageAndAssets(t *testing.T) {
	f := newComposeFixture(t)
	b := f.login("cán bộ đông")
	p := b.get("/posts/new")
	if p.status != http.StatusOK {
		t.Fatalf("status %d", p.status)
	}
	checkVietnamesePage(t, p.body, "cán bộ đông")
	for _, want := range []string{"Loa xã An Bình", "Truyền thanh cơ sở", "Zalo OA", "RSS/Atom", "Đăng ngay", "Hẹn giờ",
		"Khung giờ tiếp theo", "Lưu nháp", "Gửi duyệt", "Xem trước", "giờ Asia/Ho_Chi_Minh", `<textarea id="f-body" name="body"`,
		`src="/assets/vendor/quill/quill.js"`, `href="/assets/vendor/quill/quill.snow.css"`, `src="/assets/compose.js"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("Soạn tin lacks %q", want)
		}
	}
	if hasInlineScript(p.body) || regexp.MustCompile(`\sstyle=`).MatchString(p.body) {
		t.Error("Soạn tin has inline script or style")
	}
	for path, ctype := range map[string]string{
		"/assets/compose.js": "javascript", "/assets/compose.css": "text/css",
		"/assets/vendor/quill/quill.js": "javascript", "/assets/vendor/quill/quill.snow.css": "text/css",
		"/assets/vendor/quill/LICENSE": "text/plain",
	} {
		if a := b.get(path); a.status != http.StatusOK || !strings.Contains(a.header.Get("Content-Type"), ctype) {
			t.Errorf("%s: %d %s", path, a.status, a.header.Get("Content-Type"))
		}
	}
}

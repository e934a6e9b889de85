package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/loa-vn/loa/storage"
)

const adminPassword = "mật khẩu quản trị 1"

// adminTree is root → Huyện A → Xã A1, and root → Huyện B.
type adminTree struct {
	root, a, a1, b storage.Agency
}

func (h *harness) agency(name, code string, parent int64) storage.Agency {
	h.t.Helper()
	a := storage.Agency{Name: name, Code: code, ParentID: &parent}
	if err := h.store.CreateAgency(context.Background(), &a, "test"); err != nil {
		h.t.Fatal(err)
	}
	return a
}

func newAdminTree(h *harness) adminTree {
	h.t.Helper()
	root, err := h.store.RootAgency(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	tr := adminTree{root: root}
	tr.a = h.agency("Huyện A", "huyen-a", root.ID)
	tr.a1 = h.agency("Xã A1", "xa-a1", tr.a.ID)
	tr.b = h.agency("Huyện B", "huyen-b", root.ID)
	return tr
}

// post submits form to path with the csrf token of the page at from.
func (b *browser) post(from, path string, form url.Values) page {
	b.h.t.Helper()
	form.Set("csrf_token", b.csrf(from))
	return b.do(http.MethodPost, path, form)
}

func (h *harness) userCount() int {
	h.t.Helper()
	us, err := h.store.ListUsers(context.Background(), 0)
	if err != nil {
		h.t.Fatal(err)
	}
	return len(us)
}

var setupLinkInput = regexp.MustCompile(`value="https?://[^/"]+(/setup/[^"]+)"`)

// setupLinkOf is the path of the set-password link shown on p.
func setupLinkOf(t *testing.T, p page) string {
	t.Helper()
	m := setupLinkInput.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no set-password link on the page: %d %s", p.status, p.body)
	}
	return m[1]
}

// setPassword follows a set-password link in a fresh browser.
func (h *harness) setPassword(link, password string) (page, *browser) {
	h.t.Helper()
	b := h.browser()
	token := b.csrf(link)
	return b.do(http.MethodPost, link, url.Values{"password": {password}, "password_again": {password}, "csrf_token": {token}}), b
}

// An admin creates a user without a password; the one-time link sets it
// once, signs the user in, and the user can then sign in with it.
func TestUserCreatedWithOneTimeLink(t *testing.T) {
	h := newHarness(t)
	tr := newAdminTree(h)
	h.user("Quản Trị", storage.RoleAdmin, adminPassword, 0)
	b := h.browser()
	b.mustLogin("Quản Trị", adminPassword)

	form := b.get("/users/new")
	checkVietnamesePage(t, form.body, "Quản Trị")
	p := b.post("/users/new", "/users", url.Values{"name": {"Trần Thị Bình"}, "role": {storage.RoleEditor},
		"agency_id": {fmt.Sprint(tr.a1.ID)}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "Đã tạo tài khoản cho") || !strings.Contains(p.body, "Người duyệt") {
		t.Fatalf("create: %d %s", p.status, p.body)
	}
	checkVietnamesePage(t, p.body, "Quản Trị", "Trần Thị Bình")
	created, err := h.store.UserByName(context.Background(), "Trần Thị Bình")
	if err != nil || created.PasswordHash != "" || created.AgencyID != tr.a1.ID || created.Role != storage.RoleEditor {
		t.Fatalf("stored %+v, %v", created, err)
	}
	link := setupLinkOf(t, p)

	done, newcomer := h.setPassword(link, "mật khẩu của Bình 1")
	if done.status != http.StatusSeeOther || done.header.Get("Location") != "/" {
		t.Fatalf("set password: %d %s", done.status, done.body)
	}
	if d := newcomer.get("/"); d.status != http.StatusOK || !strings.Contains(d.body, "Trần Thị Bình") {
		t.Errorf("signed in by the link: %d", d.status)
	}
	if again := h.browser().get(link); again.status != http.StatusNotFound {
		t.Errorf("link used twice: %d", again.status)
	}
	h.browser().mustLogin("trần thị bình", "mật khẩu của Bình 1")

	list := b.get("/users")
	if list.status != http.StatusOK || !strings.Contains(list.body, "Trần Thị Bình") || !strings.Contains(list.body, "Xã A1") ||
		!strings.Contains(list.body, "Người duyệt") || !strings.Contains(list.body, "Quản trị") {
		t.Errorf("list: %d %s", list.status, list.body)
	}
	checkVietnamesePage(t, list.body, "Quản Trị", "Trần Thị Bình")
	show := b.get(fmt.Sprintf("/users/%d", created.ID))
	if show.status != http.StatusOK || !strings.Contains(show.body, "Vô hiệu hóa tài khoản") {
		t.Errorf("user page: %d", show.status)
	}
	checkVietnamesePage(t, show.body, "Quản Trị", "Trần Thị Bình")
}

// A new link for a user who forgot their password works once too.
func TestUserNewLink(t *testing.T) {
	h := newHarness(t)
	h.user("Quản Trị", storage.RoleAdmin, adminPassword, 0)
	u := h.user("Lê Văn Cường", storage.RoleOfficer, "mật khẩu đã quên 1", 0)
	b := h.browser()
	b.mustLogin("Quản Trị", adminPassword)
	show := fmt.Sprintf("/users/%d", u.ID)
	p := b.post(show, show+"/link", url.Values{})
	if p.status != http.StatusOK || !strings.Contains(p.body, "Đã tạo liên kết đặt mật khẩu mới") {
		t.Fatalf("new link: %d %s", p.status, p.body)
	}
	checkVietnamesePage(t, p.body, "Quản Trị", "Lê Văn Cường")
	if done, _ := h.setPassword(setupLinkOf(t, p), "mật khẩu mới của Cường"); done.status != http.StatusSeeOther {
		t.Fatalf("set password: %d", done.status)
	}
	h.browser().mustLogin("Lê Văn Cường", "mật khẩu mới của Cường")
	if r := h.browser().login("Lê Văn Cường", "mật khẩu đã quên 1"); r.status != http.StatusUnauthorized {
		t.Errorf("old password after reset: %d", r.status)
	}
}

// Bad input is answered on the form (422, Vietnamese, next to the field)
// and stores nothing.
func TestUserFormRefusesBadInput(t *testing.T) {
	h := newHarness(t)
	tr := newAdminTree(h)
	h.user("Nguyễn Văn An", storage.RoleOfficer, "mật khẩu đủ dài 1", 0)
	admin := h.user("Quản Trị Xã", storage.RoleAdmin, adminPassword, tr.a1.ID)
	b := h.browser()
	b.mustLogin("Quản Trị Xã", adminPassword)
	own := fmt.Sprint(admin.AgencyID)
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"no name", url.Values{"name": {"  "}, "role": {"officer"}, "agency_id": {own}}, "Vui lòng nhập họ tên."},
		{"name too long", url.Values{"name": {strings.Repeat("ư", 101)}, "role": {"officer"}, "agency_id": {own}}, "Họ tên cần từ 1 đến 100 ký tự"},
		{"name taken in another case and form", url.Values{"name": {"NGUYE\u0302\u0303N VĂN AN"}, "role": {"officer"}, "agency_id": {own}}, "Đã có người dùng mang tên này"},
		{"unknown role", url.Values{"name": {"Mới"}, "role": {"root"}, "agency_id": {own}}, "Vui lòng chọn vai trò"},
		{"agency above the admin", url.Values{"name": {"Mới"}, "role": {"officer"}, "agency_id": {fmt.Sprint(tr.a.ID)}}, "nằm ngoài phạm vi quản lý"},
		{"agency elsewhere", url.Values{"name": {"Mới"}, "role": {"admin"}, "agency_id": {fmt.Sprint(tr.b.ID)}}, "nằm ngoài phạm vi quản lý"},
		{"agency missing", url.Values{"name": {"Mới"}, "role": {"officer"}, "agency_id": {"x"}}, "nằm ngoài phạm vi quản lý"},
	}
	before := h.userCount()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := b.post("/users/new", "/users", tt.form)
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, tt.want) || !strings.Contains(p.body, `class="field-error"`) {
				t.Fatalf("got %d %s", p.status, p.body)
			}
			checkVietnamesePage(t, p.body, "Quản Trị Xã", tt.form.Get("name"))
			if n := h.userCount(); n != before {
				t.Errorf("%d users after a refused form, want %d", n, before)
			}
		})
	}
}

// Officers and editors are refused every users and agencies page and
// form, in Vietnamese, and nothing changes.
func TestAdminPagesRefusedToOfficerAndEditor(t *testing.T) {
	h := newHarness(t)
	tr := newAdminTree(h)
	target := h.user("Người Khác", storage.RoleOfficer, "mật khẩu đủ dài 9", tr.a.ID)
	for _, role := range []string{storage.RoleOfficer, storage.RoleEditor} {
		t.Run(role, func(t *testing.T) {
			name := "Người " + role
			h.user(name, role, "mật khẩu đủ dài 1", 0)
			b := h.browser()
			b.mustLogin(name, "mật khẩu đủ dài 1")
			token := b.csrf("/")
			for _, path := range []string{"/users", "/users/new", fmt.Sprintf("/users/%d", target.ID), "/agencies", "/agencies/new",
				fmt.Sprintf("/agencies/%d", tr.a.ID)} {
				p := b.get(path)
				if p.status != http.StatusForbidden || !strings.Contains(p.body, "Không có quyền") {
					t.Errorf("GET %s: %d", path, p.status)
				}
				checkVietnamesePage(t, p.body, name)
			}
			users, agencies := h.userCount(), len(h.agencies())
			forms := map[string]url.Values{
				"/users": {"name": {"Lén Tạo"}, "role": {"admin"}, "agency_id": {fmt.Sprint(tr.root.ID)}},
				fmt.Sprintf("/users/%d/disable", target.ID): {},
				fmt.Sprintf("/users/%d", target.ID):         {"name": {"Đổi Tên"}, "role": {"admin"}},
				"/agencies":                                 {"name": {"Lén Tạo"}, "code": {"len-tao"}, "parent_id": {fmt.Sprint(tr.root.ID)}},
				fmt.Sprintf("/agencies/%d", tr.a.ID):        {"name": {"Đổi Tên"}, "code": {"doi-ten"}},
			}
			for path, form := range forms {
				form.Set("csrf_token", token)
				if p := b.do(http.MethodPost, path, form); p.status != http.StatusForbidden || !strings.Contains(p.body, "không có thay đổi nào") {
					t.Errorf("POST %s: %d", path, p.status)
				}
			}
			got, _ := h.store.GetUser(context.Background(), target.ID)
			a, _ := h.store.GetAgency(context.Background(), tr.a.ID)
			if h.userCount() != users || len(h.agencies()) != agencies || got.DisabledAt != nil || got.Role != storage.RoleOfficer || a.Name != "Huyện A" {
				t.Errorf("a refused form changed something: %+v %+v", got, a)
			}
		})
	}
}

func (h *harness) agencies() []storage.Agency {
	h.t.Helper()
	root, err := h.store.RootAgency(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	as, err := h.store.ListAgencies(context.Background(), root.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	return as
}

// A commune's admin sees and manages only the commune: users and
// agencies above or beside it are not found, and cannot be chosen.
func TestCommuneAdminStaysInSubtree(t *testing.T) {
	h := newHarness(t)
	tr := newAdminTree(h)
	top := h.user("Quản Trị Tỉnh", storage.RoleAdmin, adminPassword, 0)
	district := h.user("Chuyên Viên Huyện", storage.RoleOfficer, "mật khẩu đủ dài 1", tr.a.ID)
	h.user("Chuyên Viên Xã", storage.RoleOfficer, "mật khẩu đủ dài 1", tr.a1.ID)
	h.user("Quản Trị Xã", storage.RoleAdmin, adminPassword, tr.a1.ID)
	b := h.browser()
	b.mustLogin("Quản Trị Xã", adminPassword)

	list := b.get("/users")
	if !strings.Contains(list.body, "Chuyên Viên Xã") || strings.Contains(list.body, "Chuyên Viên Huyện") || strings.Contains(list.body, "Quản Trị Tỉnh") {
		t.Errorf("commune admin's list: %s", list.body)
	}
	for _, path := range []string{fmt.Sprintf("/users/%d", top.ID), fmt.Sprintf("/users/%d", district.ID), "/users/999999", "/users/x",
		fmt.Sprintf("/agencies/%d", tr.a.ID), fmt.Sprintf("/agencies/%d", tr.b.ID), fmt.Sprintf("/agencies/%d", tr.root.ID)} {
		p := b.get(path)
		if p.status != http.StatusNotFound || !strings.Contains(p.body, "Không tìm thấy") {
			t.Errorf("GET %s: %d", path, p.status)
		}
		checkVietnamesePage(t, p.body)
	}
	form := b.get("/users/new")
	if strings.Contains(form.body, "Huyện A<") || strings.Contains(form.body, "Huyện B") || !strings.Contains(form.body, "Xã A1") {
		t.Errorf("agencies offered: %s", form.body)
	}
	tree := b.get("/agencies")
	if !strings.Contains(tree.body, "Xã A1") || strings.Contains(tree.body, "Huyện") {
		t.Errorf("tree: %s", tree.body)
	}
	p := b.post("/agencies/new", "/agencies", url.Values{"name": {"Thôn Lạ"}, "code": {"thon-la"}, "parent_id": {fmt.Sprint(tr.a.ID)}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "nằm ngoài phạm vi quản lý") {
		t.Errorf("create above: %d", p.status)
	}
	p = b.post("/agencies", fmt.Sprintf("/agencies/%d", tr.a.ID), url.Values{"name": {"Đổi"}, "code": {"doi"}})
	if p.status != http.StatusNotFound {
		t.Errorf("rename above: %d", p.status)
	}
	p = b.post("/users", fmt.Sprintf("/users/%d/disable", district.ID), url.Values{})
	if p.status != http.StatusNotFound {
		t.Errorf("disable above: %d", p.status)
	}
	if got, _ := h.store.GetUser(context.Background(), district.ID); got.DisabledAt != nil {
		t.Error("district officer disabled by a commune admin")
	}
	if a, _ := h.store.GetAgency(context.Background(), tr.a.ID); a.Name != "Huyện A" || len(h.agencies()) != 4 {
		t.Errorf("agencies changed: %+v", a)
	}
}

// Disabling a user ends their sessions at once; enabling lets them sign
// in again. An admin cannot disable or demote themselves.
func TestDisableEndsSessions(t *testing.T) {
	h := newHarness(t)
	me := h.user("Quản Trị", storage.RoleAdmin, adminPassword, 0)
	u := h.user("Phạm Thu Dung", storage.RoleOfficer, "mật khẩu đủ dài 1", 0)
	officer := h.browser()
	officer.mustLogin("Phạm Thu Dung", "mật khẩu đủ dài 1")
	b := h.browser()
	b.mustLogin("Quản Trị", adminPassword)
	show := fmt.Sprintf("/users/%d", u.ID)

	p := b.post(show, show+"/disable", url.Values{})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != show+"?da=vo-hieu-hoa" {
		t.Fatalf("disable: %d %s", p.status, p.body)
	}
	if d := officer.get("/"); d.status != http.StatusSeeOther {
		t.Errorf("disabled user's session still works: %d", d.status)
	}
	if r := h.browser().login("Phạm Thu Dung", "mật khẩu đủ dài 1"); r.status != http.StatusUnauthorized {
		t.Errorf("disabled user signs in: %d", r.status)
	}
	after := b.get(show + "?da=vo-hieu-hoa")
	if !strings.Contains(after.body, "Đã vô hiệu hóa tài khoản") || !strings.Contains(after.body, "Kích hoạt lại tài khoản") {
		t.Errorf("page after disabling: %s", after.body)
	}
	checkVietnamesePage(t, after.body, "Quản Trị", "Phạm Thu Dung")
	if p := b.post(show, show+"/link", url.Values{}); p.status != http.StatusUnprocessableEntity {
		t.Errorf("link for a disabled user: %d", p.status)
	}
	if p := b.post(show, show+"/enable", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("enable: %d", p.status)
	}
	h.browser().mustLogin("Phạm Thu Dung", "mật khẩu đủ dài 1")

	self := fmt.Sprintf("/users/%d", me.ID)
	if page := b.get(self); strings.Contains(page.body, "Vô hiệu hóa tài khoản") {
		t.Error("own page offers to disable oneself")
	}
	for path, form := range map[string]url.Values{self + "/disable": {}, self: {"name": {"Quản Trị"}, "role": {"officer"}}} {
		p := b.post(self, path, form)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Bạn không thể tự hạ vai trò hoặc tự vô hiệu hóa") {
			t.Errorf("POST %s: %d", path, p.status)
		}
		checkVietnamesePage(t, p.body, "Quản Trị")
	}
	if got, _ := h.store.GetUser(context.Background(), me.ID); got.DisabledAt != nil || got.Role != storage.RoleAdmin {
		t.Errorf("admin locked themselves out: %+v", got)
	}
}

// Renaming and changing the role go through the same rules as creating.
func TestUserEdit(t *testing.T) {
	h := newHarness(t)
	h.user("Quản Trị", storage.RoleAdmin, adminPassword, 0)
	h.user("Đỗ Minh", storage.RoleOfficer, "mật khẩu đủ dài 1", 0)
	u := h.user("Hoàng Lan", storage.RoleOfficer, "mật khẩu đủ dài 1", 0)
	b := h.browser()
	b.mustLogin("Quản Trị", adminPassword)
	show := fmt.Sprintf("/users/%d", u.ID)
	p := b.post(show, show, url.Values{"name": {"đỗ minh"}, "role": {"editor"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Đã có người dùng mang tên này") || !strings.Contains(p.body, `value="đỗ minh"`) {
		t.Fatalf("rename to a taken name: %d %s", p.status, p.body)
	}
	if got, _ := h.store.GetUser(context.Background(), u.ID); got.Name != "Hoàng Lan" || got.Role != storage.RoleOfficer {
		t.Errorf("refused change stored: %+v", got)
	}
	p = b.post(show, show, url.Values{"name": {"Hoàng Thị Lan"}, "role": {"editor"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", p.status, p.body)
	}
	if got, _ := h.store.GetUser(context.Background(), u.ID); got.Name != "Hoàng Thị Lan" || got.Role != storage.RoleEditor {
		t.Errorf("after edit: %+v", got)
	}
}

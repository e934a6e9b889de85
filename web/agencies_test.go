package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/loa-vn/loa/storage"
)

// An admin sees the tree of their agencies with counts, creates a child
// agency and renames it; bad input is answered on the form and stores
// nothing.
func TestAgenciesTreeCreateRename(t *testing.T) {
	h := newHarness(t)
	tr := newAdminTree(h)
	h.user("Quản Trị Huyện", storage.RoleAdmin, adminPassword, tr.a.ID)
	h.user("Chuyên Viên Xã", storage.RoleOfficer, "mật khẩu đủ dài 1", tr.a1.ID)
	b := h.browser()
	b.mustLogin("Quản Trị Huyện", adminPassword)
	allowed := []string{"Quản Trị Huyện", "Huyện A", "Xã A1", "huyen-a", "xa-a1", "Thôn Mới", "thon-moi", "Thôn Mới Đổi Tên", "thon-moi-2"}

	tree := b.get("/agencies")
	if tree.status != http.StatusOK || !strings.Contains(tree.body, "Huyện A") || !strings.Contains(tree.body, "Xã A1") ||
		strings.Contains(tree.body, "Huyện B") || !strings.Contains(tree.body, "1 người dùng") {
		t.Fatalf("tree: %d %s", tree.status, tree.body)
	}
	checkVietnamesePage(t, tree.body, allowed...)
	form := b.get(fmt.Sprintf("/agencies/new?parent=%d", tr.a1.ID))
	if !strings.Contains(form.body, fmt.Sprintf(`<option value="%d" selected>`, tr.a1.ID)) {
		t.Errorf("parent not preselected: %s", form.body)
	}
	checkVietnamesePage(t, form.body, allowed...)

	before := len(h.agencies())
	for _, bad := range []struct {
		name string
		form url.Values
		want string
	}{
		{"no name", url.Values{"name": {""}, "code": {"thon-moi"}}, "Vui lòng nhập tên cơ quan, đơn vị."},
		{"bad code", url.Values{"name": {"Thôn Mới"}, "code": {"Thôn Mới"}}, "chữ thường không dấu"},
		{"code taken", url.Values{"name": {"Thôn Mới"}, "code": {"huyen-b"}}, "Mã này đã được dùng"},
		{"parent elsewhere", url.Values{"name": {"Thôn Mới"}, "code": {"thon-moi"}, "parent_id": {fmt.Sprint(tr.b.ID)}}, "nằm ngoài phạm vi quản lý"},
		{"parent above", url.Values{"name": {"Thôn Mới"}, "code": {"thon-moi"}, "parent_id": {fmt.Sprint(tr.root.ID)}}, "nằm ngoài phạm vi quản lý"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			if bad.form.Get("parent_id") == "" {
				bad.form.Set("parent_id", fmt.Sprint(tr.a1.ID))
			}
			p := b.post("/agencies/new", "/agencies", bad.form)
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, bad.want) {
				t.Fatalf("got %d %s", p.status, p.body)
			}
			checkVietnamesePage(t, p.body, allowed...)
			if n := len(h.agencies()); n != before {
				t.Errorf("%d agencies after a refused form, want %d", n, before)
			}
		})
	}

	p := b.post("/agencies/new", "/agencies", url.Values{"name": {"Thôn Mới"}, "code": {"thon-moi"}, "parent_id": {fmt.Sprint(tr.a1.ID)}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", p.status, p.body)
	}
	show := strings.TrimSuffix(p.header.Get("Location"), "?da=tao")
	created := b.get(p.header.Get("Location"))
	if created.status != http.StatusOK || !strings.Contains(created.body, "Đã tạo cơ quan, đơn vị.") ||
		!strings.Contains(created.body, "Cơ quan / Huyện A / Xã A1 / Thôn Mới") {
		t.Fatalf("created page: %d %s", created.status, created.body)
	}
	checkVietnamesePage(t, created.body, append(allowed, "Cơ quan")...)

	if p := b.post(show, show, url.Values{"name": {" "}, "code": {"thon-moi"}}); p.status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.body, "Vui lòng nhập tên cơ quan, đơn vị.") {
		t.Errorf("empty rename: %d", p.status)
	}
	if p := b.post(show, show, url.Values{"name": {"Thôn Mới Đổi Tên"}, "code": {"thon-moi-2"}}); p.status != http.StatusSeeOther {
		t.Fatalf("rename: %d %s", p.status, p.body)
	}
	if tree := b.get("/agencies"); !strings.Contains(tree.body, "Thôn Mới Đổi Tên") || !strings.Contains(tree.body, "mã thon-moi-2") {
		t.Errorf("tree after rename: %s", tree.body)
	}
	as := h.agencies()
	i := slices.IndexFunc(as, func(a storage.Agency) bool { return a.Code == "thon-moi-2" })
	if len(as) != before+1 || i < 0 || as[i].Name != "Thôn Mới Đổi Tên" || as[i].ParentID == nil || *as[i].ParentID != tr.a1.ID {
		t.Errorf("stored agencies: %+v", as)
	}
}

package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/loa-vn/loa/storage"
)

// An unknown page address is a Vietnamese 404 page (with the navigation
// when signed in); API, feed and health addresses keep their JSON error.
func TestNotFoundPage(t *testing.T) {
	h := newHarness(t)
	h.user("an", storage.RoleOfficer, "mật khẩu đủ dài 1", 0)
	signedIn := h.browser()
	signedIn.mustLogin("an", "mật khẩu đủ dài 1")
	pages := []struct {
		name, method, path string
		b                  *browser
		status             int
		want               string
	}{
		{"unknown page, signed out", http.MethodGet, "/khong-co-trang-nay", h.browser(), http.StatusNotFound, "Không có trang nào ở địa chỉ này"},
		{"unknown nested page", http.MethodGet, "/posts/abc/def/ghi", h.browser(), http.StatusNotFound, "Không có trang nào ở địa chỉ này"},
		{"unknown page, form posted", http.MethodPost, "/khong-co", h.browser(), http.StatusNotFound, "Không có trang nào ở địa chỉ này"},
		{"unknown page, signed in", http.MethodGet, "/khong-co", signedIn, http.StatusNotFound, "Đăng xuất"},
		{"missing stylesheet", http.MethodGet, "/assets/khong-co.css", h.browser(), http.StatusNotFound, "Không có trang nào ở địa chỉ này"},
		{"asset folder", http.MethodGet, "/assets/", h.browser(), http.StatusNotFound, "Không có trang nào ở địa chỉ này"},
		{"form address opened", http.MethodGet, "/logout", h.browser(), http.StatusMethodNotAllowed, "chỉ dùng để gửi biểu mẫu"},
	}
	for _, tt := range pages {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.b.do(tt.method, tt.path, nil)
			if p.status != tt.status || !strings.Contains(p.body, tt.want) {
				t.Fatalf("got %d %s", p.status, p.body)
			}
			if ct := p.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type %q", ct)
			}
			if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("not the page policy: %q", csp)
			}
			checkVietnamesePage(t, p.body, "an")
		})
	}
	if p := signedIn.get("/khong-co"); strings.Contains(p.body, `href="/login"`) {
		t.Error("a signed-in visitor is offered to sign in")
	}

	apis := []struct{ method, path, code string }{
		{http.MethodGet, "/api/v1/khong-co", "not_found"},
		{http.MethodGet, "/api", "not_found"},
		{http.MethodGet, "/feeds/a/b/c", "not_found"},
		{http.MethodPost, "/api/v1/me", "method_not_allowed"},
		{http.MethodPost, "/healthz", "method_not_allowed"},
	}
	for _, tt := range apis {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			p := signedIn.do(tt.method, tt.path, nil)
			var body struct {
				Error struct{ Code string } `json:"error"`
			}
			if err := json.Unmarshal([]byte(p.body), &body); err != nil || body.Error.Code != tt.code {
				t.Fatalf("got %d %q, want JSON error %s", p.status, p.body, tt.code)
			}
		})
	}
	if css := h.browser().get("/assets/loa.css"); css.status != http.StatusOK || !strings.Contains(css.body, "--accent") {
		t.Errorf("stylesheet: %d", css.status)
	}
}

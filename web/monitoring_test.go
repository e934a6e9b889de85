package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/redisconn"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/worker/redistest"
)

// An admin signed in to the web UI is offered asynqmon and opens it with
// the session; other roles are neither offered nor let in.
func TestMonitoringForAdmins(t *testing.T) {
	conn, err := redisconn.Parse(redistest.URL(t, 15))
	if err != nil {
		t.Fatal(err)
	}
	m := api.NewMonitoring(conn.AsynqOpt())
	t.Cleanup(func() { m.Close() })
	h := newHarness(t, func(o *api.Options) { o.Monitoring = m })
	for _, tt := range []struct {
		role   string
		status int
	}{{storage.RoleOfficer, http.StatusForbidden}, {storage.RoleEditor, http.StatusForbidden}, {storage.RoleAdmin, http.StatusOK}} {
		t.Run(tt.role, func(t *testing.T) {
			h.user("u "+tt.role, tt.role, "mật khẩu đủ dài 1", 0)
			b := h.browser()
			b.mustLogin("u "+tt.role, "mật khẩu đủ dài 1")
			offered := strings.Contains(b.get("/").body, `href="/monitoring/">Giám sát hàng đợi</a>`)
			if offered != (tt.status == http.StatusOK) {
				t.Errorf("link shown=%v", offered)
			}
			if p := b.get("/monitoring/"); p.status != tt.status {
				t.Errorf("/monitoring/ = %d, want %d", p.status, tt.status)
			}
			if p := b.get("/monitoring/api/queues"); p.status != tt.status {
				t.Errorf("/monitoring/api/queues = %d, want %d", p.status, tt.status)
			}
		})
	}
	// Signed out, the page sends the browser to log in.
	if p := h.browser().get("/monitoring/"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/login" {
		t.Errorf("signed out: %d to %q", p.status, p.header.Get("Location"))
	}
}

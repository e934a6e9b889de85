package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/redisconn"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/worker"
	"github.com/loa-vn/loa/worker/redistest"
)

// monitoringRedisDB is this test's database on LOA_TEST_REDIS_URL.
const monitoringRedisDB = 13

// cookiePages stands in for the web UI: a session cookie names a user.
type cookiePages struct{ users map[string]storage.User }

func (cookiePages) Mount(*echo.Echo, *api.Server) {}

func (p cookiePages) SessionUser(c echo.Context) (storage.User, bool, error) {
	ck, err := c.Cookie("loa_session")
	if err != nil {
		return storage.User{}, false, nil
	}
	u, ok := p.users[ck.Value]
	return u, ok, nil
}

func TestMonitoring(t *testing.T) {
	t.Parallel()
	conn, err := redisconn.Parse(redistest.URL(t, monitoringRedisDB))
	if err != nil {
		t.Fatal(err)
	}
	rdb := conn.Client()
	defer rdb.Close()
	client := asynq.NewClientFromRedisClient(rdb)
	if _, err := client.Enqueue(asynq.NewTask(worker.TypeDeliver, []byte(`{}`)), asynq.Queue(worker.QueueDeliveries)); err != nil {
		t.Fatal(err)
	}
	m := api.NewMonitoring(conn.AsynqOpt())
	t.Cleanup(func() { m.Close() })
	pages := cookiePages{users: map[string]storage.User{}}
	e := newEnv(t, func(o *api.Options) { o.Monitoring = m; o.Pages = pages })
	for cookie, token := range map[string]string{"admin-session": adminToken, "officer-session": officerToken} {
		pages.users[cookie] = e.users[token]
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path, token, cookie string) response {
		t.Helper()
		r := req{Method: http.MethodGet, Path: path, Token: token}
		if cookie != "" {
			r.Header = map[string]string{"Cookie": "loa_session=" + cookie}
		}
		return doOn(t, noRedirect, e.srv.URL, r)
	}

	for _, who := range []struct{ name, token, cookie string }{
		{"admin token", adminToken, ""}, {"admin session", "", "admin-session"},
	} {
		t.Run(who.name, func(t *testing.T) {
			page := get("/monitoring/", who.token, who.cookie)
			wantStatus(t, page, http.StatusOK)
			if !strings.Contains(string(page.Body), `window.FLAG_ROOT_PATH=`) || !strings.Contains(string(page.Body), `<title>Asynq - Monitoring</title>`) {
				t.Errorf("not asynqmon's page: %.300s", page.Body)
			}
			csp := page.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self' 'sha256-") || strings.Contains(csp, "unsafe-eval") ||
				strings.Contains(csp, "script-src 'self' 'unsafe-inline'") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("page CSP = %q", csp)
			}
			asset := get("/monitoring/static/js/"+scriptName(t, page.Body), who.token, who.cookie)
			wantStatus(t, asset, http.StatusOK)
			if !strings.HasPrefix(asset.Header.Get("Content-Type"), "application/javascript") {
				t.Errorf("script served as %q", asset.Header.Get("Content-Type"))
			}

			r := get("/monitoring/api/queues", who.token, who.cookie)
			wantStatus(t, r, http.StatusOK)
			var body struct {
				Queues []struct {
					Queue string `json:"queue"`
					Size  int    `json:"size"`
				} `json:"queues"`
			}
			if err := json.Unmarshal(r.Body, &body); err != nil {
				t.Fatalf("%v: %s", err, r.Body)
			}
			if len(body.Queues) != 1 || body.Queues[0].Queue != worker.QueueDeliveries || body.Queues[0].Size != 1 {
				t.Errorf("queues = %s", r.Body)
			}
			if csp := r.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'; frame-ancestors") {
				t.Errorf("API CSP = %q", csp)
			}
			// Read-only: nothing changes the queues behind the database.
			r = doOn(t, noRedirect, e.srv.URL, req{Method: http.MethodPost, Path: "/monitoring/api/queues/" + worker.QueueDeliveries + ":pause", Token: adminToken})
			if r.Status < 400 {
				t.Errorf("pause answered %d", r.Status)
			}
		})
	}

	r := get("/monitoring", adminToken, "")
	if r.Status != http.StatusMovedPermanently || r.Header.Get("Location") != "/monitoring/" {
		t.Errorf("/monitoring: %d to %q", r.Status, r.Header.Get("Location"))
	}
	// A browser without a session goes to the log-in page, as the web UI's pages do.
	if r := get("/monitoring/", "", ""); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/login" {
		t.Errorf("anonymous page: %d to %q", r.Status, r.Header.Get("Location"))
	}
	wantError(t, get("/monitoring/api/queues", "", ""), http.StatusUnauthorized, "unauthorized", "")
	wantError(t, get("/monitoring/api/queues", "", "expired-session"), http.StatusUnauthorized, "unauthorized", "")
	wantError(t, get("/monitoring/", "tok-nobody", ""), http.StatusUnauthorized, "unauthorized", "")
	for _, tok := range []string{editorToken, officerToken} {
		wantError(t, get("/monitoring/", tok, ""), http.StatusForbidden, "forbidden", "")
		wantError(t, get("/monitoring/api/queues", tok, ""), http.StatusForbidden, "forbidden", "")
	}
	wantError(t, get("/monitoring/", "", "officer-session"), http.StatusForbidden, "forbidden", "")
	wantError(t, get("/monitoring/api/queues", "", "officer-session"), http.StatusForbidden, "forbidden", "")

	// Without Options.Monitoring there is nothing there.
	wantError(t, newEnv(t).get("/monitoring/", adminToken), http.StatusNotFound, "not_found", "")
}

// scriptName is the first script file asynqmon's page loads.
func scriptName(t *testing.T, page []byte) string {
	t.Helper()
	_, rest, ok := strings.Cut(string(page), `src="/monitoring/static/js/`)
	name, _, ok2 := strings.Cut(rest, `"`)
	if !ok || !ok2 {
		t.Fatalf("no script in %.300s", page)
	}
	return name
}

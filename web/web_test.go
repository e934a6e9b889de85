package web

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loa-vn/loa/adapters"
	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/radio"
	"github.com/loa-vn/loa/channels/rss"
	"github.com/loa-vn/loa/channels/webhook"
	"github.com/loa-vn/loa/channels/zalo"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/secrets"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

// harness is the real API server with the pages mounted, over a real store.
type harness struct {
	t     *testing.T
	store *storage.Store
	// db reads the store's tables directly (see snapshot in access_test.go).
	db    *sql.DB
	url   string
	mu    sync.Mutex
	at    time.Time
	loc   *time.Location
	pages *Pages
	pub   *publishing.Service
	sched *recordingScheduler
	// box seals channel configs; the adapters previews use open them.
	box *secrets.Box
}

// recordingScheduler is the queue as the pages' tests see it: it records
// what the application layer queued (the worker is tested elsewhere).
type recordingScheduler struct {
	mu        sync.Mutex
	scheduled map[int64]time.Time
	runNow    []int64
	removed   []int64
}

func (s *recordingScheduler) ScheduleMany(_ context.Context, ids []int64, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.scheduled == nil {
		s.scheduled = map[int64]time.Time{}
	}
	for _, id := range ids {
		s.scheduled[id] = at
	}
	return nil
}

func (s *recordingScheduler) RunNow(_ context.Context, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runNow = append(s.runNow, id)
	return nil
}

func (s *recordingScheduler) Unschedule(_ context.Context, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.removed = append(s.removed, id)
	return nil
}

func (h *harness) now() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.at
}

func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	h.at = h.at.Add(d)
	h.mu.Unlock()
}

func newHarness(t *testing.T, opts ...func(*api.Options)) *harness {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		loc = time.FixedZone("ICT", 7*3600)
	}
	h := &harness{t: t, at: time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC), loc: loc}
	h.store, h.db = storagetest.OpenWithSQL(t, h.now)
	log := slog.New(slog.DiscardHandler)
	h.sched = &recordingScheduler{}
	reg, err := channels.NewRegistry(webhook.Kind(), rss.Kind(), radio.Kind(), zalo.Kind(nil))
	if err != nil {
		t.Fatal(err)
	}
	if h.box, err = secrets.NewBox(bytes.Repeat([]byte{9}, secrets.KeySize)); err != nil {
		t.Fatal(err)
	}
	set := adapters.NewChannelSet(reg, h.box, channels.Env{PublicBaseURL: "http://127.0.0.1", Location: loc, Now: h.now})
	h.pub = publishing.New(publishing.Options{Store: h.store, Scheduler: h.sched, Location: loc, Logger: log,
		Now: h.now, Horizon: 30 * 24 * time.Hour, Kinds: reg.Names(), Adapters: set})
	pages, err := New(Options{Store: h.store, Publishing: h.pub, Location: loc, Logger: log, Now: h.now,
		PublicURL: "http://127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	o := api.Options{Store: h.store, Publishing: h.pub, Location: loc, Logger: log,
		Now: h.now, PasswordHashers: 2, Pages: pages}
	for _, opt := range opts {
		opt(&o)
	}
	srv := httptest.NewServer(api.New(o).Handler())
	t.Cleanup(srv.Close)
	h.url = srv.URL
	h.pages = pages
	return h
}

// user creates a user with a password in agency (0 = root).
func (h *harness) user(name, role, password string, agency int64) storage.User {
	h.t.Helper()
	hash, err := api.HashPassword(password)
	if err != nil {
		h.t.Fatal(err)
	}
	u := storage.User{Name: name, Role: role, PasswordHash: hash, AgencyID: agency}
	if err := h.store.CreateUser(context.Background(), &u, "test"); err != nil {
		h.t.Fatal(err)
	}
	return u
}

// browser is a client with its own cookies that does not follow redirects.
type browser struct {
	h *harness
	c *http.Client
}

func (h *harness) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{h: h, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(method, path string, form url.Values) page {
	b.h.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.h.url+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.h.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, header: res.Header, body: string(data)}
}

func (b *browser) get(path string) page { return b.do(http.MethodGet, path, nil) }

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf is the form token on the page at path.
func (b *browser) csrf(path string) string {
	b.h.t.Helper()
	m := csrfInput.FindStringSubmatch(b.get(path).body)
	if m == nil {
		b.h.t.Fatalf("no csrf_token on %s", path)
	}
	return m[1]
}

// login signs in through the form and returns the response.
func (b *browser) login(name, password string) page {
	b.h.t.Helper()
	return b.do(http.MethodPost, "/login", url.Values{"name": {name}, "password": {password}, "csrf_token": {b.csrf("/login")}})
}

func (b *browser) mustLogin(name, password string) {
	b.h.t.Helper()
	if p := b.login(name, password); p.status != http.StatusSeeOther || p.header.Get("Location") != "/" {
		b.h.t.Fatalf("log-in as %s: %d %s", name, p.status, p.body)
	}
}

func TestLogin(t *testing.T) {
	h := newHarness(t)
	h.user("Nguyễn Văn An", storage.RoleOfficer, "mật khẩu đủ dài 1", 0)
	tests := []struct {
		name, user, password string
		want                 int
		wantText             string
	}{
		{"wrong password", "Nguyễn Văn An", "sai rồi", http.StatusUnauthorized, "Tên đăng nhập hoặc mật khẩu không đúng"},
		{"unknown name", "Không Có Ai", "mật khẩu đủ dài 1", http.StatusUnauthorized, "Tên đăng nhập hoặc mật khẩu không đúng"},
		{"success, name in another case", "nguyễn văn an", "mật khẩu đủ dài 1", http.StatusSeeOther, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := h.browser()
			p := b.login(tt.user, tt.password)
			if p.status != tt.want || !strings.Contains(p.body, tt.wantText) {
				t.Fatalf("got %d %q", p.status, p.body)
			}
			if tt.want == http.StatusSeeOther {
				d := b.get("/")
				if d.status != http.StatusOK || !strings.Contains(d.body, "Nguyễn Văn An") {
					t.Errorf("dashboard after log-in: %d", d.status)
				}
				ck := sessionCookieOf(t, p)
				if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure {
					t.Errorf("session cookie %+v", ck)
				}
			} else {
				checkVietnamesePage(t, p.body, tt.user)
			}
		})
	}
}

func sessionCookieOf(t *testing.T, p page) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: p.header}).Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	t.Fatal("no session cookie set")
	return nil
}

func TestSecureCookieWhenPublicURLIsHTTPS(t *testing.T) {
	p, err := New(Options{PublicURL: "https://loa.example.gov.vn"})
	if err != nil {
		t.Fatal(err)
	}
	if c := p.cookie(sessionCookie, "x", 1); !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
		t.Errorf("cookie %+v", c)
	}
}

// The web log-in counts against the API's limiter: after the burst for a
// name at one address, the next try is refused (429) without a check.
func TestLoginLimit(t *testing.T) {
	h := newHarness(t)
	h.user("bien tap", storage.RoleEditor, "mật khẩu đủ dài 2", 0)
	b := h.browser()
	for i := range 10 {
		if p := b.login("bien tap", "sai"); p.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, p.status)
		}
	}
	p := b.login("bien tap", "mật khẩu đủ dài 2")
	if p.status != http.StatusTooManyRequests || !strings.Contains(p.body, "Đăng nhập sai quá nhiều lần") {
		t.Fatalf("11th attempt: %d %s", p.status, p.body)
	}
	if p.header.Get("Retry-After") == "" {
		t.Error("no Retry-After on the refused log-in")
	}
	checkVietnamesePage(t, p.body, "bien tap")
	// The API's own log-in shares the limiter: it is refused too.
	res, err := http.Post(h.url+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"name":"bien tap","password":"mật khẩu đủ dài 2"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("API log-in after web failures: %d", res.StatusCode)
	}
}

func TestSignedOutRedirectsToLogin(t *testing.T) {
	h := newHarness(t)
	p := h.browser().get("/")
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/login" {
		t.Fatalf("got %d %q", p.status, p.header.Get("Location"))
	}
}

func TestLogoutRevokesSession(t *testing.T) {
	h := newHarness(t)
	h.user("an", storage.RoleOfficer, "mật khẩu đủ dài 1", 0)
	b := h.browser()
	b.mustLogin("an", "mật khẩu đủ dài 1")
	token := b.csrf("/")
	u, _ := url.Parse(h.url)
	stolen := b.c.Jar.Cookies(u) // the session cookie, as someone who copied it would hold it
	if p := b.do(http.MethodPost, "/logout", url.Values{"csrf_token": {token}}); p.status != http.StatusSeeOther || p.header.Get("Location") != "/login" {
		t.Fatalf("logout: %d", p.status)
	}
	thief := h.browser()
	thief.c.Jar.SetCookies(u, stolen)
	if p := thief.get("/"); p.status != http.StatusSeeOther {
		t.Errorf("old session cookie after logout: %d", p.status)
	}
}

// A form without its session's token changes nothing: here, logout with
// a missing, a wrong and another session's token leaves the session live;
// so does a form from a signed-out visitor.
func TestCSRFRefused(t *testing.T) {
	h := newHarness(t)
	h.user("an", storage.RoleOfficer, "mật khẩu đủ dài 1", 0)
	h.user("binh", storage.RoleOfficer, "mật khẩu đủ dài 2", 0)
	other := h.browser()
	other.mustLogin("binh", "mật khẩu đủ dài 2")
	otherToken := other.csrf("/")
	b := h.browser()
	b.mustLogin("an", "mật khẩu đủ dài 1")
	for name, form := range map[string]url.Values{
		"missing":               {},
		"wrong":                 {"csrf_token": {"khong-dung"}},
		"other session's token": {"csrf_token": {otherToken}},
	} {
		t.Run(name, func(t *testing.T) {
			p := b.do(http.MethodPost, "/logout", form)
			if p.status != http.StatusForbidden || !strings.Contains(p.body, "không có thay đổi nào được thực hiện") {
				t.Fatalf("got %d %s", p.status, p.body)
			}
			checkVietnamesePage(t, p.body)
			if d := b.get("/"); d.status != http.StatusOK {
				t.Errorf("session ended by a refused form: %d", d.status)
			}
		})
	}
	t.Run("log-in form without its token", func(t *testing.T) {
		p := h.browser().do(http.MethodPost, "/login", url.Values{"name": {"an"}, "password": {"mật khẩu đủ dài 1"}})
		if p.status != http.StatusForbidden || len((&http.Response{Header: p.header}).Cookies()) != 0 {
			t.Fatalf("got %d, cookies %v", p.status, p.header["Set-Cookie"])
		}
	})
	t.Run("signed out", func(t *testing.T) {
		p := h.browser().do(http.MethodPost, "/logout", url.Values{"csrf_token": {otherToken}})
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "Vui lòng đăng nhập lại") {
			t.Fatalf("got %d %s", p.status, p.body)
		}
		if d := other.get("/"); d.status != http.StatusOK {
			t.Errorf("other session ended: %d", d.status)
		}
	})
}

// A new password and disabling end the user's web sessions, like tokens.
func TestSessionRevokedByPasswordChangeAndDisabling(t *testing.T) {
	hash, _ := api.HashPassword("mật khẩu mới đủ dài")
	disabled := true
	for name, change := range map[string]storage.UserChange{
		"password": {PasswordHash: &hash},
		"disabled": {Disabled: &disabled},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			u := h.user("an", storage.RoleOfficer, "mật khẩu đủ dài 1", 0)
			b := h.browser()
			b.mustLogin("an", "mật khẩu đủ dài 1")
			if _, err := h.store.UpdateUser(context.Background(), u.ID, change, "test"); err != nil {
				t.Fatal(err)
			}
			if p := b.get("/"); p.status != http.StatusSeeOther {
				t.Errorf("session after %s: %d", name, p.status)
			}
		})
	}
}

func TestSessionExpires(t *testing.T) {
	h := newHarness(t)
	h.user("an", storage.RoleOfficer, "mật khẩu đủ dài 1", 0)
	b := h.browser()
	b.mustLogin("an", "mật khẩu đủ dài 1")
	h.advance(DefaultSessionTTL + time.Second)
	if p := b.get("/"); p.status != http.StatusSeeOther {
		t.Errorf("expired session: %d", p.status)
	}
}

// Every page is Vietnamese, lang="vi", with the strict page policy.
func TestPagesVietnameseAndCSP(t *testing.T) {
	h := newHarness(t)
	u := h.user("an", storage.RoleEditor, "mật khẩu đủ dài 1", 0)
	link, err := NewSetupLink(context.Background(), h.store, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	b := h.browser()
	pages := map[string]page{"/login": b.get("/login"), link: b.get(link), "/setup/khong-co": b.get("/setup/khong-co")}
	b.mustLogin("an", "mật khẩu đủ dài 1")
	pages["/"] = b.get("/")
	for path, p := range pages {
		t.Run(path, func(t *testing.T) {
			checkVietnamesePage(t, p.body, "an")
			csp := p.header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self';") ||
				strings.Contains(csp, "unsafe-") || !strings.Contains(csp, "frame-ancestors 'none'") || hasInlineScript(p.body) {
				t.Errorf("CSP %q", csp)
			}
			if p.header.Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no nosniff")
			}
		})
	}
	css := b.get("/assets/loa.css")
	if css.status != http.StatusOK || !strings.Contains(css.header.Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet: %d %s", css.status, css.header.Get("Content-Type"))
	}
}

var scriptTag = regexp.MustCompile(`(?i)<script\b[^>]*>`)
var srcAttr = regexp.MustCompile(`(?i)\ssrc\s*=`)

// hasInlineScript reports a script element without a src: the CSP would
// block it, and the pages must not need one.
func hasInlineScript(page string) bool {
	for _, tag := range scriptTag.FindAllString(page, -1) {
		if !srcAttr.MatchString(tag) {
			return true
		}
	}
	return false
}

// The nav offers Người dùng and Cơ quan, đơn vị only to those the policy
// lets manage them; the pages refuse the others anyway.
func TestNavOffersOnlyAllowedPages(t *testing.T) {
	h := newHarness(t)
	for _, tt := range []struct {
		role  string
		shown bool
	}{{storage.RoleOfficer, false}, {storage.RoleEditor, false}, {storage.RoleAdmin, true}} {
		t.Run(tt.role, func(t *testing.T) {
			h.user("u "+tt.role, tt.role, "mật khẩu đủ dài 1", 0)
			b := h.browser()
			b.mustLogin("u "+tt.role, "mật khẩu đủ dài 1")
			body := b.get("/").body
			for _, link := range []string{`href="/users"`, `href="/agencies"`} {
				if strings.Contains(body, link) != tt.shown {
					t.Errorf("%s: link %s shown=%v, want %v", tt.role, link, !tt.shown, tt.shown)
				}
			}
			if !strings.Contains(body, `href="/deliveries"`) {
				t.Error("Nhật ký gửi not offered")
			}
		})
	}
}

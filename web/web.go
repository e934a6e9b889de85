// Package web is Loa's web UI: server-rendered Vietnamese pages
// (html/template, assets embedded), mounted on the API's Echo instance.
// Every page works with JavaScript off; scripts are files under /assets
// (never inline) that only improve a page.
package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/plans"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/vntime"
)

//go:embed templates/*.html templates/partials/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Options are the pages' dependencies.
type Options struct {
	Store *storage.Store
	// Publishing is the application layer the API also calls: pages change
	// posts, deliveries, schedules and sources only through it.
	Publishing *publishing.Service
	// PublicURL is LOA_PUBLIC_URL; cookies are Secure when it is https.
	PublicURL string
	// Location is LOA_TIMEZONE: every date and time shown is in it.
	Location *time.Location
	Logger   *slog.Logger
	Now      func() time.Time
	// SessionTTL is how long a session lasts; zero means DefaultSessionTTL.
	SessionTTL time.Duration
}

// DefaultSessionTTL is a session's lifetime when Options sets none.
const DefaultSessionTTL = 12 * time.Hour

// Pages holds the page handlers.
type Pages struct {
	store  *storage.Store
	pub    *publishing.Service
	loc    *time.Location
	log    *slog.Logger
	now    func() time.Time
	ttl    time.Duration
	secure bool
	pages  map[string]*template.Template
	// logins is the API server's log-in check (limits, bounded hashing,
	// client address), set by Mount.
	logins *api.Server
	// plans is the application layer of plans and records, the API
	// server's, set by Mount.
	plans  *plans.Service
	routes []route
	// monitoring is true when the API server mounts asynqmon (api.MonitoringPath).
	monitoring bool
}

// New parses the templates and returns the pages, to pass as api.Options.Pages.
func New(o Options) (*Pages, error) {
	p := &Pages{store: o.Store, pub: o.Publishing, loc: o.Location, log: o.Logger, now: o.Now, ttl: o.SessionTTL,
		secure: strings.HasPrefix(strings.ToLower(o.PublicURL), "https://")}
	if p.loc == nil {
		p.loc = vntime.Fixed()
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.ttl <= 0 {
		p.ttl = DefaultSessionTTL
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	p.pages = pages
	return p, nil
}

// parsePages parses every template but the layout as a page of its own,
// with layout.html and the shared partials (templates/partials/*.html).
func parsePages() (map[string]*template.Template, error) {
	files, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: list templates: %w", err)
	}
	pages := map[string]*template.Template{}
	for _, file := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(file, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/partials/*.html", file)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// route is one of the pages' routes, kept so tests can check every one.
type route struct{ Method, Path string }

// Mount adds the pages' routes to e; s gives the shared log-in check.
// Every state-changing route goes through checkCSRF (or, before sign-in,
// checkPreSessionCSRF); TestEveryFormNeedsItsToken checks them all.
func (p *Pages) Mount(e *echo.Echo, s *api.Server) {
	p.logins, p.plans, p.monitoring = s, s.Plans(), s.HasMonitoring()
	add := func(method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
		e.Add(method, path, h, m...)
		p.routes = append(p.routes, route{method, path})
	}
	static, _ := fs.Sub(staticFiles, "static")
	add(http.MethodGet, "/assets/*", assets(static))
	add(http.MethodGet, "/login", p.loginPage)
	add(http.MethodPost, "/login", p.login, p.checkPreSessionCSRF)
	add(http.MethodPost, "/logout", p.logout, p.signedIn, p.checkCSRF)
	add(http.MethodGet, "/setup/:token", p.setupPage)
	add(http.MethodPost, "/setup/:token", p.setup, p.checkPreSessionCSRF)
	add(http.MethodGet, "/", p.dashboard, p.signedIn)
	// Each page family mounts its own routes, in its own file.
	p.mountCompose(add)
	p.mountImport(add)
	p.mountCalendar(add)
	p.mountApprovals(add)
	p.mountDeliveries(add)
	p.mountNotifications(add)
	p.mountChannels(add)
	p.mountSources(add)
	p.mountSchedules(add)
	p.mountUsers(add)
	p.mountAgencies(add)
	p.mountPlans(add)
	p.mountReports(add)
	p.mountNotFound(e)
}

// adder registers one route of the pages (see Mount).
type adder func(method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc)

// navItem is a link in the header; Ready is false until a page is
// mounted at Path: it is then shown as "(sắp có)" and not linked.
type navItem struct {
	Label, Path string
	Ready       bool
	Current     bool
	// Needs is the action a user must be allowed to see the link; pages
	// refuse others anyway, the nav just does not offer them.
	Needs publishing.Action
}

func (p *Pages) nav(current string, u storage.User) []navItem {
	items := []navItem{
		{Label: "Tổng quan", Path: "/"},
		{Label: "Soạn tin", Path: "/posts/new"},
		{Label: "Nhập tin từ tệp", Path: "/posts/import"},
		{Label: "Lịch đăng", Path: "/calendar"},
		{Label: "Nhật ký gửi", Path: "/deliveries"},
		{Label: "Duyệt tin", Path: "/approvals"},
		{Label: "Kênh", Path: "/channels"},
		{Label: "Nguồn tin", Path: "/sources"},
		{Label: "Lịch định kỳ", Path: "/schedules"},
		{Label: "Kế hoạch", Path: "/plans"},
		{Label: "Báo cáo", Path: "/reports"},
		{Label: "Người dùng", Path: "/users", Needs: publishing.ManageUsers},
		{Label: "Cơ quan, đơn vị", Path: "/agencies", Needs: publishing.ManageAgencies},
	}
	mounted := map[string]bool{}
	if p.monitoring {
		// asynqmon is the API server's, for admins only (its own gate).
		items = append(items, navItem{Label: "Giám sát hàng đợi", Path: api.MonitoringPath + "/", Needs: publishing.ManageUsers})
		mounted[api.MonitoringPath+"/"] = true
	}
	for _, r := range p.routes {
		if r.Method == http.MethodGet {
			mounted[r.Path] = true
		}
	}
	shown := items[:0]
	for _, it := range items {
		if it.Needs != "" && publishing.Allowed(u, it.Needs, publishing.Subject{}) != nil {
			continue
		}
		it.Ready = mounted[it.Path]
		it.Current = it.Path == current
		shown = append(shown, it)
	}
	items = shown
	return items
}

// view is what every page template gets.
type view struct {
	Title string
	Nonce string
	User  *storage.User
	CSRF  string
	Nav   []navItem
	// Unread is the signed-in user's unread notifications, for the bell.
	Unread int
	Data   any
}

// render writes page name with status; a template error is logged and
// answered with a plain Vietnamese 500.
func (p *Pages) render(c echo.Context, status int, name string, v view) error {
	v.Nonce = api.PageNonce(c)
	if v.User != nil {
		v.Nav = p.nav(c.Path(), *v.User)
		v.Unread = p.bellCount(c, v.User.ID)
	}
	var b strings.Builder
	if err := p.pages[name].ExecuteTemplate(&b, "layout", v); err != nil {
		p.log.Error("web: render page", "page", name, "err", err)
		return c.String(http.StatusInternalServerError, "Lỗi hệ thống: không hiển thị được trang. Vui lòng thử lại sau.")
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTML(status, b.String())
}

// message renders a page with a title and one message, for refusals and errors.
func (p *Pages) message(c echo.Context, status int, title, text string) error {
	return p.render(c, status, "message", view{Title: title, Data: text})
}

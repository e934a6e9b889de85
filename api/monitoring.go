package api

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"

	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"
	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/publishing"
)

// MonitoringPath is where asynqmon, the asynq queues' web console, is
// mounted for admins.
const MonitoringPath = "/monitoring"

// Monitoring is asynqmon on Loa's Redis, with the Content-Security-Policy
// its page needs. It is read-only: the database is the source of truth,
// and a task deleted or run by hand behind its back is what the
// reconciler exists to undo.
type Monitoring struct {
	h *asynqmon.HTTPHandler
	// policy is the CSP of asynqmon's page and assets.
	policy string
}

// NewMonitoring opens asynqmon on redis (its own connection; Close it).
func NewMonitoring(redis asynq.RedisConnOpt) *Monitoring {
	h := asynqmon.New(asynqmon.Options{RootPath: MonitoringPath, RedisConnOpt: redis, ReadOnly: true})
	return &Monitoring{h: h, policy: monitoringPolicy(h)}
}

// Close closes asynqmon's Redis connections.
func (m *Monitoring) Close() error { return m.h.Close() }

var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// monitoringPolicy allows asynqmon's page what it needs and no more: its
// own scripts and the two inline ones of its index page (by hash, read
// from the page itself, so an upgrade that changes them still works), the
// inline styles its UI library injects, requests back to Loa. Its page
// also links fonts from Google; they are not allowed (no third party
// learns who opens Loa's console), so the page falls back to local fonts.
func monitoringPolicy(h http.Handler) string {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, MonitoringPath+"/", nil))
	scripts := []string{"'self'"}
	for _, m := range inlineScript.FindAllStringSubmatch(rec.Body.String(), -1) {
		sum := sha256.Sum256([]byte(m[1]))
		scripts = append(scripts, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	return "default-src 'none'; script-src " + strings.Join(scripts, " ") + "; connect-src 'self'; " +
		"style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; manifest-src 'self'; " +
		"frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'"
}

// mountMonitoring serves asynqmon under MonitoringPath to admins: with an
// admin's API token, or signed in to the web UI as an admin.
func (s *Server) mountMonitoring(m *Monitoring) {
	s.monitoring = m
	gate := []echo.MiddlewareFunc{s.authenticateTokenOrSession, requireAction(publishing.ManageUsers)}
	s.echo.GET(MonitoringPath, func(c echo.Context) error {
		return c.Redirect(http.StatusMovedPermanently, MonitoringPath+"/")
	}, gate...)
	s.echo.Any(MonitoringPath+"/*", s.serveMonitoring, gate...)
}

// HasMonitoring reports whether asynqmon is mounted at MonitoringPath,
// for the web UI to link it.
func (s *Server) HasMonitoring() bool { return s.monitoring != nil }

func (s *Server) serveMonitoring(c echo.Context) error {
	if !strings.HasPrefix(c.Request().URL.Path, MonitoringPath+"/api/") {
		// Its page and assets; its API answers JSON under the data policy.
		c.Response().Header().Set("Content-Security-Policy", s.monitoring.policy)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	s.monitoring.h.ServeHTTP(c.Response(), c.Request())
	return nil
}

// authenticateTokenOrSession is authenticate for a route a browser opens
// too: without an Authorization header, the web UI's session cookie
// (Pages.SessionUser) names the user; a browser with neither is sent to
// the log-in page, anything else gets the API's 401.
func (s *Server) authenticateTokenOrSession(next echo.HandlerFunc) echo.HandlerFunc {
	byToken := s.authenticate(next)
	return func(c echo.Context) error {
		if c.Request().Header.Get(echo.HeaderAuthorization) != "" || s.pages == nil {
			return byToken(c)
		}
		u, ok, err := s.pages.SessionUser(c)
		if err != nil {
			return err
		}
		if !ok {
			r := c.Request()
			if (r.Method == http.MethodGet || r.Method == http.MethodHead) && !strings.HasPrefix(r.URL.Path, MonitoringPath+"/api/") {
				return c.Redirect(http.StatusSeeOther, "/login")
			}
			return byToken(c)
		}
		c.Set(userKey, u)
		return next(c)
	}
}

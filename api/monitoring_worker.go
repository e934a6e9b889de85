package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// newEcho is the Echo instance of a server with what every answer gets:
// the one error handler, client addresses, request ids, panics caught,
// security headers and the request log.
func (s *Server) newEcho(trusted []netip.Prefix) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = ClientIP(trusted)
	// First, so a panic's log line, the request log and every error body carry the id.
	e.Use(requestID)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		// The stack goes to our log, not to stdout through Echo's logger.
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic in handler", "path", c.Path(), "request_id", RequestID(c), "err", err, "stack", string(stack))
			return err
		},
	}))
	e.Use(securityHeaders)
	e.Use(s.requestLog())
	return e
}

// probeRoutes are the operational routes every Loa process that listens
// serves: /livez, /readyz and, to admins, /metrics.
func (s *Server) probeRoutes() {
	s.echo.GET("/livez", s.livez)
	s.echo.GET("/readyz", s.readyz)
	s.echo.GET("/metrics", s.serveMetrics, s.authenticate, requireAction(publishing.ManageUsers))
}

// ProbeOptions are what a process without the API (`loa worker`) needs
// to answer probes and serve its metrics.
type ProbeOptions struct {
	// Store checks tokens (an admin's for /metrics) and is pinged by /readyz.
	Store     *storage.Store
	PingRedis func(ctx context.Context) error
	Metrics   http.Handler
	Logger    *slog.Logger
}

// NewProbes serves /livez, /readyz and /metrics only, with the same
// checks as the API server's (LOA_METRICS_ADDR of `loa worker`).
func NewProbes(o ProbeOptions) http.Handler {
	s := &Server{store: o.Store, pingRedis: o.PingRedis, metrics: o.Metrics, log: o.Logger, now: time.Now}
	s.echo = s.newEcho(nil)
	s.probeRoutes()
	return s.echo
}

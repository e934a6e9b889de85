package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// readyTimeout bounds /readyz's pings: a load balancer asks often and a
// dependency that answers slower than this is as good as down.
const readyTimeout = 500 * time.Millisecond

// livez answers while the process serves HTTP; it touches no dependency,
// so a database or Redis outage never gets a healthy process restarted.
func (s *Server) livez(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 when the database and Redis answer a ping within
// readyTimeout, else 503 naming what is down (never why: the cause goes
// to the log).
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), readyTimeout)
	defer cancel()
	down := []string{}
	for _, dep := range []struct {
		name string
		ping func(context.Context) error
	}{{"database", s.store.Ping}, {"redis", s.pingRedis}} {
		if err := dep.ping(ctx); err != nil {
			s.log.Warn("readyz: dependency unavailable", "dependency", dep.name, "err", err)
			down = append(down, dep.name)
		}
	}
	if len(down) > 0 {
		return c.JSON(http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "down": down})
	}
	return c.JSON(http.StatusOK, map[string]any{"status": "ok", "down": down})
}

// serveMetrics serves the Prometheus metrics of this process (an admin's
// token only: queue sizes and failure counts are operational detail).
func (s *Server) serveMetrics(c echo.Context) error {
	if s.metrics == nil {
		return notFound("metrics")
	}
	s.metrics.ServeHTTP(c.Response(), c.Request())
	return nil
}

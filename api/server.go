// Package api is Loa's HTTP API: posts, channels, deliveries, public feeds
// and health, with one error handler mapping errors to JSON responses.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/loa-vn/loa/adapters"
	"github.com/loa-vn/loa/admin"
	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/importer"
	"github.com/loa-vn/loa/outbound"
	"github.com/loa-vn/loa/plans"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/reports"
	"github.com/loa-vn/loa/secrets"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/vntime"
)

// Options are the server's dependencies.
type Options struct {
	Store    *storage.Store
	Registry *channels.Registry
	Box      *secrets.Box
	Channels *adapters.ChannelSet
	// Publishing applies the rules for posts; the handlers call it.
	Publishing *publishing.Service
	PingRedis  func(ctx context.Context) error
	PublicURL  string
	// Location is LOA_TIMEZONE: day boundaries and posting slots are in it.
	Location     *time.Location
	MaxBodyBytes int64 // zero means DefaultMaxBodyBytes
	// Guard checks channel endpoints and feed URLs when they are saved; nil
	// means a guard that allows no private range.
	Guard *outbound.Guard
	// TrustedProxies is LOA_TRUSTED_PROXIES: only a peer inside them may
	// name the client in X-Forwarded-For.
	TrustedProxies []netip.Prefix
	// PasswordHashers bounds concurrent password hashing (64 MiB each);
	// zero means max(1, GOMAXPROCS/2).
	PasswordHashers int
	// PasswordHashWait is how long a log-in waits for a free hasher before
	// it is refused as busy; zero means 1.5 s.
	PasswordHashWait time.Duration
	// Pages, when set, mounts the web UI on the same Echo instance; it gets
	// the server for the shared log-in check.
	Pages  Pages
	Logger *slog.Logger
	Now    func() time.Time
	// Import bounds bulk imports of posts; zero fields take importer's defaults.
	Import importer.Limits
	// Metrics serves /metrics (package metrics) to admins; nil answers 404.
	Metrics http.Handler
	// Monitoring, when set, is asynqmon at /monitoring for admins.
	Monitoring *Monitoring
}

// Pages are the web UI's routes (package web), mounted next to the API.
type Pages interface {
	Mount(e *echo.Echo, s *Server)
	// SessionUser is the user signed in with the request's session
	// cookie; ok is false without a live session.
	SessionUser(c echo.Context) (u storage.User, ok bool, err error)
}

// DefaultMaxBodyBytes is the request body limit when Options sets none.
const DefaultMaxBodyBytes = 1 << 20

// Server holds the handlers.
type Server struct {
	store    *storage.Store
	registry *channels.Registry
	box      *secrets.Box
	channels *adapters.ChannelSet
	pub      *publishing.Service
	// channelAdmin applies the channel and feed-source rules (shared with the pages).
	channelAdmin *publishing.ChannelAdmin
	pingRedis    func(ctx context.Context) error
	publicURL    string
	guard        *outbound.Guard
	loc          *time.Location
	log          *slog.Logger
	now          func() time.Time
	echo         *echo.Echo
	// dummyHash makes a log-in for an unknown name cost as much as a real
	// one, so response times do not reveal which names exist.
	dummyHash string
	hashers   *passwordHashers
	logins    *loginLimiter
	// admin administers users and agencies, for the handlers and the pages.
	admin *admin.Service
	// reports computes and exports reports, for the handlers and the pages.
	reports *reports.Service
	// plans applies the rules of plans, records and lists, for both too.
	plans *plans.Service
	// importer imports posts in bulk, for the handlers and the pages.
	importer *importer.Service
	// metrics is Options.Metrics.
	metrics http.Handler
	// monitoring is Options.Monitoring, when mounted.
	monitoring *Monitoring
	// pages is Options.Pages, for its sessions.
	pages Pages
	// uploads are the routes (Echo paths) that take files, with the body
	// limit each sets instead of the server's (see AllowUpload).
	uploads map[string]int64
	// openAPI is the API's description, served at /api/openapi.json.
	openAPI openAPIDoc
}

// New builds the server and its routes.
func New(o Options) *Server {
	s := &Server{store: o.Store, registry: o.Registry, box: o.Box, channels: o.Channels, pub: o.Publishing,
		pingRedis: o.PingRedis, publicURL: o.PublicURL, log: o.Logger, now: o.Now, metrics: o.Metrics,
		pages: o.Pages}
	if s.now == nil {
		s.now = time.Now
	}
	if s.guard = o.Guard; s.guard == nil {
		s.guard = outbound.New(outbound.Options{})
	}
	if s.loc = o.Location; s.loc == nil {
		s.loc = vntime.Fixed()
	}
	s.channelAdmin = publishing.NewChannelAdmin(publishing.ChannelAdminOptions{Publishing: s.pub, Store: s.store,
		Registry: o.Registry, Box: s.box, Guard: s.guard, Channels: s.channels, PublicURL: s.publicURL})
	s.logins = newLoginLimiter(s.now, maxLoginBuckets)
	if o.PasswordHashWait <= 0 {
		o.PasswordHashWait = hashWait
	}
	s.hashers = newPasswordHashers(o.PasswordHashers, o.PasswordHashWait)
	s.dummyHash = dummyPasswordHash()
	s.admin = admin.New(admin.Options{Store: o.Store, Publishing: o.Publishing, Hasher: s.hashers})
	s.reports = reports.New(reports.Options{Store: o.Store, Publishing: o.Publishing, Location: s.loc, Now: s.now, Logger: s.log})
	s.plans = plans.New(plans.Options{Store: o.Store, Publishing: o.Publishing, Location: s.loc, Now: s.now, Logger: s.log})
	s.importer = importer.New(importer.Options{Publishing: s.pub, Store: s.store, Location: s.loc, Limits: o.Import,
		Logger: s.log, Now: s.now})
	s.uploads = map[string]int64{}
	s.openAPI = loadOpenAPIDoc()
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	e := s.newEcho(o.TrustedProxies)
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: strconv.FormatInt(o.MaxBodyBytes, 10) + "B",
		Skipper: func(c echo.Context) bool { _, own := s.uploads[c.Path()]; return own }}))
	s.echo = e
	s.routes()
	if o.Monitoring != nil {
		s.mountMonitoring(o.Monitoring)
	}
	if o.Pages != nil {
		o.Pages.Mount(e, s)
	}
	return s
}

// ChannelAdmin is the application layer for channels and feed sources the
// handlers use, for the web pages to use the same rules.
func (s *Server) ChannelAdmin() *publishing.ChannelAdmin { return s.channelAdmin }

// Admin is the administration of users and agencies, shared with the
// pages so both use one password hasher pool and one copy of the rules.
func (s *Server) Admin() *admin.Service { return s.admin }

// Reports computes and exports reports, shared with the pages so both
// use one copy of the rules and one bound on concurrent reports.
func (s *Server) Reports() *reports.Service { return s.reports }

// Plans is the application layer of plans, records and lists, shared
// with the pages.
func (s *Server) Plans() *plans.Service { return s.plans }

// Upload marks the route at path (as registered) as taking a file: the
// global body limit skips it and the returned middleware bounds it to
// plans.UploadBodyBytes instead. Register it on the route.
func (s *Server) Upload(path string) echo.MiddlewareFunc {
	s.AllowUpload(path, plans.UploadBodyBytes)
	return middleware.BodyLimit(strconv.FormatInt(plans.UploadBodyBytes, 10) + "B")
}

// Importer imports posts in bulk, shared with the pages.
func (s *Server) Importer() *importer.Service { return s.importer }

// AllowUpload exempts the route at path from the server's body limit: its
// handler (or Upload's middleware) bounds the body itself, to max bytes.
// Call it before serving.
func (s *Server) AllowUpload(path string, max int64) { s.uploads[path] = max }

// Handler is the HTTP handler to serve.
func (s *Server) Handler() http.Handler { return s.echo }

func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.health)
	s.probeRoutes()
	e.GET("/feeds/:name", s.feed)
	e.HEAD("/feeds/:name", s.feed)
	e.GET("/feeds/:name/items/:id", s.feedItem)
	e.GET("/api/openapi.json", s.serveOpenAPI)

	// Authentication is per route, not group middleware: Echo gives a group
	// with middleware a catch-all route, which turns 405s into 404s.
	v1 := e.Group("/api/v1")
	officer := []echo.MiddlewareFunc{s.authenticate}
	v1.GET("/me", s.me, officer...)
	v1.POST("/auth/login", s.login)

	// Coarse gates by action; per-object decisions are the layer's, from the same policy.
	may := func(a publishing.Action) []echo.MiddlewareFunc {
		return []echo.MiddlewareFunc{s.authenticate, requireAction(a)}
	}
	admin, channelAdmin, sourceAdmin := may(publishing.ManageUsers), may(publishing.ManageChannels), may(publishing.ManageSources)
	agencyAdmin := may(publishing.ManageAgencies)
	v1.POST("/agencies", s.createAgency, agencyAdmin...)
	v1.GET("/agencies", s.listAgencies, officer...)
	v1.GET("/agencies/:id", s.getAgency, officer...)
	v1.PATCH("/agencies/:id", s.updateAgency, agencyAdmin...)

	v1.GET("/users", s.listUsers, admin...)
	v1.POST("/users", s.createUser, admin...)
	v1.GET("/users/:id", s.getUser, admin...)
	v1.PATCH("/users/:id", s.updateUser, admin...)
	v1.GET("/users/:id/tokens", s.listTokens, officer...)
	v1.POST("/users/:id/tokens", s.createToken, officer...)
	v1.DELETE("/tokens/:id", s.revokeToken, officer...)

	v1.GET("/channels", s.listChannels, officer...)
	v1.GET("/channels/:id", s.getChannel, officer...)
	v1.POST("/channels", s.createChannel, channelAdmin...)
	v1.PATCH("/channels/:id", s.updateChannel, channelAdmin...)
	v1.POST("/channels/:id/test", s.testChannel, channelAdmin...)
	v1.GET("/channels/:id/editions/:date/:file", s.edition, officer...)

	v1.POST("/posts", s.createPost, officer...)
	s.mountImport(v1, officer)
	v1.GET("/posts", s.listPosts, officer...)
	v1.GET("/posts/:id", s.getPost, officer...)
	v1.GET("/posts/:id/history", s.postHistory, officer...)
	v1.GET("/posts/:id/preview", s.previewPost, officer...)
	v1.POST("/posts/:id/cancel", s.cancelPost, officer...)
	v1.PATCH("/posts/:id", s.editPost, officer...)
	v1.POST("/posts/:id/approve", s.approvePost, may(publishing.ApprovePost)...)
	v1.POST("/posts/:id/reject", s.rejectPost, may(publishing.RejectPost)...)

	v1.POST("/schedules", s.createSchedule, officer...)
	v1.GET("/schedules", s.listSchedules, officer...)
	v1.GET("/schedules/:id", s.getSchedule, officer...)
	v1.POST("/schedules/:id/pause", s.setScheduleStatus(storage.SchedulePaused), officer...)
	v1.POST("/schedules/:id/resume", s.setScheduleStatus(storage.ScheduleActive), officer...)

	v1.POST("/sources", s.createSource, sourceAdmin...)
	v1.GET("/sources", s.listSources, officer...)
	v1.GET("/sources/:id", s.getSource, officer...)
	v1.POST("/sources/:id/poll", s.pollSource, sourceAdmin...)
	v1.POST("/sources/:id/pause", s.setSourceStatus(storage.SourcePaused), sourceAdmin...)
	v1.POST("/sources/:id/resume", s.setSourceStatus(storage.SourceActive), sourceAdmin...)

	v1.GET("/calendar", s.calendar, officer...)

	v1.GET("/plans", s.listPlans, officer...)
	v1.POST("/plans", s.createPlan, may(publishing.ManagePlans)...)
	v1.GET("/plans/:id", s.getPlan, officer...)
	v1.PATCH("/plans/:id", s.updatePlan, may(publishing.ManagePlans)...)
	v1.GET("/forms", s.listForms, officer...)
	v1.GET("/vocabularies", s.listVocabulary, officer...)
	v1.POST("/vocabularies", s.createTerm, officer...)
	v1.PATCH("/vocabularies/:id", s.updateTerm, officer...)
	v1.POST("/activity-records", s.createRecord, s.authenticate, s.Upload("/api/v1/activity-records"))
	v1.GET("/activity-records", s.listRecords, officer...)
	v1.GET("/attachments/:id", s.getAttachment, officer...)

	v1.GET("/deliveries", s.listDeliveries, officer...)
	v1.GET("/deliveries/:id", s.getDelivery, officer...)
	v1.POST("/deliveries/:id/retry", s.retryDelivery, officer...)
	v1.POST("/deliveries/:id/cancel", s.cancelDelivery, officer...)

	v1.GET("/reports", s.report, officer...)
}

// requestLog logs each request with stable keys; never headers or bodies,
// which may hold tokens and credentials.
func (s *Server) requestLog() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogMethod: true, LogURIPath: true, LogStatus: true, LogLatency: true, HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			s.log.Info("http request", "method", v.Method, "path", v.URIPath, "status", v.Status,
				"duration_ms", v.Latency.Milliseconds(), "request_id", RequestID(c))
			return nil
		},
	})
}

func (s *Server) me(c echo.Context) error {
	u := currentUser(c)
	return c.JSON(http.StatusOK, map[string]any{"id": u.ID, "name": u.Name, "role": u.Role, "agency_id": u.AgencyID})
}

func (s *Server) health(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	status, code := map[string]string{"status": "ok", "database": "ok", "redis": "ok"}, http.StatusOK
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("health: database unavailable", "err", err)
		status["database"], status["status"], code = "unavailable", "unavailable", http.StatusServiceUnavailable
	}
	if err := s.pingRedis(ctx); err != nil {
		s.log.Warn("health: redis unavailable", "err", err)
		status["redis"], status["status"], code = "unavailable", "unavailable", http.StatusServiceUnavailable
	}
	return c.JSON(code, status)
}

// pathID reads a positive integer path parameter; anything else is 404.
func pathID(c echo.Context, name, what string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound(what)
	}
	return id, nil
}

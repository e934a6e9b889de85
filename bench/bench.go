// Package bench measures Loa against the queue's own limit on the
// configured back end: raw asynq no-op throughput on the same Redis, Loa's
// end-to-end deliveries to a loopback webhook sink, schedule lag for two
// burst shapes, API latency under concurrent clients during a burst, and
// the worker's peak memory. It measures only; it changes nothing in the
// pipeline.
package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"time"

	"github.com/loa-vn/loa/adapters"
	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/webhook"
	"github.com/loa-vn/loa/configs"
	"github.com/loa-vn/loa/metrics"
	"github.com/loa-vn/loa/outbound"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/secrets"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/worker"
)

// Limits of the flags.
const (
	DefaultDeliveries = 5000
	MaxDeliveries     = 100_000
	DefaultClients    = 32
)

// Options say what to measure and where. Config supplies the back end
// (DatabaseURL, RedisURL; empty means a fresh temporary SQLite file and an
// in-process Redis) and the worker's settings.
type Options struct {
	Config     configs.Config
	Deliveries int
	Clients    int
	// Rows, when above zero, seeds about that many deliveries first (at
	// most MaxRows), for reads at scale.
	Rows int
	// Force runs against a database or Redis that is not empty.
	Force  bool
	Logger *slog.Logger
}

// Run sets up the back end, runs every measurement and cleans up.
func Run(ctx context.Context, o Options) (Result, error) {
	if o.Deliveries < 1 || o.Deliveries > MaxDeliveries {
		return Result{}, fmt.Errorf("bench: --deliveries must be from 1 to %d", MaxDeliveries)
	}
	if o.Clients < 1 || o.Clients > 1000 {
		return Result{}, errors.New("bench: --clients must be from 1 to 1000")
	}
	if o.Rows < 0 || o.Rows > MaxRows {
		return Result{}, fmt.Errorf("bench: --rows must be from 0 to %d", MaxRows)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	be, err := openBackend(ctx, o.Config.DatabaseURL, o.Config.RedisURL, o.Force)
	if err != nil {
		return Result{}, err
	}
	defer be.close()
	r, err := newRig(ctx, o, be)
	if err != nil {
		return Result{}, err
	}
	defer r.close()
	return r.run(ctx)
}

// rig is one run's Loa: worker, API and sink on the back end.
type rig struct {
	o        Options
	be       *backend
	pub      *publishing.Service
	box      *secrets.Box
	sink     *sink
	channels *adapters.ChannelSet
	server   *worker.Server
	api      *http.Server
	apiURL   string
	token    string
	admin    storage.User
	// metrics is the worker's Observer, the registry /metrics serves.
	metrics *metrics.Metrics
	closers []func()
}

func (r *rig) close() {
	for i := len(r.closers) - 1; i >= 0; i-- {
		r.closers[i]()
	}
}

func newRig(ctx context.Context, o Options, be *backend) (*rig, error) {
	cfg := o.Config
	r := &rig{o: o, be: be}
	ok := false
	defer func() {
		if !ok {
			r.close()
		}
	}()
	key := make([]byte, secrets.KeySize)
	rand.Read(key)
	box, err := secrets.NewBox(key)
	if err != nil {
		return nil, err
	}
	r.box = box
	registry, err := channels.NewRegistry(webhook.Kind())
	if err != nil {
		return nil, err
	}
	// The sink is on loopback: allowed inside the bench only.
	allow := append([]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, cfg.AllowedPrivate...)
	guard := outbound.New(outbound.Options{AllowPrivate: allow})
	r.channels = adapters.NewChannelSet(registry, box, channels.Env{HTTPClient: guard.Client(30 * time.Second),
		PublicBaseURL: cfg.PublicURL, Logger: o.Logger, Location: cfg.Location})
	r.closers = append(r.closers, r.channels.Close)

	taskOpts := worker.DefaultTaskOptions(cfg.MaxAttempts)
	taskOpts.Timeout = cfg.AttemptTimeout
	queue := worker.NewQueue(be.rdb, taskOpts)
	r.pub = publishing.New(publishing.Options{Store: be.store, Scheduler: queue, Secrets: box, Location: cfg.Location,
		Horizon: cfg.ScheduleHorizon, Logger: o.Logger, Kinds: registry.Names(), Adapters: r.channels,
		MaxDeliveries: max(o.Deliveries, publishing.DefaultMaxDeliveries)})

	secret := randomHex(16)
	if r.sink, err = startSink(secret); err != nil {
		return nil, err
	}
	r.closers = append(r.closers, r.sink.close)

	r.metrics = metrics.New()
	deliverer := worker.NewDeliverer(worker.DelivererOptions{
		Store: be.store, Channels: r.channels,
		Policy: worker.RetryPolicy{MaxAttempts: cfg.MaxAttempts, Base: cfg.RetryBase, Max: cfg.RetryMax},
		Lease:  cfg.ClaimLease(), Logger: o.Logger, Observer: r.metrics,
	})
	r.server = worker.NewServer(be.rdb, deliverer, worker.ServerOptions{
		Concurrency: cfg.WorkerConcurrency, ShutdownTimeout: cfg.ShutdownTimeout, Logger: o.Logger})
	if err := r.server.Start(); err != nil {
		return nil, err
	}
	r.closers = append(r.closers, r.server.Shutdown)

	r.token = api.NewToken()
	if r.admin, err = be.store.CreateUserWithToken(ctx, "bench", storage.RoleAdmin, api.HashToken(r.token)); err != nil {
		return nil, err
	}
	handler := api.New(api.Options{Store: be.store, Registry: registry, Box: box, Channels: r.channels, Publishing: r.pub,
		PingRedis: func(ctx context.Context) error { return be.rdb.Ping(ctx).Err() },
		PublicURL: cfg.PublicURL, Location: cfg.Location, MaxBodyBytes: cfg.MaxBodyBytes, Guard: guard, Logger: o.Logger,
		Metrics: r.metrics.Handler(),
	}).Handler()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: api listener: %w", err)
	}
	r.api = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	r.apiURL = "http://" + ln.Addr().String()
	go r.api.Serve(ln)
	r.closers = append(r.closers, func() { r.api.Close() })
	ok = true
	return r, nil
}

func (r *rig) run(ctx context.Context) (Result, error) {
	n := r.o.Deliveries
	res := Result{Deliveries: n, Clients: r.o.Clients, Concurrency: r.o.Config.WorkerConcurrency,
		Database: r.be.database, Redis: r.be.redis, CPUs: runtime.NumCPU(), LoadAverage: loadAverage()}
	w, err := r.setup(ctx)
	if err != nil {
		return res, err
	}
	var seed seeded
	if r.o.Rows > 0 {
		if seed, err = r.seed(ctx, r.o.Rows); err != nil {
			return res, err
		}
		res.SeededRows, res.SeedSeconds = seed.Rows, seed.Took.Seconds()
	}
	if res.RawTasksPerSec, err = rawAsynq(ctx, r.be.rdb, n, r.o.Config.WorkerConcurrency); err != nil {
		return res, err
	}

	posts, err := r.postsBurst(ctx, w.posts, nil)
	if err != nil {
		return res, fmt.Errorf("bench: %d posts to one channel: %w", n, err)
	}
	res.Posts = posts
	if res.RawTasksPerSec > 0 {
		res.Ratio = posts.PerSec / res.RawTasksPerSec
	}
	if res.Province, err = r.provinceBurst(ctx, w.province); err != nil {
		return res, fmt.Errorf("bench: one post to %d channels: %w", n, err)
	}
	ld := newLoad(r, r.o.Clients, w.api, r.listFilters(w, seed, time.Now()))
	if res.UnderLoad, err = r.postsBurst(ctx, w.load, ld); err != nil {
		return res, fmt.Errorf("bench: %d posts under load: %w", n, err)
	}
	res.CreatePost, res.ListDeliveries, res.ListByFilter = ld.results()
	// The report is of the seeded province: the bench's own has one commune
	// per delivery, more than a report may cover (reports.MaxSections).
	if seed.Province != 0 {
		if res.ReportQuery, res.Report, res.ReportDelivered, err = r.timeReport(ctx, seed.Province, time.Now()); err != nil {
			return res, err
		}
	}
	// Stopped, the worker records nothing more: the counters and the
	// database hold the same attempts.
	r.server.Shutdown()
	if res.Counters, err = r.checkCounters(ctx); err != nil {
		return res, err
	}
	res.PeakRSSBytes = peakRSS()
	res.Sink = r.sink.counts()
	res.ExpectedKeys = 3 * n
	return res, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// webhookConfig is a channel's sealed configuration: the sink.
func (r *rig) webhookConfig() json.RawMessage {
	raw, _ := json.Marshal(map[string]string{"url": r.sink.url, "secret": r.sink.secret})
	return raw
}

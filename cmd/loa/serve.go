package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/channels/facebook"
	"github.com/loa-vn/loa/channels/wordpress"
	"github.com/loa-vn/loa/channels/zalo"
	"github.com/loa-vn/loa/configs"
	"github.com/loa-vn/loa/metrics"
	"github.com/loa-vn/loa/notify"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/sources"
	"github.com/loa-vn/loa/web"
	"github.com/loa-vn/loa/worker"
)

type mode int

const (
	modeAll mode = iota
	modeAPI
	modeWorker
)

func serve(ctx context.Context, cfg configs.Config, log *slog.Logger, stdout io.Writer, m mode) error {
	if m != modeAll && cfg.RedisURL == "" {
		return errors.New("`loa api` and `loa worker` need LOA_REDIS_URL: the in-process Redis lives inside one process; run `loa serve` to use it")
	}
	// Listen before anything else starts, so that a taken port stops the
	// command at once with a plain message instead of after a slow start.
	var ln net.Listener
	if m != modeWorker {
		l, err := net.Listen("tcp", cfg.Addr)
		if err != nil {
			return fmt.Errorf("cannot listen on %s (LOA_ADDR): %w", cfg.Addr, err)
		}
		ln = l
		defer ln.Close()
	}
	var probeLn net.Listener
	if m == modeWorker && cfg.MetricsAddr != "" {
		l, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("cannot listen on %s (LOA_METRICS_ADDR): %w", cfg.MetricsAddr, err)
		}
		probeLn = l
		defer probeLn.Close()
	}
	d, err := openDeps(ctx, cfg, log, m != modeWorker)
	if err != nil {
		return err
	}
	defer d.close()
	log.Info("loa starting", "mode", modeName(m), "database", d.store.Driver(),
		"redis", redisName(cfg), "addr", cfg.Addr)

	taskOpts := worker.DefaultTaskOptions(cfg.MaxAttempts)
	taskOpts.Timeout = cfg.AttemptTimeout
	queue := worker.NewQueue(d.rdb, taskOpts)
	pub := publishing.New(publishing.Options{
		Store: d.store, Scheduler: queue, Secrets: d.box, Location: cfg.Location, Horizon: cfg.ScheduleHorizon, Logger: log,
		Fetcher: sources.NewFetcher(sources.FetcherOptions{Client: d.guard.Client(0)}),
		Kinds:   d.registry.Names(), Adapters: d.channels,
	})
	materializer := worker.NewMaterializer(d.store, pub, materializeInterval, log)
	// Each process has its own registry and counts what it does: the
	// delivery counters grow in the process that runs the worker, the queue
	// gauges are read from Redis at each scrape of a process that serves
	// HTTP. `loa serve` has both on its /metrics; `loa api` has the queue
	// gauges only, and `loa worker` its counters, on LOA_METRICS_ADDR when
	// set (the queue gauges are the API's: N workers would repeat them).
	mx := metrics.New()
	poller := worker.NewPoller(d.store, pub, log)

	if m != modeAPI {
		notifier, err := newNotifier(d, pub)
		if err != nil {
			return err
		}
		stopWorker, err := startWorker(ctx, d, queue, materializer, poller, notifier, mx)
		if err != nil {
			return err
		}
		// Runs before d.close: the worker's loops stop before the store closes.
		defer stopWorker()
	}
	if m == modeWorker {
		if probeLn != nil {
			return runHTTP(ctx, d, probeLn, api.NewProbes(api.ProbeOptions{Store: d.store, Metrics: mx.Handler(), Logger: log,
				PingRedis: func(ctx context.Context) error { return d.rdb.Ping(ctx).Err() }}))
		}
		<-ctx.Done()
		log.Info("loa stopping")
		return nil
	}
	if err := bootstrapAdmin(ctx, d, stdout); err != nil {
		return err
	}
	mx.WatchQueues(asynq.NewInspectorFromRedisClient(d.rdb), log)
	return serveHTTP(ctx, d, ln, pub, mx)
}

// materializeInterval is how often schedules are extended to the horizon;
// pollInterval how often due feed sources and digests are looked for.
const (
	materializeInterval = time.Minute
	pollInterval        = 5 * time.Second
)

// startWorker starts the delivery server and the background loops; the
// returned stop cancels the loops itself, so that a start-up step failing
// after it (or the HTTP server) never leaves the process waiting on them.
func startWorker(parent context.Context, d *deps, queue *worker.Queue, materializer *worker.Materializer, poller *worker.Poller, notifier *notify.Notifier, mx *metrics.Metrics) (func(), error) {
	deliverer := worker.NewDeliverer(worker.DelivererOptions{
		Store: d.store, Channels: d.channels,
		Policy: worker.RetryPolicy{MaxAttempts: d.cfg.MaxAttempts, Base: d.cfg.RetryBase, Max: d.cfg.RetryMax},
		Lease:  d.cfg.ClaimLease(), Logger: d.log, Observer: mx,
	})
	srv := worker.NewServer(d.rdb, deliverer, worker.ServerOptions{
		Concurrency: d.cfg.WorkerConcurrency, ShutdownTimeout: d.cfg.ShutdownTimeout, Logger: d.log,
	})
	if err := srv.Start(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(parent)
	var wg sync.WaitGroup
	rec := worker.NewReconciler(d.store, queue, d.cfg.ReconcileInterval, d.log)
	// Reach is read slowly (every 10 minutes, 200 reads a round, 4 at once,
	// 30 s each) from the platforms that report it.
	reach := worker.NewReachCollector(worker.ReachOptions{Store: d.store, Channels: d.channels,
		Kinds: []string{facebook.KindName, zalo.KindName, wordpress.Kind().Name}, Logger: d.log})
	wg.Add(5)
	go func() {
		defer wg.Done()
		reach.Run(ctx)
	}()
	go func() {
		defer wg.Done()
		rec.Run(ctx)
	}()
	go func() {
		defer wg.Done()
		notifier.Run(ctx)
	}()
	go func() {
		defer wg.Done()
		poller.Run(ctx, pollInterval)
	}()
	go func() {
		defer wg.Done()
		materializer.Run(ctx)
	}()
	return func() {
		cancel()
		srv.Shutdown()
		wg.Wait()
	}, nil
}

// newNotifier makes the loop that turns events into notifications, with
// e-mail when LOA_SMTP_URL is set.
func newNotifier(d *deps, pub *publishing.Service) (*notify.Notifier, error) {
	var mailer *notify.Mailer
	if d.cfg.SMTPURL != "" {
		cfg, err := notify.ParseSMTPURL(d.cfg.SMTPURL)
		if err != nil {
			return nil, err
		}
		mailer = notify.NewMailer(notify.MailerOptions{Config: cfg})
		d.log.Info("notifications are e-mailed", "smtp", cfg.String())
	}
	return notify.New(notify.Options{Store: d.store, Publishing: pub, Mailer: mailer,
		PublicURL: d.cfg.PublicURL, Logger: d.log}), nil
}

func serveHTTP(ctx context.Context, d *deps, ln net.Listener, pub *publishing.Service, mx *metrics.Metrics) error {
	pages, err := web.New(web.Options{Store: d.store, Publishing: pub, PublicURL: d.cfg.PublicURL, Location: d.cfg.Location, Logger: d.log})
	if err != nil {
		return err
	}
	// asynqmon at /monitoring, on its own connection to the same Redis.
	monitoring := api.NewMonitoring(d.redis.AsynqOpt())
	defer monitoring.Close()
	handler := api.New(api.Options{
		Pages: pages,
		Store: d.store, Registry: d.registry, Box: d.box, Channels: d.channels,
		Publishing:     pub,
		PingRedis:      func(ctx context.Context) error { return d.rdb.Ping(ctx).Err() },
		PublicURL:      d.cfg.PublicURL,
		Location:       d.cfg.Location,
		MaxBodyBytes:   d.cfg.MaxBodyBytes,
		Guard:          d.guard,
		TrustedProxies: d.cfg.TrustedProxyNet,
		Logger:         d.log,
		Metrics:        mx.Handler(),
		Monitoring:     monitoring,
	}).Handler()
	return runHTTP(ctx, d, ln, handler)
}

// runHTTP serves handler on ln until ctx ends, then lets requests in
// flight finish within LOA_SHUTDOWN_TIMEOUT.
func runHTTP(ctx context.Context, d *deps, ln net.Listener, handler http.Handler) error {
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
	d.log.Info("http listening", "addr", ln.Addr().String(), "public_url", d.cfg.PublicURL)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	d.log.Info("loa stopping")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), d.cfg.ShutdownTimeout)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

func modeName(m mode) string {
	return [...]string{"serve", "api", "worker"}[m]
}

func redisName(cfg configs.Config) string {
	if cfg.RedisURL == "" {
		return "embedded"
	}
	return configs.Redact(cfg.RedisURL)
}

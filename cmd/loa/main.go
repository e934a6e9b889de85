// Command loa publishes administrative-reform news to every channel an
// agency uses, on schedule, and records what went out.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Asia/Ho_Chi_Minh must load on machines without zoneinfo

	"github.com/loa-vn/loa/configs"
)

const usage = `Usage: loa [command] [--config file]

Commands:
  serve     HTTP API, worker and reconciler in one process (the default)
  api       HTTP API only (needs LOA_REDIS_URL)
  worker    delivery worker and reconciler only (needs LOA_REDIS_URL);
            --metrics-addr host:port (or LOA_METRICS_ADDR) serves /metrics, /livez, /readyz
  migrate   apply database migrations and exit
  token     create a user with an API token: loa token --name NAME --role officer|editor|admin
  bench     measure throughput, lag and API latency on a throwaway copy of the back end:
            loa bench [--deliveries 5000] [--clients 32] [--json] [--force]

Configuration comes from LOA_* environment variables and an optional TOML
file (--config or LOA_CONFIG); see configs/loa.sample.toml.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loa:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("loa "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	configPath := fs.String("config", os.Getenv("LOA_CONFIG"), "TOML configuration file")
	name := fs.String("name", "", "user name (token)")
	role := fs.String("role", "officer", "user role (token)")
	metricsAddr := fs.String("metrics-addr", "", "worker: serve /metrics, /livez and /readyz on host:port (LOA_METRICS_ADDR)")
	var bo benchFlags
	bo.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	// The flag wins over LOA_METRICS_ADDR and is validated with it.
	getenv := func(name string) string {
		if name == "LOA_METRICS_ADDR" && *metricsAddr != "" {
			return *metricsAddr
		}
		return os.Getenv(name)
	}
	cfg, err := configs.Load(*configPath, getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := newLogger(cfg, stderr)
	switch cmd {
	case "serve":
		return serve(ctx, cfg, log, stdout, modeAll)
	case "api":
		return serve(ctx, cfg, log, stdout, modeAPI)
	case "worker":
		return serve(ctx, cfg, log, stdout, modeWorker)
	case "migrate":
		return migrate(ctx, cfg, stdout)
	case "token":
		return createToken(ctx, cfg, *name, *role, stdout)
	case "bench":
		return runBench(ctx, cfg, log, bo, stdout)
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func newLogger(cfg configs.Config, w io.Writer) *slog.Logger {
	level := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo,
		"warn": slog.LevelWarn, "error": slog.LevelError}[cfg.LogLevel]
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

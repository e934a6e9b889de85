package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"

	"github.com/loa-vn/loa/bench"
	"github.com/loa-vn/loa/configs"
)

// benchFlags are `loa bench`'s own flags.
type benchFlags struct {
	deliveries, clients, rows int
	json, force               bool
	cpuProfile                string
}

func (b *benchFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&b.deliveries, "deliveries", bench.DefaultDeliveries, "deliveries per burst (bench)")
	fs.IntVar(&b.clients, "clients", bench.DefaultClients, "concurrent API clients during a burst (bench)")
	fs.IntVar(&b.rows, "rows", 0, fmt.Sprintf("deliveries to seed first, up to %d (bench)", bench.MaxRows))
	fs.BoolVar(&b.json, "json", false, "print the result as JSON (bench)")
	fs.BoolVar(&b.force, "force", false, "run against a database or Redis that is not empty (bench)")
	fs.StringVar(&b.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file (bench)")
}

// runBench runs the benchmark on a throwaway schema (or a temporary SQLite
// file) and the configured Redis (or an in-process one), and prints one
// table; it fails when the sink did not see each delivery exactly once.
func runBench(ctx context.Context, cfg configs.Config, log *slog.Logger, f benchFlags, stdout io.Writer) error {
	if f.cpuProfile != "" {
		stop, err := startCPUProfile(f.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	res, err := bench.Run(ctx, bench.Options{Config: cfg, Deliveries: f.deliveries, Clients: f.clients, Rows: f.rows,
		Force: f.force, Logger: log.With("component", "bench")})
	if err != nil {
		return err
	}
	if f.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(res)
	} else {
		err = res.WriteTable(stdout)
	}
	if err != nil {
		return err
	}
	if !res.ExactlyOnce() {
		return errors.New("bench: the sink did not see each delivery exactly once")
	}
	if !res.CountersMatch() {
		return errors.New("bench: /metrics delivery counters differ from the database's attempts")
	}
	return nil
}

// startCPUProfile profiles this process (worker, API and sink all run in
// it) until the returned function is called.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("bench: cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("bench: cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

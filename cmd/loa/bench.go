package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/loa-vn/loa/bench"
	"github.com/loa-vn/loa/configs"
)

// benchFlags are `loa bench`'s own flags.
type benchFlags struct {
	deliveries, clients, rows int
	json, force               bool
}

func (b *benchFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&b.deliveries, "deliveries", bench.DefaultDeliveries, "deliveries per burst (bench)")
	fs.IntVar(&b.clients, "clients", bench.DefaultClients, "concurrent API clients during a burst (bench)")
	fs.IntVar(&b.rows, "rows", 0, fmt.Sprintf("deliveries to seed first, up to %d (bench)", bench.MaxRows))
	fs.BoolVar(&b.json, "json", false, "print the result as JSON (bench)")
	fs.BoolVar(&b.force, "force", false, "run against a database or Redis that is not empty (bench)")
}

// runBench runs the benchmark on a throwaway schema (or a temporary SQLite
// file) and the configured Redis (or an in-process one), and prints one
// table; it fails when the sink did not see each delivery exactly once.
func runBench(ctx context.Context, cfg configs.Config, log *slog.Logger, f benchFlags, stdout io.Writer) error {
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

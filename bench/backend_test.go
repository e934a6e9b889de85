package bench_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/alicebob/miniredis/v2"

	"github.com/loa-vn/loa/bench"
	"github.com/loa-vn/loa/configs"
)

// A Redis that holds keys is refused, and left as it was.
func TestRunRefusesNonEmptyRedis(t *testing.T) {
	mr := miniredis.RunT(t)
	mr.Set("someone-elses", "data")
	cfg := configs.Config{RedisURL: "redis://" + mr.Addr(), WorkerConcurrency: 2, MaxAttempts: 3}
	_, err := bench.Run(context.Background(), bench.Options{Config: cfg, Deliveries: 10, Clients: 1})
	if !errors.Is(err, bench.ErrNotEmpty) {
		t.Fatalf("err = %v, want ErrNotEmpty", err)
	}
	if got, _ := mr.Get("someone-elses"); got != "data" {
		t.Errorf("the key is %q after the refusal", got)
	}
}

func TestRunRejectsFlags(t *testing.T) {
	for _, tc := range []struct {
		name                      string
		deliveries, clients, rows int
	}{
		{"no deliveries", 0, 1, 0},
		{"above the cap", bench.MaxDeliveries + 1, 1, 0},
		{"no clients", 10, 0, 0},
		{"negative rows", 10, 1, -1},
		{"rows above the cap", 10, 1, bench.MaxRows + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := bench.Options{Deliveries: tc.deliveries, Clients: tc.clients, Rows: tc.rows}
			if _, err := bench.Run(context.Background(), o); err == nil {
				t.Error("accepted")
			}
		})
	}
}

// A difference between the counters and the database is printed as a
// failure, row by row.
func TestCountersMismatchIsPrinted(t *testing.T) {
	for _, tc := range []struct {
		name  string
		check bench.CounterCheck
		want  []string
	}{
		{"equal", bench.CounterCheck{Equal: true, Rows: []bench.CounterRow{{Kind: "webhook", Outcome: "delivered", Metrics: 5, Database: 5}}},
			[]string{"= database         OK (", "webhook delivered", "metrics 5  database 5"}},
		{"different", bench.CounterCheck{Rows: []bench.CounterRow{{Kind: "webhook", Outcome: "retry", Metrics: 1, Database: 2}}},
			[]string{"= database         FAILED (", "webhook retry", "metrics 1  database 2"}},
		{"nothing counted", bench.CounterCheck{}, []string{"FAILED ("}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := bench.Result{Counters: tc.check}
			var b strings.Builder
			if err := res.WriteTable(&b); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("table lacks %q:\n%s", w, b.String())
				}
			}
			if res.CountersMatch() != tc.check.Equal {
				t.Errorf("CountersMatch = %v", res.CountersMatch())
			}
		})
	}
}

package bench_test

import (
	"context"
	"errors"
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
		name                string
		deliveries, clients int
	}{
		{"no deliveries", 0, 1},
		{"above the cap", bench.MaxDeliveries + 1, 1},
		{"no clients", 10, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := bench.Run(context.Background(), bench.Options{Deliveries: tc.deliveries, Clients: tc.clients}); err == nil {
				t.Error("accepted")
			}
		})
	}
}

package worker_test

import (
	"context"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/loa-vn/loa/worker"
)

// TestEmbeddedRedisRequiresItsPassword: the in-process Redis listens on
// loopback, where any local process could otherwise read or forge tasks.
func TestEmbeddedRedisRequiresItsPassword(t *testing.T) {
	e, err := worker.StartEmbeddedRedis()
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()

	anonymous := redis.NewClient(&redis.Options{Addr: e.Addr()})
	defer anonymous.Close()
	if err := anonymous.Ping(ctx).Err(); err == nil || !strings.Contains(err.Error(), "NOAUTH") {
		t.Fatalf("ping without the password: err = %v, want NOAUTH", err)
	}
	guessed := redis.NewClient(&redis.Options{Addr: e.Addr(), Password: "loa"})
	defer guessed.Close()
	if err := guessed.Ping(ctx).Err(); err == nil {
		t.Fatal("a guessed password was accepted")
	}

	opt, err := redis.ParseURL(e.URL())
	if err != nil {
		t.Fatal(err)
	}
	if len(opt.Password) < 32 {
		t.Fatalf("password has %d characters, want a long random one", len(opt.Password))
	}
	owner := redis.NewClient(opt)
	defer owner.Close()
	if err := owner.Ping(ctx).Err(); err != nil {
		t.Fatalf("ping with the URL's password: %v", err)
	}

	other, err := worker.StartEmbeddedRedis()
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	otherOpt, _ := redis.ParseURL(other.URL())
	if otherOpt.Password == opt.Password {
		t.Fatal("two embedded servers share a password")
	}
}

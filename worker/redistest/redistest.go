// Package redistest gives tests a Redis: the one named by
// LOA_TEST_REDIS_URL (using a database number of the caller's choosing,
// flushed first, so packages running in parallel do not meet), or else a
// fresh in-process server.
package redistest

import (
	"context"
	"net/url"
	"os"
	"strconv"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/loa-vn/loa/worker"
)

// RedisURLEnv names the variable that points tests at a real Redis.
const RedisURLEnv = "LOA_TEST_REDIS_URL"

// URL returns a Redis URL for the test; db picks the database number on a
// real server and is ignored for the in-process one.
func URL(t testing.TB, db int) string {
	t.Helper()
	base := os.Getenv(RedisURLEnv)
	if base == "" {
		e, err := worker.StartEmbeddedRedis()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(e.Close)
		return e.URL()
	}
	opt, err := redis.ParseURL(base)
	if err != nil {
		t.Fatalf("parse %s: %v", RedisURLEnv, err)
	}
	opt.DB = db
	c := redis.NewClient(opt)
	defer c.Close()
	if err := c.FlushDB(context.Background()).Err(); err != nil {
		t.Fatalf("flush redis db %d: %v", db, err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", RedisURLEnv, err)
	}
	u.Path = "/" + strconv.Itoa(db)
	return u.String()
}

// Client returns a client on URL(t, db), closed when the test ends.
func Client(t testing.TB, db int) redis.UniversalClient {
	t.Helper()
	opt, err := redis.ParseURL(URL(t, db))
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	return c
}

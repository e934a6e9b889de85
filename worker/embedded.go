package worker

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
)

// EmbeddedRedis is the in-process Redis-compatible server used when no
// LOA_REDIS_URL is set. It keeps nothing across restarts; the reconciler
// rebuilds the queue from the database.
type EmbeddedRedis struct {
	mr       *miniredis.Miniredis
	password string
	stop     chan struct{}
	done     sync.WaitGroup
}

// StartEmbeddedRedis listens on a free loopback port and requires a random
// password: any local user or process (or a page tricking a browser) could
// otherwise reach the queue and read or forge delivery tasks.
func StartEmbeddedRedis() (*EmbeddedRedis, error) {
	secret := make([]byte, 24)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("worker: embedded redis password: %w", err)
	}
	mr := miniredis.NewMiniRedis()
	password := hex.EncodeToString(secret)
	mr.RequireAuth(password)
	if err := mr.StartAddr("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("worker: start embedded redis: %w", err)
	}
	e := &EmbeddedRedis{mr: mr, password: password, stop: make(chan struct{})}
	e.done.Add(1)
	go e.advanceTTLs()
	return e, nil
}

// advanceTTLs moves miniredis's key-expiry clock with the wall clock, which
// asynq's leases and heartbeats rely on (miniredis only expires keys when
// told time has passed).
func (e *EmbeddedRedis) advanceTTLs() {
	defer e.done.Done()
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	last := time.Now()
	for {
		select {
		case <-e.stop:
			return
		case now := <-ticker.C:
			e.mr.FastForward(now.Sub(last))
			last = now
		}
	}
}

// URL is the redis:// URL clients connect with; it holds the password, so
// it is never logged.
func (e *EmbeddedRedis) URL() string { return "redis://:" + e.password + "@" + e.mr.Addr() }

// Addr is the loopback address the server listens on.
func (e *EmbeddedRedis) Addr() string { return e.mr.Addr() }

// Close stops the server.
func (e *EmbeddedRedis) Close() {
	close(e.stop)
	e.done.Wait()
	e.mr.Close()
}

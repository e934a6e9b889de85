package worker

import (
	"fmt"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
)

// EmbeddedRedis is the in-process Redis-compatible server used when no
// LOA_REDIS_URL is set. It keeps nothing across restarts; the reconciler
// rebuilds the queue from the database.
type EmbeddedRedis struct {
	mr   *miniredis.Miniredis
	stop chan struct{}
	done sync.WaitGroup
}

// StartEmbeddedRedis listens on a free loopback port.
func StartEmbeddedRedis() (*EmbeddedRedis, error) {
	mr := miniredis.NewMiniRedis()
	if err := mr.StartAddr("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("worker: start embedded redis: %w", err)
	}
	e := &EmbeddedRedis{mr: mr, stop: make(chan struct{})}
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

// URL is the redis:// URL clients connect with.
func (e *EmbeddedRedis) URL() string { return "redis://" + e.mr.Addr() }

// Close stops the server.
func (e *EmbeddedRedis) Close() {
	close(e.stop)
	e.done.Wait()
	e.mr.Close()
}

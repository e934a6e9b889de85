package api

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newClock() *testClock { return &testClock{t: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)} }

func heapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// The old limiter wiped its whole map at 10,000 keys, after which a locked
// account accepted guesses again.
func TestLoginLimiterSurvivesKeyFlood(t *testing.T) {
	l := newTestLimiter(newClock().now, maxLoginBuckets)
	for range 10 {
		guess(l, "hoa", "203.0.113.1")
	}
	if guess(l, "hoa", "203.0.113.1") {
		t.Fatal("11th guess from one address allowed")
	}
	for i := range 20_000 {
		guess(l, fmt.Sprint("name-", i), fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
	}
	if guess(l, "hoa", "203.0.113.1") {
		t.Error("after 20,000 attempts on other names the locked pair accepts guesses again")
	}
}

// Memory is bounded by the bucket count, whatever the names' length or number.
func TestLoginLimiterMemoryIsBounded(t *testing.T) {
	l := newTestLimiter(newClock().now, maxLoginBuckets)
	before := heapAfterGC()
	const n = maxLoginBuckets // three buckets each: 3 × capacity keys
	pad := string(make([]byte, 190))
	for i := range n {
		guess(l, fmt.Sprintf("%s%09d", pad, i), fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
	}
	after := heapAfterGC()
	growth := int64(after) - int64(before)
	t.Logf("%d attempts with 200-byte names from %d addresses: %d buckets, heap in use %d → %d MiB (%+d MiB)",
		n, n, l.buckets.Len(), before>>20, after>>20, growth>>20)
	if l.buckets.Len() > maxLoginBuckets {
		t.Errorf("%d buckets, want at most %d", l.buckets.Len(), maxLoginBuckets)
	}
	if growth > 48<<20 {
		t.Errorf("heap grew by %d MiB, want < 48 MiB", growth>>20)
	}
}

// When the table is full only the least recently used bucket goes: a pair
// still under attack stays locked; one left alone is dropped (and would
// have refilled anyway).
func TestLoginLimiterEvictsOnlyLeastRecentlyUsed(t *testing.T) {
	l := newTestLimiter(newClock().now, 100)
	for range 10 {
		guess(l, "idle", "203.0.113.2")
		guess(l, "hoa", "203.0.113.1")
	}
	for i := range 1000 {
		guess(l, fmt.Sprint("name-", i), fmt.Sprintf("10.0.%d.%d", i>>8, i&255))
		if i%10 == 0 && guess(l, "hoa", "203.0.113.1") {
			t.Fatalf("after %d other attempts the pair under attack accepts guesses again", i)
		}
	}
	if l.buckets.Len() != 100 {
		t.Errorf("%d buckets, want 100", l.buckets.Len())
	}
	if !guess(l, "idle", "203.0.113.2") {
		t.Error("the idle pair's bucket was not the one dropped")
	}
}

// 30 concurrent wrong passwords used to be 30 guesses with a limit of 10.
func TestLoginLimiterCountsConcurrentAttempts(t *testing.T) {
	l := newTestLimiter(newClock().now, maxLoginBuckets)
	var allowed atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if guess(l, "hoa", "203.0.113.1") {
				allowed.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if allowed.Load() != 10 {
		t.Errorf("%d of 30 concurrent guesses allowed, want 10", allowed.Load())
	}
}

// An attacker at one or two addresses, guessing as fast as the tight limit
// lets them for two hours, never keeps the real user at a third one out.
func TestLoginLimiterPerNameIsLooseEnough(t *testing.T) {
	clock := newClock()
	l := newTestLimiter(clock.now, maxLoginBuckets)
	attackers := []string{"203.0.113.1", "203.0.113.2"}
	guesses := 0
	for s := range 2 * 3600 {
		for _, a := range attackers {
			if guess(l, "hoa", a) {
				guesses++
			}
		}
		if s%60 == 0 && !logIn(l, "hoa", "198.51.100.7") {
			t.Fatalf("after %d s and %d guesses the real user is locked out", s, guesses)
		}
		clock.advance(time.Second)
	}
	t.Logf("two addresses made %d guesses in two hours", guesses)
	if guesses > 20+2*2*120+2 {
		t.Errorf("%d guesses from two addresses in two hours, want at most 10 + 2 a minute each", guesses)
	}
}

func TestLoginLimiterRefillsAndSaysHowLongToWait(t *testing.T) {
	clock := newClock()
	l := newTestLimiter(clock.now, maxLoginBuckets)
	for range 9 {
		guess(l, "hoa", "203.0.113.1")
	}
	if !logIn(l, "hoa", "203.0.113.1") || !guess(l, "hoa", "203.0.113.1") {
		t.Fatal("a success must give its count back: the 10th failure should still be allowed")
	}
	_, wait, ok := l.take("hoa", "203.0.113.1")
	if ok || wait != 30*time.Second {
		t.Fatalf("locked take = %v, wait %v; want refused, 30s", ok, wait)
	}
	clock.advance(29 * time.Second)
	if guess(l, "hoa", "203.0.113.1") {
		t.Fatal("allowed before the refill")
	}
	clock.advance(time.Second)
	if !guess(l, "hoa", "203.0.113.1") {
		t.Fatal("refused after the refill")
	}
}

// IPv6 counts per /64: a subscriber cannot step through its own addresses.
func TestLoginLimiterGroupsIPv6By64(t *testing.T) {
	l := newTestLimiter(newClock().now, maxLoginBuckets)
	for i := range 10 {
		guess(l, "hoa", fmt.Sprintf("2001:db8:1:2::%x", i+1))
	}
	if guess(l, "hoa", "2001:db8:1:2:ffff::1") {
		t.Error("another address in the same /64 got an 11th guess")
	}
	if !guess(l, "hoa", "2001:db8:1:3::1") {
		t.Error("the next /64 is refused")
	}
	if addressGroup("::ffff:192.0.2.1") != "192.0.2.1" {
		t.Errorf("IPv4-mapped address grouped as %q", addressGroup("::ffff:192.0.2.1"))
	}
}

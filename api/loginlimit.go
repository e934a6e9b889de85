package api

import (
	"crypto/sha256"
	"net/netip"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// Log-in limits. Every attempt takes one token from three buckets at once,
// under one lock, BEFORE its password is checked: an attempt that finds any
// of them empty is refused with 429 without hashing, so N concurrent guesses
// get at most the limit checked. A successful log-in gives its tokens back,
// so in the end only failures (and attempts refused as busy) count.
//
//   - per (name, address): burst 10, then 1 per 30 s. A guesser at one
//     address gets 10 tries at a name, then 2 a minute.
//   - per name: burst 50, then 1 per 10 s (6 a minute). One address at its
//     tight rate uses 10 then 2 a minute, two addresses 20 then 4 a minute:
//     less than the refill, so they never drain it and the real user, who
//     comes from another address, still gets in. Draining it takes at least
//     four addresses guessing flat out; even then a name sees at most
//     50 + 8,640 guesses a day.
//   - per address, over all names: burst 30, then 1 per 10 s. Without it
//     one address could spray a common password over every name (10 tries
//     each). An office behind one NAT shares it; honest failures are rare
//     and successes give their token back.
//
// Addresses count per IPv4 address and per IPv6 /64 (one subscriber's
// network). Keys are 16 bytes of the SHA-256 of the normalised name and
// address, so a long name costs no more than a short one. Buckets live in
// an LRU of at most maxLoginBuckets entries (about 190 bytes each as
// measured, so at most ~19 MB): when it is full only the least recently
// used bucket is dropped. A bucket under attack is touched by every
// attempt and stays; a dropped bucket comes back full, which is what an
// idle one refills to anyway. The table is never wiped as a whole. Only
// attempts the limits let through add buckets, so churning the table takes
// many addresses; what it wins is the per-name and per-pair budgets again,
// which those addresses had anyway.
var loginLimits = [3]tokenRate{
	{burst: 10, every: 30 * time.Second}, // name + address
	{burst: 50, every: 10 * time.Second}, // name
	{burst: 30, every: 10 * time.Second}, // address
}

const maxLoginBuckets = 100_000

type tokenRate struct {
	burst float64
	every time.Duration
}

type limitKey [16]byte

type bucket struct {
	tokens float64
	at     time.Time
}

// loginLimiter holds the buckets of the limits above.
type loginLimiter struct {
	mu      sync.Mutex
	now     func() time.Time
	buckets *simplelru.LRU[limitKey, bucket]
}

func newLoginLimiter(now func() time.Time, capacity int) *loginLimiter {
	lru, err := simplelru.NewLRU[limitKey, bucket](capacity, nil)
	if err != nil {
		panic("api: login limiter capacity must be positive") // a programming error
	}
	return &loginLimiter{now: now, buckets: lru}
}

// loginAttempt is a counted attempt; give it back with succeeded.
type loginAttempt struct {
	keys [3]limitKey
}

// take counts an attempt for nameKey (storage.NameKey of the name) from
// addr. When a limit is spent it counts nothing and says how long to wait.
func (l *loginLimiter) take(nameKey, addr string) (loginAttempt, time.Duration, bool) {
	a := attemptKeys(nameKey, addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var got [3]bucket
	var wait time.Duration
	for i, k := range a.keys {
		got[i] = l.refilled(k, loginLimits[i], now)
		if got[i].tokens < 1 {
			wait = max(wait, time.Duration((1-got[i].tokens)*float64(loginLimits[i].every)))
		}
	}
	if wait > 0 {
		return a, wait, false
	}
	for i, k := range a.keys {
		got[i].tokens--
		l.buckets.Add(k, got[i])
	}
	return a, 0, true
}

// succeeded gives a successful attempt's tokens back.
func (l *loginLimiter) succeeded(a loginAttempt) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for i, k := range a.keys {
		if _, ok := l.buckets.Peek(k); !ok {
			continue // dropped, so already full
		}
		b := l.refilled(k, loginLimits[i], now)
		b.tokens = min(loginLimits[i].burst, b.tokens+1)
		l.buckets.Add(k, b)
	}
}

// refilled returns k's bucket as of now; a missing bucket is a full one.
func (l *loginLimiter) refilled(k limitKey, r tokenRate, now time.Time) bucket {
	b, ok := l.buckets.Get(k)
	if !ok {
		return bucket{tokens: r.burst, at: now}
	}
	if elapsed := now.Sub(b.at); elapsed > 0 {
		b.tokens = min(r.burst, b.tokens+float64(elapsed)/float64(r.every))
		b.at = now
	}
	return b
}

func attemptKeys(nameKey, addr string) loginAttempt {
	addr = addressGroup(addr)
	return loginAttempt{keys: [3]limitKey{
		hashKey("name+addr", nameKey, addr),
		hashKey("name", nameKey),
		hashKey("addr", addr),
	}}
}

func hashKey(kind string, parts ...string) limitKey {
	h := sha256.New()
	h.Write([]byte(kind))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	var k limitKey
	copy(k[:], h.Sum(nil))
	return k
}

// addressGroup is the unit an address is limited as: an IPv4 address, or
// the /64 of an IPv6 one (a subscriber gets a whole /64).
func addressGroup(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.WithZone("").Prefix(64)
		return p.String()
	}
	return ip.String()
}

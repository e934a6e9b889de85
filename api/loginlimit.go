package api

import (
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// loginLimiter slows password guessing: each user name and each client
// address may fail 10 times in a burst, then once every 30 s.
type loginLimiter struct {
	mu       sync.Mutex
	limiters map[string]*rate.Limiter
}

const (
	loginBurst      = 10
	loginRefill     = 30 * time.Second
	maxLoginEntries = 10000
)

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{limiters: map[string]*rate.Limiter{}}
}

// allow reports whether another attempt for name from addr may be checked.
func (l *loginLimiter) allow(name, addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.get("name:"+strings.ToLower(name)).Tokens() >= 1 && l.get("addr:"+addr).Tokens() >= 1
}

// failed spends one attempt of name and of addr.
func (l *loginLimiter) failed(name, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.get("name:" + strings.ToLower(name)).Allow()
	l.get("addr:" + addr).Allow()
}

func (l *loginLimiter) get(key string) *rate.Limiter {
	lim, ok := l.limiters[key]
	if !ok {
		if len(l.limiters) >= maxLoginEntries {
			l.limiters = map[string]*rate.Limiter{} // forget old entries rather than grow without bound
		}
		lim = rate.NewLimiter(rate.Every(loginRefill), loginBurst)
		l.limiters[key] = lim
	}
	return lim
}

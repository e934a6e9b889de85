package api

import "time"

// The limiter tests drive the limiter through these three functions only.

func newTestLimiter(now func() time.Time, capacity int) *loginLimiter {
	return newLoginLimiter(now, capacity)
}

// guess is a failed attempt: counted, if the limiter lets it be checked.
func guess(l *loginLimiter, nameKey, addr string) bool {
	_, _, ok := l.take(nameKey, addr)
	return ok
}

// logIn is a successful attempt: its count is given back.
func logIn(l *loginLimiter, nameKey, addr string) bool {
	a, _, ok := l.take(nameKey, addr)
	if ok {
		l.succeeded(a)
	}
	return ok
}

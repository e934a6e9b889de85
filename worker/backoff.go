package worker

import (
	"math/rand/v2"
	"time"
)

// RetryPolicy bounds how often and how soon a delivery is tried again.
type RetryPolicy struct {
	MaxAttempts int
	Base        time.Duration
	Max         time.Duration
}

// maxRetryAfter caps a platform's requested wait so a bogus header cannot
// park a delivery for months.
const maxRetryAfter = 24 * time.Hour

// Delay returns the wait before attempt n+1 after n failed attempts:
// exponential from Base, capped at Max, with equal jitter so that many
// deliveries failing together do not return together, and never shorter than
// the platform's Retry-After.
func (p RetryPolicy) Delay(n int, retryAfter time.Duration) time.Duration {
	d := p.Base
	for i := 1; i < n && d < p.Max; i++ {
		d *= 2
	}
	d = min(d, p.Max)
	half := d / 2
	if half > 0 {
		d = half + rand.N(half+1)
	}
	return max(d, min(retryAfter, maxRetryAfter))
}

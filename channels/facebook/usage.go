package facebook

import (
	"encoding/json"
	"net/http"
	"time"
)

// Graph's usage headers. Values are percentages of the allowed quota.
const (
	headerAppUsage      = "X-App-Usage"
	headerBusinessUsage = "X-Business-Use-Case-Usage"
	// fullUsage is the percentage at which Graph starts refusing calls.
	fullUsage = 100
	// maxRegainMinutes caps Graph's estimate so a garbled value cannot
	// pause publishing for years or overflow a Duration.
	maxRegainMinutes = 24 * 60
)

// usage is what the headers of one response say about throttling.
type usage struct {
	// exhausted is set when any reported percentage reached 100.
	exhausted bool
	// regain is Graph's estimated_time_to_regain_access, zero if none.
	regain time.Duration
}

// wait is how long to stop calling Graph: Graph's estimate if it gave one,
// def if a quota is used up without estimate, otherwise zero.
func (u usage) wait(def time.Duration) time.Duration {
	switch {
	case u.regain > 0:
		return u.regain
	case u.exhausted:
		return def
	}
	return 0
}

// parseUsage reads both usage headers. A malformed header is ignored:
// it must never turn a good answer into a failure.
func parseUsage(h http.Header) usage {
	var u usage
	if v := h.Get(headerAppUsage); v != "" {
		u.exhausted = appUsageExhausted(v)
	}
	if v := h.Get(headerBusinessUsage); v != "" {
		exhausted, regain := businessUsage(v)
		u.exhausted = u.exhausted || exhausted
		u.regain = regain
	}
	return u
}

// quota is one usage report; absent numbers decode as zero.
type quota struct {
	CallCount    float64 `json:"call_count"`
	TotalCPUTime float64 `json:"total_cputime"`
	TotalTime    float64 `json:"total_time"`
	// RegainMinutes only appears in X-Business-Use-Case-Usage.
	RegainMinutes float64 `json:"estimated_time_to_regain_access"`
}

func (q quota) exhausted() bool {
	return q.CallCount >= fullUsage || q.TotalCPUTime >= fullUsage || q.TotalTime >= fullUsage
}

// appUsageExhausted reads {"call_count":n,"total_cputime":n,"total_time":n}.
func appUsageExhausted(value string) bool {
	var q quota
	if err := json.Unmarshal([]byte(value), &q); err != nil {
		return false
	}
	return q.exhausted()
}

// businessUsage reads {"<id>":[{"type":"pages","call_count":…,
// "estimated_time_to_regain_access":<minutes>}, …], …}. Every entry counts:
// whichever business use case is throttled, calls for this Page fail.
func businessUsage(value string) (exhausted bool, regain time.Duration) {
	var byID map[string][]quota
	if err := json.Unmarshal([]byte(value), &byID); err != nil {
		return false, 0
	}
	var minutes float64
	for _, quotas := range byID {
		for _, q := range quotas {
			exhausted = exhausted || q.exhausted()
			minutes = max(minutes, q.RegainMinutes)
		}
	}
	if minutes <= 0 {
		return exhausted, 0
	}
	return exhausted, time.Duration(min(minutes, maxRegainMinutes) * float64(time.Minute))
}

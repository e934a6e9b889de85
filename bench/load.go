package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// load is the API clients that run during a burst: each in turn creates a
// post (due tomorrow, so it adds nothing to the burst) and lists the
// province's delivered deliveries.
type load struct {
	r           *rig
	clients     int
	postChannel int64
	agency      int64

	mu           sync.Mutex
	posts, lists []float64 // milliseconds
	postErrs     int
	listErrs     int
}

// start runs the clients from the due time until the returned stop.
func (l *load) start(ctx context.Context, due time.Time) (stop func()) {
	// Stopping lets each client finish the request it is in: a canceled
	// request would only add errors to the server's log.
	var stopped atomic.Bool
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: l.clients}}
	var wg sync.WaitGroup
	for range l.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wait := time.NewTimer(time.Until(due))
			defer wait.Stop()
			select {
			case <-ctx.Done():
				return
			case <-wait.C:
			}
			for ctx.Err() == nil && !stopped.Load() {
				l.record(&l.posts, &l.postErrs, l.createPost(ctx, client))
				l.record(&l.lists, &l.listErrs, l.listDeliveries(ctx, client))
			}
		}()
	}
	return func() {
		stopped.Store(true)
		wg.Wait()
		client.CloseIdleConnections()
	}
}

type timing struct {
	ms  float64
	err error
}

func (l *load) record(into *[]float64, errs *int, t timing) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case t.err == nil:
		*into = append(*into, t.ms)
	case !isCanceled(t.err):
		*errs++
	}
}

func isCanceled(err error) bool { return errors.Is(err, context.Canceled) }

func (l *load) createPost(ctx context.Context, c *http.Client) timing {
	body, _ := json.Marshal(map[string]any{"title": "Tin qua API", "body": "<p>Nội dung</p>",
		"channel_ids": []int64{l.postChannel}, "publish_at": time.Now().Add(24 * time.Hour).Format(time.RFC3339)})
	return l.do(ctx, c, http.MethodPost, "/api/v1/posts", body, http.StatusCreated)
}

func (l *load) listDeliveries(ctx context.Context, c *http.Client) timing {
	return l.do(ctx, c, http.MethodGet, fmt.Sprintf("/api/v1/deliveries?status=delivered&agency_id=%d&limit=50", l.agency),
		nil, http.StatusOK)
}

func (l *load) do(ctx context.Context, c *http.Client, method, path string, body []byte, want int) timing {
	req, err := http.NewRequestWithContext(ctx, method, l.r.apiURL+path, bytes.NewReader(body))
	if err != nil {
		return timing{err: err}
	}
	req.Header.Set("Authorization", "Bearer "+l.r.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return timing{err: err}
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	ms := float64(time.Since(start).Microseconds()) / 1000
	if err != nil {
		return timing{err: err}
	}
	if resp.StatusCode != want {
		return timing{err: fmt.Errorf("%s %s: status %d", method, path, resp.StatusCode)}
	}
	return timing{ms: ms}
}

// Latency is one endpoint's figures under load.
type Latency struct {
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	P50Ms    float64 `json:"p50_ms"`
	P99Ms    float64 `json:"p99_ms"`
}

func (l *load) results() (createPost, listDeliveries Latency) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return latency(l.posts, l.postErrs), latency(l.lists, l.listErrs)
}

func latency(ms []float64, errs int) Latency {
	s := slices.Clone(ms)
	slices.Sort(s)
	return Latency{Requests: len(s), Errors: errs, P50Ms: percentile(s, 0.5), P99Ms: percentile(s, 0.99)}
}

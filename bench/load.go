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
// post (due tomorrow, so it adds nothing to the burst) and lists
// deliveries, going round the list filters the UI uses.
type load struct {
	r           *rig
	clients     int
	postChannel int64
	filters     []listFilter

	mu       sync.Mutex
	posts    []float64 // milliseconds
	lists    [][]float64
	postErrs int
	listErrs []int
}

// listFilter is one query of GET /api/v1/deliveries the clients send.
type listFilter struct {
	Name  string
	Query string
}

func newLoad(r *rig, clients int, postChannel int64, filters []listFilter) *load {
	return &load{r: r, clients: clients, postChannel: postChannel, filters: filters,
		lists: make([][]float64, len(filters)), listErrs: make([]int, len(filters))}
}

// start runs the clients from the due time until the returned stop.
func (l *load) start(ctx context.Context, due time.Time) (stop func()) {
	// Stopping lets each client finish the request it is in: a canceled
	// request would only add errors to the server's log.
	var stopped atomic.Bool
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: l.clients}}
	var wg sync.WaitGroup
	for c := range l.clients {
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
			// Each client starts at another filter, so all are read from the start.
			for i := c; ctx.Err() == nil && !stopped.Load(); i++ {
				l.record(postRequest, l.createPost(ctx, client))
				f := i % len(l.filters)
				l.record(f, l.listDeliveries(ctx, client, l.filters[f]))
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
	ms   float64
	body []byte
	err  error
}

// postRequest is record's index for POST /api/v1/posts; a filter's own
// index is its list's.
const postRequest = -1

func (l *load) record(index int, t timing) {
	l.mu.Lock()
	defer l.mu.Unlock()
	into, errs := &l.posts, &l.postErrs
	if index != postRequest {
		into, errs = &l.lists[index], &l.listErrs[index]
	}
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
	return l.r.request(ctx, c, http.MethodPost, "/api/v1/posts", body, http.StatusCreated)
}

func (l *load) listDeliveries(ctx context.Context, c *http.Client, f listFilter) timing {
	return l.r.request(ctx, c, http.MethodGet, "/api/v1/deliveries?"+f.Query, nil, http.StatusOK)
}

// request sends one API request as the bench's admin and times it to the
// end of the response body; another status than want is an error.
func (r *rig) request(ctx context.Context, c *http.Client, method, path string, body []byte, want int) timing {
	req, err := http.NewRequestWithContext(ctx, method, r.apiURL+path, bytes.NewReader(body))
	if err != nil {
		return timing{err: err}
	}
	req.Header.Set("Authorization", "Bearer "+r.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return timing{err: err}
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	ms := float64(time.Since(start).Microseconds()) / 1000
	if err != nil {
		return timing{err: err}
	}
	if resp.StatusCode != want {
		return timing{err: fmt.Errorf("%s %s: status %d", method, path, resp.StatusCode)}
	}
	return timing{ms: ms, body: raw}
}

// Latency is one endpoint's figures under load.
type Latency struct {
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	P50Ms    float64 `json:"p50_ms"`
	P99Ms    float64 `json:"p99_ms"`
}

// FilterLatency is one list filter's figures under load.
type FilterLatency struct {
	Name  string `json:"name"`
	Query string `json:"query"`
	Latency
}

// results are the posts' figures, every list request's together, and
// each filter's.
func (l *load) results() (createPost, listDeliveries Latency, byFilter []FilterLatency) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var all []float64
	errs := 0
	for i, f := range l.filters {
		all = append(all, l.lists[i]...)
		errs += l.listErrs[i]
		byFilter = append(byFilter, FilterLatency{Name: f.Name, Query: f.Query, Latency: latency(l.lists[i], l.listErrs[i])})
	}
	return latency(l.posts, l.postErrs), latency(all, errs), byFilter
}

func latency(ms []float64, errs int) Latency {
	s := slices.Clone(ms)
	slices.Sort(s)
	return Latency{Requests: len(s), Errors: errs, P50Ms: percentile(s, 0.5), P99Ms: percentile(s, 0.99)}
}

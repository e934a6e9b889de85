package worker_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/loa-vn/loa/adapters"
	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/webhook"
	"github.com/loa-vn/loa/outbound"
	"github.com/loa-vn/loa/secrets"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
	"github.com/loa-vn/loa/worker"
	"github.com/loa-vn/loa/worker/redistest"
)

// loopback is what the tests put in LOA_ALLOW_PRIVATE_TARGETS.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// redisDB keeps this package's tests in their own database on a shared Redis.
const redisDB = 1

const secret = "webhook-secret-0123456789"

type harness struct {
	t        testing.TB
	store    *storage.Store
	box      *secrets.Box
	rdb      redis.UniversalClient
	queue    *worker.Queue
	registry *channels.Registry
	// guard is LOA_ALLOW_PRIVATE_TARGETS's guard: loopback, where the test
	// sinks listen, is allowed unless a test sets another one.
	guard  *outbound.Guard
	policy worker.RetryPolicy
	lease  time.Duration
}

func newHarness(t testing.TB, extra ...channels.Kind) *harness {
	t.Helper()
	box, err := secrets.NewBox([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := channels.NewRegistry(append([]channels.Kind{webhook.Kind()}, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redistest.Client(t, redisDB)
	return &harness{t: t, store: storagetest.Open(t), box: box, rdb: rdb,
		queue:    worker.NewQueue(rdb, worker.TaskOptions{MaxRetry: 30, Timeout: 5 * time.Second}),
		registry: reg,
		guard:    outbound.New(outbound.Options{AllowPrivate: loopback}),
		policy:   worker.RetryPolicy{MaxAttempts: 3, Base: 200 * time.Millisecond, Max: time.Second},
		lease:    10 * time.Second,
	}
}

func (h *harness) deliverer() *worker.Deliverer {
	return worker.NewDeliverer(worker.DelivererOptions{
		Store: h.store, Policy: h.policy, Lease: h.lease,
		Channels: adapters.NewChannelSet(h.registry, h.box,
			channels.Env{HTTPClient: h.guard.Client(2 * time.Second), PublicBaseURL: "http://loa.test"}),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
}

func (h *harness) startServer() {
	h.t.Helper()
	srv := worker.NewServer(h.rdb, h.deliverer(), worker.ServerOptions{
		Concurrency: 4, ShutdownTimeout: 2 * time.Second, PollInterval: 100 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err := srv.Start(); err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(srv.Shutdown)
}

func (h *harness) channel(kind string, config any) storage.Channel {
	h.t.Helper()
	raw, _ := json.Marshal(config)
	sealed, err := h.box.Seal(raw)
	if err != nil {
		h.t.Fatal(err)
	}
	ch := storage.Channel{Name: fmt.Sprintf("%s-%d", kind, time.Now().UnixNano()), Kind: kind, ConfigSealed: sealed}
	if err := h.store.CreateChannel(context.Background(), &ch, "test"); err != nil {
		h.t.Fatal(err)
	}
	return ch
}

func (h *harness) post(at time.Time, chIDs ...int64) []storage.Delivery {
	h.t.Helper()
	p := storage.Post{Title: "Thông báo công khai TTHC", Summary: "Tóm tắt", Body: "<p>Nội dung</p>", Audience: "all", PublishAt: at}
	ds, err := h.store.CreatePost(context.Background(), &p, chIDs, nil, "test")
	if err != nil {
		h.t.Fatal(err)
	}
	for _, d := range ds {
		if err := h.queue.Schedule(context.Background(), d.ID, d.NextAttemptAt); err != nil {
			h.t.Fatal(err)
		}
	}
	return ds
}

// waitStatus polls the database until the delivery reaches want.
func (h *harness) waitStatus(id int64, want string, within time.Duration) (storage.Delivery, []storage.Attempt) {
	h.t.Helper()
	deadline := time.Now().Add(within)
	for {
		d, as, err := h.store.GetDelivery(context.Background(), id)
		if err != nil {
			h.t.Fatal(err)
		}
		if d.Status == want {
			return d, as
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("delivery %d is %q after %s, want %q (last error %q, attempts %+v)", id, d.Status, within, want, d.LastError, as)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sink is a webhook receiver that verifies signatures and answers from a script.
type sink struct {
	mu       sync.Mutex
	bodies   [][]byte
	keys     []string
	badSigs  int
	statuses []int // answers in order; the last repeats
	srv      *httptest.Server
}

func newSink(t *testing.T, statuses ...int) *sink {
	s := &sink{statuses: statuses}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		n := len(s.bodies)
		s.bodies = append(s.bodies, body)
		s.keys = append(s.keys, r.Header.Get("Idempotency-Key"))
		if err := webhook.Verify(secret, r.Header, body, time.Now(), time.Minute); err != nil {
			s.badSigs++
		}
		status := s.statuses[min(n, len(s.statuses)-1)]
		s.mu.Unlock()
		if status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "0")
		}
		w.WriteHeader(status)
		if status < 300 {
			fmt.Fprintf(w, `{"id":"cms-%d","url":"https://cms.example/p/%d"}`, n, n)
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *sink) count() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.bodies) }

func TestDeliversToWebhookOnceWithValidSignature(t *testing.T) {
	h := newHarness(t)
	s := newSink(t, http.StatusCreated)
	ch := h.channel("webhook", map[string]string{"url": s.srv.URL, "secret": secret})
	h.startServer()
	ds := h.post(time.Now().Add(time.Second), ch.ID)

	d, attempts := h.waitStatus(ds[0].ID, storage.DeliveryDelivered, 15*time.Second)
	if d.ExternalID != "cms-0" || d.ExternalURL != "https://cms.example/p/0" {
		t.Errorf("external = %q %q", d.ExternalID, d.ExternalURL)
	}
	if len(attempts) != 1 || attempts[0].HTTPStatus != 201 {
		t.Errorf("attempts = %+v", attempts)
	}
	time.Sleep(300 * time.Millisecond)
	if s.count() != 1 || s.badSigs != 0 {
		t.Fatalf("sink got %d requests, %d with bad signatures; want 1 valid", s.count(), s.badSigs)
	}
	if d.DeliveredAt.Before(ds[0].ScheduledAt.Add(-time.Second)) {
		t.Errorf("delivered at %s, before its time %s", d.DeliveredAt, ds[0].ScheduledAt)
	}
}

func TestRetryableFailureIsRetriedWithTheSameKey(t *testing.T) {
	h := newHarness(t)
	s := newSink(t, http.StatusServiceUnavailable, http.StatusOK)
	ch := h.channel("webhook", map[string]string{"url": s.srv.URL, "secret": secret})
	h.startServer()
	ds := h.post(time.Now(), ch.ID)

	d, attempts := h.waitStatus(ds[0].ID, storage.DeliveryDelivered, 15*time.Second)
	if d.Attempts != 2 || len(attempts) != 2 || attempts[0].Outcome != storage.OutcomeRetry || attempts[0].HTTPStatus != 503 {
		t.Fatalf("attempts = %d %+v", d.Attempts, attempts)
	}
	if s.keys[0] != s.keys[1] || s.keys[0] == "" {
		t.Fatalf("idempotency keys differ across retries: %q", s.keys)
	}
}

func TestFailureClasses(t *testing.T) {
	tests := []struct {
		name       string
		statuses   []int
		wantStatus string
		wantCalls  int
		wantErr    string
	}{
		{"permanent 400 fails at once", []int{400}, storage.DeliveryFailed, 1, "HTTP 400"},
		{"retryable 503 gives up after the limit", []int{503}, storage.DeliveryFailed, 3, "gave up after 3 attempts"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			s := newSink(t, tc.statuses...)
			ch := h.channel("webhook", map[string]string{"url": s.srv.URL, "secret": secret})
			h.startServer()
			ds := h.post(time.Now(), ch.ID)
			d, _ := h.waitStatus(ds[0].ID, tc.wantStatus, 20*time.Second)
			if s.count() != tc.wantCalls || !strings.Contains(d.LastError, tc.wantErr) {
				t.Fatalf("calls = %d, last error %q; want %d calls and %q", s.count(), d.LastError, tc.wantCalls, tc.wantErr)
			}
			p, _, _ := h.store.GetPost(context.Background(), d.PostID)
			if p.Status != storage.PostFailed {
				t.Fatalf("post status = %s, want failed", p.Status)
			}
		})
	}
}

// A webhook whose address the outbound guard refuses fails at once, with
// the reason and the way to allow it, instead of being retried to the limit.
func TestBlockedAddressFailsDeliveryPermanently(t *testing.T) {
	h := newHarness(t)
	h.guard = outbound.New(outbound.Options{}) // LOA_ALLOW_PRIVATE_TARGETS unset
	s := newSink(t, http.StatusOK)
	ch := h.channel("webhook", map[string]string{"url": s.srv.URL, "secret": secret})
	h.startServer()
	ds := h.post(time.Now(), ch.ID)

	d, attempts := h.waitStatus(ds[0].ID, storage.DeliveryFailed, 15*time.Second)
	want := "refused to connect to 127.0.0.1 (loopback address); set LOA_ALLOW_PRIVATE_TARGETS to allow it"
	if d.Attempts != 1 || len(attempts) != 1 || !strings.Contains(d.LastError, want) {
		t.Fatalf("attempts = %d %+v, last error %q; want 1 attempt failing with %q", d.Attempts, attempts, d.LastError, want)
	}
	if s.count() != 0 {
		t.Fatalf("the sink on loopback got %d requests", s.count())
	}
}

// fakeKind is a channel kind whose behaviour the test scripts.
type fakeKind struct {
	publishes atomic.Int32
	finds     atomic.Int32
	publish   func(n int32) error
	find      func() (bool, error) // nil: the channel cannot look up
}

func (f *fakeKind) kind(name string) channels.Kind {
	return channels.Kind{
		Name:     name,
		Validate: func(c json.RawMessage) (json.RawMessage, error) { return c, nil },
		New: func(json.RawMessage, channels.Env) (channels.Channel, error) {
			if f.find != nil {
				return &findingChannel{fakeChannel{f}}, nil
			}
			return &fakeChannel{f}, nil
		},
	}
}

type fakeChannel struct{ f *fakeKind }

func (c *fakeChannel) Kind() string { return "fake" }
func (c *fakeChannel) Close() error { return nil }
func (c *fakeChannel) Publish(ctx context.Context, m channels.Message) (channels.Receipt, error) {
	n := c.f.publishes.Add(1)
	if err := c.f.publish(n); err != nil {
		return channels.Receipt{}, err
	}
	return channels.Receipt{ExternalID: fmt.Sprint("ext-", n)}, nil
}

type findingChannel struct{ fakeChannel }

func (c *findingChannel) Find(ctx context.Context, m channels.Message) (channels.Receipt, bool, error) {
	c.f.finds.Add(1)
	found, err := c.f.find()
	return channels.Receipt{ExternalID: "found-earlier"}, found, err
}

func TestAmbiguousFailures(t *testing.T) {
	timeout := channels.Ambiguous(errors.New("timeout after sending"))
	tests := []struct {
		name          string
		fake          *fakeKind
		wantStatus    string
		wantPublishes int32
		wantExternal  string
	}{
		{"channel that cannot check ends unconfirmed without re-posting",
			&fakeKind{publish: func(int32) error { return timeout }},
			storage.DeliveryUnconfirmed, 1, ""},
		{"channel that finds the earlier post is delivered without re-posting",
			&fakeKind{publish: func(int32) error { return timeout }, find: func() (bool, error) { return true, nil }},
			storage.DeliveryDelivered, 1, "found-earlier"},
		{"channel that finds nothing posts again",
			&fakeKind{publish: func(n int32) error {
				if n == 1 {
					return timeout
				}
				return nil
			}, find: func() (bool, error) { return false, nil }},
			storage.DeliveryDelivered, 2, "ext-2"},
		{"unclassified errors count as ambiguous",
			&fakeKind{publish: func(int32) error { return errors.New("connection reset") }},
			storage.DeliveryUnconfirmed, 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.fake.kind("fake"))
			ch := h.channel("fake", map[string]string{})
			h.startServer()
			ds := h.post(time.Now(), ch.ID)
			d, _ := h.waitStatus(ds[0].ID, tc.wantStatus, 15*time.Second)
			time.Sleep(300 * time.Millisecond)
			if got := tc.fake.publishes.Load(); got != tc.wantPublishes {
				t.Fatalf("publishes = %d, want %d", got, tc.wantPublishes)
			}
			if d.ExternalID != tc.wantExternal {
				t.Fatalf("external id = %q, want %q", d.ExternalID, tc.wantExternal)
			}
		})
	}
}

func TestNeedsReauthFlagsChannel(t *testing.T) {
	fake := &fakeKind{publish: func(int32) error {
		e := channels.Permanent(errors.New("token revoked"))
		e.NeedsReauth = true
		return e
	}}
	h := newHarness(t, fake.kind("fake"))
	ch := h.channel("fake", map[string]string{})
	h.startServer()
	ds := h.post(time.Now(), ch.ID, ch.ID)
	h.waitStatus(ds[0].ID, storage.DeliveryFailed, 15*time.Second)
	h.waitStatus(ds[1].ID, storage.DeliveryFailed, 15*time.Second)
	got, _ := h.store.GetChannel(context.Background(), ch.ID)
	if got.Status != storage.ChannelNeedsReauth || !strings.Contains(got.StatusReason, "token revoked") {
		t.Fatalf("channel = %s %q", got.Status, got.StatusReason)
	}
}

func TestInterruptedAttempt(t *testing.T) {
	tests := []struct {
		name          string
		idempotent    bool
		wantStatus    string
		wantPublishes int
	}{
		{"idempotent channel sends again with the same key", true, storage.DeliveryDelivered, 1},
		{"channel that cannot check is unconfirmed", false, storage.DeliveryUnconfirmed, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.lease = time.Second
			s := newSink(t, http.StatusOK)
			fake := &fakeKind{publish: func(int32) error { return nil }}
			var ch storage.Channel
			if tc.idempotent {
				ch = h.channel("webhook", map[string]string{"url": s.srv.URL, "secret": secret})
			} else {
				h = newHarness(t, fake.kind("fake"))
				h.lease = time.Second
				ch = h.channel("fake", map[string]string{})
			}
			ds := h.post(time.Now(), ch.ID)
			// A worker claims the delivery and dies before recording anything.
			if _, err := h.store.ClaimDelivery(context.Background(), ds[0].ID, "dead-worker", time.Second); err != nil {
				t.Fatal(err)
			}
			h.startServer()
			d, attempts := h.waitStatus(ds[0].ID, tc.wantStatus, 15*time.Second)
			if attempts[0].Outcome != storage.OutcomeInterrupted {
				t.Fatalf("first attempt = %+v, want interrupted", attempts[0])
			}
			got := s.count() + int(fake.publishes.Load())
			if got != tc.wantPublishes {
				t.Fatalf("publishes = %d, want %d (delivery %+v)", got, tc.wantPublishes, d)
			}
		})
	}
}

func TestReconcilerRestoresTasksAfterFlush(t *testing.T) {
	h := newHarness(t)
	s := newSink(t, http.StatusOK)
	ch := h.channel("webhook", map[string]string{"url": s.srv.URL, "secret": secret})
	ds := h.post(time.Now().Add(2*time.Second), ch.ID, h.channel("webhook", map[string]string{"url": s.srv.URL, "secret": secret}).ID)
	if err := h.rdb.FlushDB(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	rec := worker.NewReconciler(h.store, h.queue, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	stats, err := rec.ReconcileOnce(context.Background())
	if err != nil || stats.Checked != 2 || stats.Restored != 2 {
		t.Fatalf("reconcile = %+v, %v; want 2 restored", stats, err)
	}
	again, _ := rec.ReconcileOnce(context.Background())
	if again.Restored != 0 {
		t.Fatalf("second pass restored %d; want 0", again.Restored)
	}
	h.startServer()
	for _, d := range ds {
		h.waitStatus(d.ID, storage.DeliveryDelivered, 15*time.Second)
	}
	time.Sleep(300 * time.Millisecond)
	if s.count() != 2 {
		t.Fatalf("sink got %d requests, want 2", s.count())
	}
}

func TestCanceledDeliveryIsNotSent(t *testing.T) {
	h := newHarness(t)
	s := newSink(t, http.StatusOK)
	ch := h.channel("webhook", map[string]string{"url": s.srv.URL, "secret": secret})
	ds := h.post(time.Now().Add(time.Second), ch.ID)
	if _, err := h.store.CancelPost(context.Background(), ds[0].PostID, "test"); err != nil {
		t.Fatal(err)
	}
	// The task is still queued (as if Unschedule failed); the handler must drop it.
	h.startServer()
	time.Sleep(2500 * time.Millisecond)
	if s.count() != 0 {
		t.Fatalf("canceled delivery was sent %d times", s.count())
	}
}

func TestRetryPolicyDelay(t *testing.T) {
	p := worker.RetryPolicy{MaxAttempts: 8, Base: 10 * time.Second, Max: time.Minute}
	tests := []struct {
		n          int
		retryAfter time.Duration
		lo, hi     time.Duration
	}{
		{1, 0, 5 * time.Second, 10 * time.Second},
		{2, 0, 10 * time.Second, 20 * time.Second},
		{3, 0, 20 * time.Second, 40 * time.Second},
		{10, 0, 30 * time.Second, time.Minute},
		{1, 5 * time.Minute, 5 * time.Minute, 5 * time.Minute},
		{1, 1000 * time.Hour, 24 * time.Hour, 24 * time.Hour},
	}
	for _, tc := range tests {
		for i := 0; i < 50; i++ {
			if d := p.Delay(tc.n, tc.retryAfter); d < tc.lo || d > tc.hi {
				t.Fatalf("Delay(%d, %s) = %s, want within [%s, %s]", tc.n, tc.retryAfter, d, tc.lo, tc.hi)
			}
		}
	}
}

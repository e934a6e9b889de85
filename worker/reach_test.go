package worker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loa-vn/loa/adapters"
	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/facebook"
	"github.com/loa-vn/loa/channels/webhook"
	"github.com/loa-vn/loa/channels/wordpress"
	"github.com/loa-vn/loa/channels/zalo"
	"github.com/loa-vn/loa/outbound"
	"github.com/loa-vn/loa/secrets"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
	"github.com/loa-vn/loa/worker"
)

// The adapters whose platforms report reach implement the reader.
var (
	_ worker.ReachReader = (*facebook.Facebook)(nil)
	_ worker.ReachReader = (*zalo.Zalo)(nil)
	_ worker.ReachReader = (*wordpress.WordPress)(nil)
)

const (
	fbToken   = "EAAGreachTokenZZ"
	zaloToken = "zaloAccessTokenZZ"
)

// settable is the store's clock in these tests.
type settable struct {
	mu sync.Mutex
	t  time.Time
}

func (c *settable) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *settable) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fakeReach plays Graph's GET /{version}/{post-id}/insights and Zalo's
// GET /v2.0/article/getdetail as channels.md and the platforms document
// them, counting reads per item and reads in flight.
type fakeReach struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	values   map[string]int    // reach or views by platform id
	modes    map[string]string // "perm", "500", "stall", "hold" by platform id
	reads    map[string]int
	inFlight int
	maxIn    int
	entered  chan string
	release  chan struct{}
}

func newFakeReach(t *testing.T) *fakeReach {
	f := &fakeReach{t: t, values: map[string]int{}, modes: map[string]string{}, reads: map[string]int{},
		entered: make(chan string, 100), release: make(chan struct{})}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeReach) set(id string, value int, mode string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.values[id], f.modes[id] = value, mode
}

func (f *fakeReach) readsOf(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reads[id]
}

func (f *fakeReach) serve(w http.ResponseWriter, r *http.Request) {
	var id string
	zaloCall := r.URL.Path == "/v2.0/article/getdetail"
	switch {
	case zaloCall:
		id = r.URL.Query().Get("id")
		if r.Header.Get("access_token") != zaloToken {
			f.t.Errorf("zalo: access_token header = %q", r.Header.Get("access_token"))
		}
	case strings.HasPrefix(r.URL.Path, "/v25.0/") && strings.HasSuffix(r.URL.Path, "/insights"):
		id = strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v25.0/"), "/insights")
		if r.URL.Query().Get("access_token") != fbToken || r.URL.Query().Get("metric") != "post_impressions_unique" {
			f.t.Errorf("graph: query = %v", r.URL.Query())
		}
	default:
		f.t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	f.reads[id]++
	f.inFlight++
	f.maxIn = max(f.maxIn, f.inFlight)
	value, mode := f.values[id], f.modes[id]
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.inFlight--; f.mu.Unlock() }()
	f.entered <- id
	w.Header().Set("Content-Type", "application/json")
	switch mode {
	case "hold":
		select {
		case <-f.release:
		case <-r.Context().Done():
		}
	case "stall":
		<-r.Context().Done()
		return
	case "500":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, "<h1>Internal Server Error</h1>")
		return
	case "perm":
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"error":{"message":"(#10) Requires read_insights permission","type":"OAuthException","code":10,"fbtrace_id":"Trace"}}`)
		return
	}
	if zaloCall {
		fmt.Fprintf(w, `{"error":0,"message":"Success","data":{"id":%q,"type":"normal","title":"Tin","total_view":%d,"total_share":1}}`, id, value)
		return
	}
	fmt.Fprintf(w, `{"data":[{"name":"post_impressions_unique","period":"lifetime","values":[{"value":%d}],"id":"%s/insights/post_impressions_unique/lifetime"}]}`, value, id)
}

type reachHarness struct {
	t     *testing.T
	clock *settable
	store *storage.Store
	box   *secrets.Box
	set   *adapters.ChannelSet
	fake  *fakeReach
}

func newReachHarness(t *testing.T) *reachHarness {
	t.Helper()
	clk := &settable{t: time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)}
	st := storagetest.OpenWithClock(t, clk.now)
	box, err := secrets.NewBox([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := channels.NewRegistry(webhook.Kind(), facebook.Kind(), zalo.Kind(worker.NewConfigStore(st, box)))
	if err != nil {
		t.Fatal(err)
	}
	guard := outbound.New(outbound.Options{AllowPrivate: loopback})
	set := adapters.NewChannelSet(reg, box, channels.Env{HTTPClient: guard.Client(5 * time.Second), Now: clk.now})
	t.Cleanup(set.Close)
	return &reachHarness{t: t, clock: clk, store: st, box: box, set: set, fake: newFakeReach(t)}
}

func (h *reachHarness) channel(kind string, config map[string]any) storage.Channel {
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

func (h *reachHarness) facebook() storage.Channel {
	return h.channel("facebook_page", map[string]any{"page_id": "104857600123456", "page_token": fbToken, "api_base_url": h.fake.srv.URL})
}

func (h *reachHarness) zalo() storage.Channel {
	return h.channel("zalo_oa", map[string]any{"app_id": "4321987654", "secret_key": "appkeySECRET", "refresh_token": "refreshSECRET",
		"access_token": zaloToken, "access_token_expires_at": h.clock.now().Add(365 * 24 * time.Hour).Format(time.RFC3339),
		"default_cover_url": "https://cdn.example.gov.vn/cover.jpg", "api_base_url": h.fake.srv.URL, "oauth_base_url": h.fake.srv.URL})
}

// delivered makes a post to chs, delivered now with the platform id
// external(delivery id) on each, and returns the deliveries.
func (h *reachHarness) delivered(external func(int64) string, chs ...storage.Channel) []storage.Delivery {
	h.t.Helper()
	ctx := context.Background()
	var ids []int64
	for _, ch := range chs {
		ids = append(ids, ch.ID)
	}
	p := storage.Post{Title: "Thông báo lịch tiếp công dân", Body: "<p>x</p>", Audience: "all", PublishAt: h.clock.now()}
	ds, err := h.store.CreatePost(ctx, &p, ids, nil, "test")
	if err != nil {
		h.t.Fatal(err)
	}
	for i, d := range ds {
		c, err := h.store.ClaimDelivery(ctx, d.ID, "w", time.Minute)
		if err != nil {
			h.t.Fatal(err)
		}
		ds[i].ExternalID = external(d.ID)
		if err := h.store.FinishAttempt(ctx, c, storage.Result{Status: storage.DeliveryDelivered, Outcome: storage.OutcomeDelivered,
			ExternalID: ds[i].ExternalID}); err != nil {
			h.t.Fatal(err)
		}
	}
	return ds
}

func fbID(id int64) string   { return fmt.Sprintf("104857600123456_%d", 900000+id) }
func zaloID(id int64) string { return fmt.Sprintf("art%d", id) }

func (h *reachHarness) collector(edit func(*worker.ReachOptions)) *worker.ReachCollector {
	o := worker.ReachOptions{Store: h.store, Channels: h.set, Kinds: []string{facebook.KindName, zalo.KindName},
		Timeout: 2 * time.Second, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if edit != nil {
		edit(&o)
	}
	return worker.NewReachCollector(o)
}

func (h *reachHarness) runOnce(c *worker.ReachCollector) int {
	h.t.Helper()
	n, err := c.RunOnce(context.Background())
	if err != nil {
		h.t.Fatalf("RunOnce: %v", err)
	}
	return n
}

func (h *reachHarness) reach(id int64) (storage.DeliveryReach, bool) {
	h.t.Helper()
	got, err := h.store.ReachByDelivery(context.Background(), []int64{id})
	if err != nil {
		h.t.Fatal(err)
	}
	r, ok := got[id]
	return r, ok
}

// TestReachCollectorStoresReachWithItsReadTime: Facebook's reach and
// Zalo's views are stored with the time they were read, an hour after
// delivery and not before; a webhook delivery is never read.
func TestReachCollectorStoresReachWithItsReadTime(t *testing.T) {
	h := newReachHarness(t)
	fb := h.delivered(fbID, h.facebook())[0]
	za := h.delivered(zaloID, h.zalo())[0]
	hook := h.delivered(func(int64) string { return "hook-1" }, h.channel("webhook", map[string]any{"url": "https://example.gov.vn/hook", "secret": "0123456789abcdef0123"}))[0]
	h.fake.set(fbID(fb.ID), 1234, "")
	h.fake.set(zaloID(za.ID), 56, "")
	c := h.collector(nil)

	h.clock.add(59 * time.Minute)
	if n := h.runOnce(c); n != 0 {
		t.Fatalf("read %d before the first slot", n)
	}
	h.clock.add(time.Minute)
	readAt := h.clock.now()
	if n := h.runOnce(c); n != 2 {
		t.Fatalf("read %d at the first slot, want 2", n)
	}
	for id, want := range map[int64]struct {
		metric string
		value  int64
	}{fb.ID: {channels.MetricReach, 1234}, za.ID: {channels.MetricViews, 56}} {
		r, _ := h.reach(id)
		v, ok := r.Metrics[want.metric]
		if !ok || v.Value != want.value || !v.ReadAt.Equal(readAt) || r.Unavailable != "" || r.LastError != "" {
			t.Errorf("delivery %d reach = %+v, want %s %d read at %s", id, r, want.metric, want.value, readAt)
		}
	}
	if r, ok := h.reach(hook.ID); ok {
		t.Errorf("webhook delivery has reach %+v", r)
	}
	h.clock.add(10 * time.Minute)
	if n := h.runOnce(c); n != 0 || h.fake.readsOf(fbID(fb.ID)) != 1 {
		t.Errorf("next round read %d (graph reads %d); nothing is due before the 1-day slot", n, h.fake.readsOf(fbID(fb.ID)))
	}
}

// TestReachCollectorPermissionIsAbsentAndWaits: without the insights
// permission, reach stays absent (not 0) with the reason kept, and the
// next rounds do not ask again until the next slot.
func TestReachCollectorPermissionIsAbsentAndWaits(t *testing.T) {
	h := newReachHarness(t)
	d := h.delivered(fbID, h.facebook())[0]
	h.fake.set(fbID(d.ID), 0, "perm")
	c := h.collector(nil)
	h.clock.add(time.Hour)
	h.runOnce(c)
	r, ok := h.reach(d.ID)
	if !ok || r.Metrics != nil || !strings.Contains(r.Unavailable, "may not read insights") || r.CheckedAt == nil {
		t.Fatalf("reach = %+v, want absent with the permission reason", r)
	}
	for range 6 {
		h.clock.add(10 * time.Minute)
		h.runOnce(c)
	}
	if n := h.fake.readsOf(fbID(d.ID)); n != 1 {
		t.Errorf("Graph asked %d times within the hour after the refusal, want 1", n)
	}
	h.fake.set(fbID(d.ID), 77, "")
	h.clock.add(23 * time.Hour)
	h.runOnce(c)
	if r, _ := h.reach(d.ID); r.Metrics[channels.MetricReach].Value != 77 || r.Unavailable != "" {
		t.Errorf("after the permission was granted, reach = %+v, want 77 and no reason", r)
	}
}

// TestReachCollectorPlatformErrorRetriesAtTheNextSlot: a 500 leaves reach
// absent with the error noted, and is asked again at the next slot only.
func TestReachCollectorPlatformErrorRetriesAtTheNextSlot(t *testing.T) {
	h := newReachHarness(t)
	d := h.delivered(fbID, h.facebook())[0]
	h.fake.set(fbID(d.ID), 0, "500")
	c := h.collector(nil)
	h.clock.add(time.Hour)
	h.runOnce(c)
	r, ok := h.reach(d.ID)
	if !ok || r.Metrics != nil || !strings.Contains(r.LastError, "HTTP 500") {
		t.Fatalf("reach = %+v, want absent with the HTTP 500 noted", r)
	}
	h.clock.add(10 * time.Minute)
	h.runOnce(c)
	if n := h.fake.readsOf(fbID(d.ID)); n != 1 {
		t.Fatalf("Graph asked %d times before the next slot, want 1", n)
	}
	h.fake.set(fbID(d.ID), 9, "")
	h.clock.add(24 * time.Hour)
	h.runOnce(c)
	if r, _ := h.reach(d.ID); r.Metrics[channels.MetricReach].Value != 9 || r.LastError != "" || h.fake.readsOf(fbID(d.ID)) != 2 {
		t.Errorf("at the next slot reach = %+v (reads %d), want 9 from a second read", r, h.fake.readsOf(fbID(d.ID)))
	}
}

// TestReachCollectorsNeverReadTwiceInASlot: two collectors running their
// rounds at once read each delivery once.
func TestReachCollectorsNeverReadTwiceInASlot(t *testing.T) {
	h := newReachHarness(t)
	var chs []storage.Channel
	for range 20 {
		chs = append(chs, h.facebook())
	}
	ds := h.delivered(fbID, chs...)
	for _, d := range ds {
		h.fake.set(fbID(d.ID), int(d.ID), "")
	}
	h.clock.add(time.Hour)
	a, b := h.collector(nil), h.collector(nil)
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i, c := range []*worker.ReachCollector{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := c.RunOnce(context.Background())
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		}()
	}
	wg.Wait()
	for _, d := range ds {
		if n := h.fake.readsOf(fbID(d.ID)); n != 1 {
			t.Errorf("delivery %d read %d times", d.ID, n)
		}
	}
	// What the race left over is read by the next round, still once each.
	rest := h.runOnce(a)
	if counts[0]+counts[1]+rest != 20 {
		t.Errorf("recorded %d + %d + %d, want 20", counts[0], counts[1], rest)
	}
}

// TestReachCollectorCaps: a round claims at most Batch reads, runs at most
// Concurrency at once, and gives up on a read after Timeout, leaving reach
// absent.
func TestReachCollectorCaps(t *testing.T) {
	t.Run("batch", func(t *testing.T) {
		h := newReachHarness(t)
		var chs []storage.Channel
		for range 7 {
			chs = append(chs, h.facebook())
		}
		h.delivered(fbID, chs...)
		h.clock.add(time.Hour)
		c := h.collector(func(o *worker.ReachOptions) { o.Batch = 3 })
		if n := h.runOnce(c); n != 3 {
			t.Errorf("first round read %d, want the batch of 3", n)
		}
		if n := h.runOnce(c) + h.runOnce(c); n != 4 {
			t.Errorf("next rounds read %d, want the 4 left", n)
		}
	})
	t.Run("concurrency", func(t *testing.T) {
		h := newReachHarness(t)
		var chs []storage.Channel
		for range 5 {
			chs = append(chs, h.facebook())
		}
		for _, d := range h.delivered(fbID, chs...) {
			h.fake.set(fbID(d.ID), 1, "hold")
		}
		h.clock.add(time.Hour)
		c := h.collector(func(o *worker.ReachOptions) { o.Concurrency = 2 })
		done := make(chan int)
		go func() { n, _ := c.RunOnce(context.Background()); done <- n }()
		<-h.fake.entered
		<-h.fake.entered
		select {
		case id := <-h.fake.entered:
			t.Errorf("a third read (%s) started while two were in flight", id)
		case <-time.After(200 * time.Millisecond):
		}
		close(h.fake.release)
		if n := <-done; n != 5 {
			t.Errorf("round read %d, want 5", n)
		}
		h.fake.mu.Lock()
		maxIn := h.fake.maxIn
		h.fake.mu.Unlock()
		if maxIn != 2 {
			t.Errorf("at most %d reads at once, want 2", maxIn)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		h := newReachHarness(t)
		d := h.delivered(fbID, h.facebook())[0]
		h.fake.set(fbID(d.ID), 5, "stall")
		h.clock.add(time.Hour)
		c := h.collector(func(o *worker.ReachOptions) { o.Timeout = 100 * time.Millisecond })
		start := time.Now()
		h.runOnce(c)
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("round took %s with a 100 ms timeout", took)
		}
		if r, _ := h.reach(d.ID); r.Metrics != nil || r.LastError == "" {
			t.Errorf("reach = %+v, want absent with the timeout noted", r)
		}
	})
}

package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/loa-vn/loa/channels/webhook"
	"github.com/loa-vn/loa/storage/storagetest"
	"github.com/loa-vn/loa/worker/redistest"
)

const (
	adminToken    = "e2e-admin-token-0123456789"
	webhookSecret = "e2e-webhook-secret-abcdef"
	// redisDB keeps this package's keys apart on a shared Redis.
	redisDB = 2
)

// env is the environment of one test's Loa: its own data dir, and its own
// PostgreSQL schema and Redis database when the suite runs on real services.
func env(t *testing.T) map[string]string {
	t.Helper()
	e := map[string]string{
		"LOA_DATA_DIR":           t.TempDir(),
		"LOA_ADMIN_TOKEN":        adminToken,
		"LOA_RECONCILE_INTERVAL": "1s",
		"LOA_LOG_LEVEL":          "debug",
		"LOA_DATABASE_URL":       storagetest.DatabaseURL(t),
		// The test sinks and feeds listen on loopback, which Loa refuses
		// to connect to unless allowed.
		"LOA_ALLOW_PRIVATE_TARGETS": "127.0.0.0/8,::1/128",
	}
	if os.Getenv(redistest.RedisURLEnv) != "" {
		e["LOA_REDIS_URL"] = redistest.URL(t, redisDB)
	}
	return e
}

// sink is the receiving CMS: it checks every signature and counts requests
// per idempotency key.
type sink struct {
	mu      sync.Mutex
	byKey   map[string]int
	total   int
	badSigs int
	srv     *httptest.Server
}

func newSink(t *testing.T) *sink {
	s := &sink{byKey: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.total++
		s.byKey[r.Header.Get("Idempotency-Key")]++
		if err := webhook.Verify(webhookSecret, r.Header, body, time.Now(), time.Minute); err != nil {
			s.badSigs++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":"cms-%d"}`, s.total)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *sink) counts() (total, keys, bad int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total, len(s.byKey), s.badSigs
}

func createChannels(c client, s *sink) (webhookID, rssID int64) {
	var ch struct {
		ID int64 `json:"id"`
	}
	c.mustDo("POST", "/api/v1/channels", map[string]any{"name": "Cổng thông tin điện tử", "kind": "webhook",
		"config": map[string]string{"url": s.srv.URL, "secret": webhookSecret}}, 201, &ch)
	webhookID = ch.ID
	c.mustDo("POST", "/api/v1/channels", map[string]any{"name": "Tin CCHC", "kind": "rss",
		"config": map[string]string{"slug": "tin-cchc", "title": "Tin cải cách hành chính"}}, 201, &ch)
	return webhookID, ch.ID
}

func createPost(c client, title string, at time.Time, chIDs ...int64) post {
	var p post
	c.mustDo("POST", "/api/v1/posts", map[string]any{"title": title, "summary": "Tóm tắt " + title,
		"body": "<p>Nội dung <b>" + title + "</b></p>", "channel_ids": chIDs,
		"publish_at": at.Format(time.RFC3339)}, 201, &p)
	return p
}

func checkOnTime(t *testing.T, p post) {
	t.Helper()
	for _, d := range p.Deliveries {
		if d.DeliveredAt == nil || d.DeliveredAt.Before(d.ScheduledAt) || d.DeliveredAt.After(d.ScheduledAt.Add(5*time.Second)) {
			t.Errorf("delivery %d scheduled %s delivered %v: not at its time", d.ID, d.ScheduledAt, d.DeliveredAt)
		}
	}
}

func TestWebhookAndFeedDeliveredAtTheirTime(t *testing.T) {
	s := newSink(t)
	loa := start(t, env(t))
	c := client{t: t, base: "http://" + loa.addr, token: adminToken}
	webhookID, rssID := createChannels(c, s)

	p := createPost(c, "Công bố TTHC mới", time.Now().Add(3*time.Second), webhookID, rssID)
	if len(p.Deliveries) != 2 || p.Deliveries[0].Status != "scheduled" {
		t.Fatalf("created post = %+v", p)
	}
	p = c.waitDelivered(p.ID, 20*time.Second)
	checkOnTime(t, p)
	time.Sleep(time.Second)
	if total, keys, bad := s.counts(); total != 1 || keys != 1 || bad != 0 {
		t.Fatalf("sink saw %d requests, %d keys, %d bad signatures; want exactly one valid request", total, keys, bad)
	}

	resp, err := http.Get("http://" + loa.addr + "/feeds/tin-cchc.rss")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<title>Công bố TTHC mới</title>") {
		t.Fatalf("feed = %d %s", resp.StatusCode, body)
	}
	req, _ := http.NewRequest("GET", "http://"+loa.addr+"/feeds/tin-cchc.rss", nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	again, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	again.Body.Close()
	if again.StatusCode != http.StatusNotModified {
		t.Fatalf("conditional GET = %d, want 304", again.StatusCode)
	}
	if out := loa.output.String(); contains(out, webhookSecret) || contains(out, adminToken) {
		t.Fatalf("a secret appears in the logs:\n%s", out)
	}
}

// TestSIGKILLLosesNothing kills the process while deliveries wait for their
// time, flushes Redis when it is a real one, restarts on the same data, and
// expects each delivery exactly once, on time.
func TestSIGKILLLosesNothing(t *testing.T) {
	s := newSink(t)
	e := env(t)
	e["LOA_ADDR"] = freeAddr(t)
	loa := start(t, e)
	c := client{t: t, base: "http://" + loa.addr, token: adminToken}
	webhookID, rssID := createChannels(c, s)
	at := time.Now().Add(8 * time.Second)
	var posts []post
	for i := 0; i < 3; i++ {
		posts = append(posts, createPost(c, fmt.Sprintf("Bản tin số %d", i+1), at, webhookID, rssID))
	}
	loa.kill()
	if url := e["LOA_REDIS_URL"]; url != "" {
		opt, _ := redis.ParseURL(url)
		rdb := redis.NewClient(opt)
		if err := rdb.FlushDB(context.Background()).Err(); err != nil {
			t.Fatal(err)
		}
		rdb.Close()
	}
	if total, _, _ := s.counts(); total != 0 {
		t.Fatalf("sink got %d requests before the deliveries were due", total)
	}
	loa = start(t, e)
	for _, p := range posts {
		checkOnTime(t, c.waitDelivered(p.ID, 30*time.Second))
	}
	time.Sleep(2 * time.Second)
	if total, keys, bad := s.counts(); total != 3 || keys != 3 || bad != 0 {
		t.Fatalf("sink saw %d requests for %d keys (%d bad signatures); want 3 for 3", total, keys, bad)
	}
	loa.stop()
}

var apiToken = regexp.MustCompile(`loa_[a-z2-7]{40,}`)

func TestFirstStartPrintsAdminTokenOnce(t *testing.T) {
	e := env(t)
	delete(e, "LOA_ADMIN_TOKEN")
	e["LOA_ADDR"] = freeAddr(t)
	loa := start(t, e)
	// The token goes to stdout and the logs to stderr, copied into the
	// output by separate goroutines: wait for it rather than read at once.
	out := loa.waitOutput("loa_", 10*time.Second)
	i := strings.Index(out, "loa_")
	if i < 0 {
		t.Fatalf("no token printed:\n%s", out)
	}
	token := strings.Fields(out[i:])[0]
	c := client{t: t, base: "http://" + loa.addr, token: token}
	c.mustDo("GET", "/api/v1/me", nil, 200, nil)
	followSetupLink(t, loa)
	loa.stop()
	if strings.Count(loa.output.String(), token) != 1 {
		t.Fatalf("token printed more than once:\n%s", loa.output.String())
	}

	loa = start(t, e)
	c.mustDo("GET", "/api/v1/me", nil, 200, nil)
	bad := client{t: t, base: c.base, token: "loa_wrong"}
	bad.mustDo("GET", "/api/v1/me", nil, 401, nil)
	loa.stop() // its output is complete once it has exited
	// A token is "loa_" and 48 base32 letters; "loa_" alone also names
	// things (the test database loa_test) in the logs.
	if out := loa.output.String(); apiToken.MatchString(out) || strings.Contains(out, "/setup/") {
		t.Fatalf("second start printed a token or link again:\n%s", out)
	}
}

func TestSplitModesNeedRealRedis(t *testing.T) {
	for _, mode := range []string{"api", "worker"} {
		e := env(t)
		delete(e, "LOA_REDIS_URL")
		cmd := runLoa(t, e, mode)
		if cmd.err == nil || !strings.Contains(cmd.out, "need LOA_REDIS_URL") {
			t.Fatalf("loa %s without LOA_REDIS_URL: err %v, output %q", mode, cmd.err, cmd.out)
		}
	}
}

func TestBadConfigurationIsExplained(t *testing.T) {
	e := env(t)
	e["LOA_MAX_ATTEMPTS"] = "abc"
	e["LOA_TIMEZONE"] = "Mars/Olympus"
	r := runLoa(t, e, "serve")
	if r.err == nil || !strings.Contains(r.out, "LOA_MAX_ATTEMPTS") || !strings.Contains(r.out, "LOA_TIMEZONE") {
		t.Fatalf("bad config: err %v, output %q", r.err, r.out)
	}
}

// TestScaleOut runs one API and two workers on one Redis: every delivery
// goes out exactly once.
func TestScaleOut(t *testing.T) {
	if os.Getenv(redistest.RedisURLEnv) == "" {
		t.Skip("needs a real Redis (LOA_TEST_REDIS_URL)")
	}
	s := newSink(t)
	e := env(t)
	if r := runLoa(t, e, "migrate"); r.err != nil {
		t.Fatalf("migrate: %v\n%s", r.err, r.out)
	}
	apiEnv := copyEnv(e)
	loa := start(t, apiEnv, "api")
	for i := 0; i < 2; i++ {
		w := copyEnv(e)
		w["LOA_ADDR"] = freeAddr(t)
		start(t, w, "worker")
	}
	c := client{t: t, base: "http://" + loa.addr, token: adminToken}
	webhookID, _ := createChannels(c, s)
	at := time.Now().Add(3 * time.Second)
	var posts []post
	for i := 0; i < 20; i++ {
		posts = append(posts, createPost(c, fmt.Sprintf("Tin %d", i), at, webhookID))
	}
	for _, p := range posts {
		c.waitDelivered(p.ID, 30*time.Second)
	}
	time.Sleep(2 * time.Second)
	if total, keys, bad := s.counts(); total != 20 || keys != 20 || bad != 0 {
		t.Fatalf("sink saw %d requests for %d keys (%d bad); want 20 for 20", total, keys, bad)
	}
}

func copyEnv(e map[string]string) map[string]string {
	out := make(map[string]string, len(e))
	for k, v := range e {
		out[k] = v
	}
	return out
}

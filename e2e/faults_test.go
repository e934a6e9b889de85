//go:build faults

// The fault suite: one `loa api` and three `loa worker` processes of the
// real binary on real PostgreSQL and a Redis of the suite's own, sending a
// burst to a loopback webhook sink while something breaks. Run with
//
//	go test -tags faults -count=1 -run TestFaults ./e2e
//
// and LOA_TEST_REDIS_URL and LOA_TEST_DATABASE_URL set (the suite skips
// otherwise). The Redis the suite breaks is a redis-server it starts on a
// free port, never the one LOA_TEST_REDIS_URL names; PostgreSQL is never
// stopped: the database outage is a TCP proxy between Loa and PostgreSQL
// that cuts and refuses every connection.
package e2e

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for the status counts
	"github.com/redis/go-redis/v9"

	"github.com/loa-vn/loa/channels/webhook"
	"github.com/loa-vn/loa/internal/logbuf"
	"github.com/loa-vn/loa/storage/storagetest"
	"github.com/loa-vn/loa/worker/redistest"
)

// drainDeadline bounds how long a case may take from its fault to every
// delivery being terminal. A SIGKILLed worker's claims wait for their
// lease (LOA_ATTEMPT_TIMEOUT + 30 s: 90 s by default, 40 s in the SIGKILL
// case) before another worker may take them over.
const drainDeadline = 3 * time.Minute

// sinkReply is what the fault sink does with one request.
type sinkReply int

const (
	replyOK sinkReply = iota
	reply500
	reply429
	// replyHang applies the post, then answers only after the webhook
	// client's 30 s timeout, as a platform that is slow to confirm.
	replyHang
	// replyHangUnapplied holds the request past the timeout without
	// applying it, as a platform that is down.
	replyHangUnapplied
)

// faultSink is a receiving CMS that verifies signatures and de-duplicates
// by Idempotency-Key, as the webhook contract asks; choose decides how it
// answers each request.
type faultSink struct {
	mu sync.Mutex
	// requests counts requests per idempotency key.
	requests map[string]int
	// applied holds the keys whose post the sink has published.
	applied map[string]bool
	// keysByDelivery holds the keys each delivery id (from the body) came with.
	keysByDelivery map[int64]map[string]bool
	badSigs        int
	// delay is how long every answer takes; requests wait it in parallel.
	delay  time.Duration
	choose func(key string, nth int) sinkReply
	srv    *httptest.Server
}

func newFaultSink(t *testing.T, delay time.Duration, choose func(key string, nth int) sinkReply) *faultSink {
	t.Helper()
	s := &faultSink{requests: map[string]int{}, applied: map[string]bool{},
		keysByDelivery: map[int64]map[string]bool{}, delay: delay, choose: choose}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		s.srv.CloseClientConnections()
		s.srv.Close()
	})
	return s
}

func (s *faultSink) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	key := r.Header.Get("Idempotency-Key")
	var p struct {
		DeliveryID int64 `json:"delivery_id"`
	}
	json.Unmarshal(body, &p)
	s.mu.Lock()
	s.requests[key]++
	nth := s.requests[key]
	if s.keysByDelivery[p.DeliveryID] == nil {
		s.keysByDelivery[p.DeliveryID] = map[string]bool{}
	}
	s.keysByDelivery[p.DeliveryID][key] = true
	if err := webhook.Verify(webhookSecret, r.Header, body, time.Now(), time.Minute); err != nil {
		s.badSigs++
		s.mu.Unlock()
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	s.mu.Unlock()
	if s.delay > 0 {
		time.Sleep(s.delay)
	}
	reply := replyOK
	if s.choose != nil {
		reply = s.choose(key, nth)
	}
	if reply == replyOK || reply == replyHang {
		s.mu.Lock()
		s.applied[key] = true
		s.mu.Unlock()
	}
	switch reply {
	case reply500:
		w.WriteHeader(http.StatusInternalServerError)
	case reply429:
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
	case replyHang, replyHangUnapplied:
		select {
		case <-r.Context().Done():
		case <-time.After(31 * time.Second):
		}
		w.WriteHeader(http.StatusCreated)
	default:
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":%q}`, key)
	}
}

// sinkFigures is what the sink saw.
type sinkFigures struct {
	requests, keys, applied, badSigs int
	// resent counts requests beyond the first for a key: Loa retrying with
	// the same key, which the receiver de-duplicates.
	resent int
	// duplicates counts deliveries that reached the sink under more than
	// one key: a second post that de-duplication cannot catch.
	duplicates  int
	appliedKeys map[string]bool
}

func (s *faultSink) figures() sinkFigures {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := sinkFigures{keys: len(s.requests), applied: len(s.applied), badSigs: s.badSigs, appliedKeys: map[string]bool{}}
	for _, n := range s.requests {
		f.requests += n
		f.resent += n - 1
	}
	for _, keys := range s.keysByDelivery {
		if len(keys) > 1 {
			f.duplicates++
		}
	}
	for k := range s.applied {
		f.appliedKeys[k] = true
	}
	return f
}

// ownRedis is a redis-server of the suite's own that it may stop, start
// and flush.
type ownRedis struct {
	t    *testing.T
	port string
	cmd  *exec.Cmd
	done chan struct{}
}

func startOwnRedis(t *testing.T) *ownRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("the fault suite starts its own redis-server, and there is none on PATH")
	}
	_, port, _ := net.SplitHostPort(freeAddr(t))
	r := &ownRedis{t: t, port: port}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *ownRedis) url(db int) string { return fmt.Sprintf("redis://127.0.0.1:%s/%d", r.port, db) }

func (r *ownRedis) start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--bind", "127.0.0.1", "--port", r.port,
		"--save", "", "--appendonly", "no")
	out := &logbuf.Buffer{}
	r.cmd.Stdout, r.cmd.Stderr = out, out
	if err := r.cmd.Start(); err != nil {
		r.t.Fatalf("start redis-server: %v", err)
	}
	r.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { cmd.Wait(); close(done) }(r.cmd, r.done)
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + r.port})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			r.t.Fatalf("redis-server on %s does not answer:\n%s", r.port, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop shuts the server down; with no persistence every key is lost, as
// in a restart of a cache-only Redis.
func (r *ownRedis) stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	r.cmd.Process.Signal(syscall.SIGTERM)
	<-r.done
	r.cmd = nil
}

func (r *ownRedis) flushAll() {
	r.t.Helper()
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + r.port})
	defer c.Close()
	if err := c.FlushAll(context.Background()).Err(); err != nil {
		r.t.Fatalf("FLUSHALL: %v", err)
	}
}

// pgProxy forwards TCP to PostgreSQL until cut: then it closes every open
// connection and every new one at once, as a database that is down.
type pgProxy struct {
	target string
	ln     net.Listener
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]bool
}

func startPGProxy(t *testing.T, target string) *pgProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &pgProxy{target: target, ln: ln, conns: map[net.Conn]bool{}}
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.closeAll()
	})
	return p
}

func (p *pgProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.forward(c)
	}
}

func (p *pgProxy) forward(c net.Conn) {
	if !p.track(c) {
		c.Close()
		return
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil || !p.track(up) {
		c.Close()
		if up != nil {
			up.Close()
		}
		return
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(up, c)
	go pipe(c, up)
	<-done
	c.Close()
	up.Close()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, up)
	p.mu.Unlock()
}

// track registers c unless the proxy is down.
func (p *pgProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		return false
	}
	p.conns[c] = true
	return true
}

func (p *pgProxy) setDown(down bool) {
	p.mu.Lock()
	p.down = down
	p.mu.Unlock()
	if down {
		p.closeAll()
	}
}

func (p *pgProxy) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// cluster is one API and three workers on one database and one Redis.
type cluster struct {
	t       *testing.T
	env     map[string]string
	api     *proc
	workers []*proc
	redis   *ownRedis
	proxy   *pgProxy
	db      *sql.DB
	sink    *faultSink
	c       client
}

const faultWorkers = 3

func startCluster(t *testing.T, sink *faultSink, extra map[string]string) *cluster {
	t.Helper()
	if os.Getenv(redistest.RedisURLEnv) == "" || os.Getenv(storagetest.DatabaseURLEnv) == "" {
		t.Skip("the fault suite needs real Redis and PostgreSQL: set LOA_TEST_REDIS_URL and LOA_TEST_DATABASE_URL")
	}
	cl := &cluster{t: t, sink: sink, redis: startOwnRedis(t)}
	dbURL := storagetest.DatabaseURL(t)
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cl.db = db
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	cl.proxy = startPGProxy(t, u.Host)
	u.Host = cl.proxy.ln.Addr().String()
	cl.env = map[string]string{
		"LOA_DATA_DIR":              t.TempDir(),
		"LOA_ADMIN_TOKEN":           adminToken,
		"LOA_DATABASE_URL":          u.String(),
		"LOA_REDIS_URL":             cl.redis.url(12),
		"LOA_RECONCILE_INTERVAL":    "1s",
		"LOA_RETRY_BASE":            "200ms",
		"LOA_RETRY_MAX":             "2s",
		"LOA_SHUTDOWN_TIMEOUT":      "10s",
		"LOA_WORKER_CONCURRENCY":    "10",
		"LOA_LOG_LEVEL":             "warn",
		"LOA_ALLOW_PRIVATE_TARGETS": "127.0.0.1/32",
	}
	for k, v := range extra {
		cl.env[k] = v
	}
	if r := runLoa(t, cl.env, "migrate"); r.err != nil {
		t.Fatalf("migrate: %v\n%s", r.err, r.out)
	}
	cl.startAll()
	cl.c = client{t: t, base: "http://" + cl.api.addr, token: adminToken}
	return cl
}

// startAll starts the API (on the address it had, if any) and the workers.
func (cl *cluster) startAll() {
	cl.t.Helper()
	e := copyEnv(cl.env)
	if cl.api != nil {
		e["LOA_ADDR"] = cl.api.addr
	}
	cl.api = start(cl.t, e, "api")
	cl.workers = cl.workers[:0]
	for i := 0; i < faultWorkers; i++ {
		cl.workers = append(cl.workers, cl.startWorker())
	}
}

func (cl *cluster) startWorker() *proc {
	w := copyEnv(cl.env)
	w["LOA_ADDR"] = freeAddr(cl.t)
	return start(cl.t, w, "worker")
}

// burst creates n posts to one webhook channel, all due at the same
// second shortly after the last is made, and returns when they are due.
func (cl *cluster) burst(n int) time.Time {
	cl.t.Helper()
	var ch struct {
		ID int64 `json:"id"`
	}
	cl.c.mustDo("POST", "/api/v1/channels", map[string]any{"name": "Cổng thông tin xã", "kind": "webhook",
		"config": map[string]string{"url": cl.sink.srv.URL, "secret": webhookSecret}}, 201, &ch)
	at := time.Now().Add(time.Duration(n)*15*time.Millisecond + 2*time.Second).Truncate(time.Second).Add(time.Second)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 8)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			errs <- cl.createPost(fmt.Sprintf("Thông báo khẩn số %d", i+1), at, ch.ID)
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			cl.t.Fatal(err)
		}
	}
	if time.Now().After(at) {
		cl.t.Logf("posts were still being created when they fell due (%s late)", time.Since(at))
	}
	return at
}

// createPost is createPost for many goroutines: it returns its error.
func (cl *cluster) createPost(title string, at time.Time, chID int64) error {
	b, _ := json.Marshal(map[string]any{"title": title, "summary": "Tóm tắt " + title,
		"body": "<p>" + title + "</p>", "channel_ids": []int64{chID}, "publish_at": at.Format(time.RFC3339)})
	req, _ := http.NewRequest("POST", cl.c.base+"/api/v1/posts", strings.NewReader(string(b)))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("create post: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		raw, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("create post = %d %s", resp.StatusCode, raw)
	}
	return nil
}

// statusCounts reads the deliveries' statuses straight from PostgreSQL
// (not through the proxy, which may be down).
func (cl *cluster) statusCounts() (map[string]int, error) {
	rows, err := cl.db.Query(`SELECT status, count(*) FROM deliveries GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("count statuses: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("count statuses: %w", err)
		}
		out[s] = n
	}
	return out, rows.Err()
}

// waitFor polls the database until cond holds for the counts.
func (cl *cluster) waitFor(what string, within time.Duration, cond func(map[string]int) bool) map[string]int {
	cl.t.Helper()
	deadline := time.Now().Add(within)
	var counts map[string]int
	for {
		var err error
		counts, err = cl.statusCounts()
		if err == nil && cond(counts) {
			return counts
		}
		if time.Now().After(deadline) {
			cl.t.Fatalf("%s: not within %s; deliveries by status %v (err %v)", what, within, counts, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func terminal(counts map[string]int) int {
	return counts["delivered"] + counts["failed"] + counts["unconfirmed"]
}

// deliveredKeys returns the idempotency keys of delivered and of
// unconfirmed deliveries.
func (cl *cluster) keysByStatus() (delivered, unconfirmed map[string]bool) {
	cl.t.Helper()
	rows, err := cl.db.Query(`SELECT id, status FROM deliveries WHERE status IN ('delivered', 'unconfirmed')`)
	if err != nil {
		cl.t.Fatal(err)
	}
	defer rows.Close()
	delivered, unconfirmed = map[string]bool{}, map[string]bool{}
	for rows.Next() {
		var id int64
		var status string
		if err := rows.Scan(&id, &status); err != nil {
			cl.t.Fatal(err)
		}
		key := fmt.Sprintf("loa-delivery-%d", id)
		if status == "delivered" {
			delivered[key] = true
		} else {
			unconfirmed[key] = true
		}
	}
	if err := rows.Err(); err != nil {
		cl.t.Fatal(err)
	}
	return delivered, unconfirmed
}

// check waits until all n deliveries are terminal and asserts what every
// case asserts, printing the case's figures.
func (cl *cluster) check(name string, n int, from time.Time, atFault map[string]int) {
	cl.t.Helper()
	if atFault != nil && terminal(atFault) == n {
		cl.t.Fatalf("the burst was over before the fault: %v", atFault)
	}
	counts := cl.waitFor("every delivery terminal", drainDeadline, func(c map[string]int) bool { return terminal(c) == n })
	drain := time.Since(from)
	f := cl.sink.figures()
	delivered, unconfirmed := cl.keysByStatus()
	missing, extra := 0, 0
	for k := range delivered {
		if !f.appliedKeys[k] {
			missing++
		}
	}
	for k := range f.appliedKeys {
		if !delivered[k] && !unconfirmed[k] {
			extra++
		}
	}
	fmt.Printf("FAULTS %-26s at_fault=%v\n", name, atFault)
	fmt.Printf("FAULTS %-26s deliveries=%d delivered=%d failed=%d unconfirmed=%d sending=%d | sink requests=%d keys=%d applied=%d resent_same_key=%d duplicates=%d bad_signatures=%d | drain=%s\n",
		name, n, counts["delivered"], counts["failed"], counts["unconfirmed"], counts["sending"],
		f.requests, f.keys, f.applied, f.resent, f.duplicates, f.badSigs, drain.Round(100*time.Millisecond))
	if counts["sending"] != 0 {
		cl.t.Errorf("%d deliveries stuck in sending", counts["sending"])
	}
	if f.duplicates != 0 {
		cl.t.Errorf("%d deliveries reached the sink under more than one key", f.duplicates)
	}
	if f.badSigs != 0 {
		cl.t.Errorf("%d requests with a bad signature", f.badSigs)
	}
	if missing != 0 {
		cl.t.Errorf("%d deliveries are delivered but the sink never applied them", missing)
	}
	if extra != 0 {
		cl.t.Errorf("%d keys applied at the sink belong to deliveries neither delivered nor unconfirmed", extra)
	}
	if counts["unconfirmed"] == 0 && f.applied != counts["delivered"] {
		cl.t.Errorf("sink applied %d distinct keys, database has %d delivered", f.applied, counts["delivered"])
	}
}

// stopAll sends SIGTERM to every process at once and waits for each.
func (cl *cluster) stopAll() {
	cl.t.Helper()
	all := append([]*proc{cl.api}, cl.workers...)
	for _, p := range all {
		p.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, p := range all {
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			cl.t.Fatalf("loa did not stop on SIGTERM:\n%s", p.output.String())
		}
	}
}

// TestFaults runs the seven cases side by side: each has its own
// processes, Redis, schema and sink, and most of each case is waiting
// (for a lease to expire, for a 30 s timeout).
func TestFaults(t *testing.T) {
	const n = 300
	t.Run("SIGKILLWorkerWhileSending", func(t *testing.T) {
		t.Parallel()
		// Every answer takes a moment, so deliveries sit in sending.
		sink := newFaultSink(t, time.Second, nil)
		// A short attempt timeout, so the killed worker's leases (timeout
		// + 30 s) expire sooner; the sink answers well within it.
		cl := startCluster(t, sink, map[string]string{"LOA_ATTEMPT_TIMEOUT": "10s"})
		cl.burst(n)
		atFault := cl.waitFor("deliveries in sending", time.Minute, func(c map[string]int) bool { return c["sending"] >= 20 })
		from := time.Now()
		cl.workers[0].kill()
		cl.check("sigkill-worker", n, from, atFault)
	})
	// afterSomeDelivered runs a burst to a sink that answers in half a
	// second, applies fault once 30 deliveries are in, and checks the end.
	afterSomeDelivered := func(t *testing.T, name string, fault func(cl *cluster)) {
		t.Parallel()
		cl := startCluster(t, newFaultSink(t, 500*time.Millisecond, nil), nil)
		cl.burst(n)
		atFault := cl.waitFor("some delivered", time.Minute, func(c map[string]int) bool { return c["delivered"] >= 30 })
		from := time.Now()
		fault(cl)
		cl.check(name, n, from, atFault)
	}
	t.Run("RedisRestart", func(t *testing.T) {
		afterSomeDelivered(t, "redis-restart", func(cl *cluster) {
			cl.redis.stop()
			cl.redis.start()
		})
	})
	t.Run("FlushAll", func(t *testing.T) {
		afterSomeDelivered(t, "flushall", func(cl *cluster) { cl.redis.flushAll() })
	})
	t.Run("DatabaseDown10s", func(t *testing.T) {
		afterSomeDelivered(t, "database-down-10s", func(cl *cluster) {
			cl.proxy.setDown(true)
			// The outage lasts 10 s by definition of the case; the wait is
			// the fault, not a guess at when something has happened.
			time.Sleep(10 * time.Second)
			cl.proxy.setDown(false)
		})
	})
	t.Run("SinkErrors20Percent", func(t *testing.T) {
		t.Parallel()
		rng := rand.New(rand.NewPCG(11, 20))
		var mu sync.Mutex
		sink := newFaultSink(t, 0, func(string, int) sinkReply {
			mu.Lock()
			defer mu.Unlock()
			if rng.Float64() >= 0.2 {
				return replyOK
			}
			return []sinkReply{reply500, reply429, replyHangUnapplied}[rng.IntN(3)]
		})
		cl := startCluster(t, sink, map[string]string{"LOA_WORKER_CONCURRENCY": "50"})
		from := cl.burst(n)
		cl.check("sink-500-429-timeout-20pct", n, from, nil)
	})
	t.Run("SinkAnswersAfter30s", func(t *testing.T) {
		t.Parallel()
		// The first request of each key is applied and answered after the
		// client has given up; the retry, with the same key, is answered.
		sink := newFaultSink(t, 0, func(_ string, nth int) sinkReply {
			if nth == 1 {
				return replyHang
			}
			return replyOK
		})
		cl := startCluster(t, sink, map[string]string{"LOA_WORKER_CONCURRENCY": "150"})
		from := cl.burst(n)
		cl.check("sink-answers-after-30s", n, from, nil)
	})
	t.Run("SIGTERMAllMidBurst", func(t *testing.T) {
		t.Parallel()
		sink := newFaultSink(t, 500*time.Millisecond, nil)
		cl := startCluster(t, sink, nil)
		cl.burst(n)
		atFault := cl.waitFor("burst under way", time.Minute, func(c map[string]int) bool { return c["delivered"] >= 30 && c["sending"] > 0 })
		from := time.Now()
		cl.stopAll()
		counts, err := cl.statusCounts()
		if err != nil {
			t.Fatal(err)
		}
		if terminal(counts) == n {
			t.Fatalf("the burst was over before SIGTERM: %v", counts)
		}
		cl.startAll()
		cl.check("sigterm-all-mid-burst", n, from, atFault)
	})
}

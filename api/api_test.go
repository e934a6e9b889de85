package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loa-vn/loa/adapters"
	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/rss"
	"github.com/loa-vn/loa/channels/webhook"
	"github.com/loa-vn/loa/outbound"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/secrets"
	"github.com/loa-vn/loa/sources"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

// testNow is the fixed clock of every test server: 08:30 in Hà Nội.
var testNow = time.Date(2026, 11, 20, 1, 30, 0, 0, time.UTC)

const (
	maxBody   = 1 << 20
	publicURL = "http://loa.test"

	// webhookSecret and friends must never appear in any response.
	webhookSecret  = "whsec-TOP-SECRET-signing-key-0001"
	webhookSecret2 = "whsec-ROTATED-signing-key-0002"

	adminToken    = "tok-admin-0123456789abcdef"
	editorToken   = "tok-editor-0123456789abcdef"
	officerToken  = "tok-officer-0123456789abcdef"
	officer2Token = "tok-officer2-0123456789abcdef"
)

// leakedSecrets are checked against every response body and header.
var leakedSecrets = []string{webhookSecret, webhookSecret2}

// internalMessage is the only message a 5xx error may carry.
const internalMessage = "internal error; see the server log"

// call is one recorded scheduler call.
type call struct {
	Op         string
	DeliveryID int64
	At         time.Time
}

// fakeScheduler records calls; Err is returned from every call and Panic,
// when set, is panicked with.
type fakeScheduler struct {
	mu    sync.Mutex
	calls []call
	Err   error
	Panic string
}

func (f *fakeScheduler) record(op string, id int64, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Panic != "" {
		panic(f.Panic)
	}
	f.calls = append(f.calls, call{Op: op, DeliveryID: id, At: at})
	return f.Err
}

func (f *fakeScheduler) Schedule(_ context.Context, id int64, at time.Time) error {
	return f.record("schedule", id, at)
}

// ScheduleMany records one "schedule" call per delivery, as a batch.
func (f *fakeScheduler) ScheduleMany(_ context.Context, ids []int64, at time.Time) error {
	var err error
	for _, id := range ids {
		err = f.record("schedule", id, at)
	}
	return err
}

func (f *fakeScheduler) RunNow(_ context.Context, id int64) error {
	return f.record("run_now", id, time.Time{})
}

func (f *fakeScheduler) Unschedule(_ context.Context, id int64) error {
	return f.record("unschedule", id, time.Time{})
}

func (f *fakeScheduler) Calls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// callsOf returns the delivery ids of the recorded calls of op, in order.
func (f *fakeScheduler) callsOf(op string) []int64 {
	var ids []int64
	for _, c := range f.Calls() {
		if c.Op == op {
			ids = append(ids, c.DeliveryID)
		}
	}
	return ids
}

// redisPinger is the PingRedis func the tests control.
type redisPinger struct {
	mu  sync.Mutex
	err error
}

func (p *redisPinger) set(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.err = err
}

func (p *redisPinger) Ping(context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// env is a running API server over a fresh store with four users.
type env struct {
	t      *testing.T
	store  *storage.Store
	box    *secrets.Box
	sched  *fakeScheduler
	redis  *redisPinger
	srv    *httptest.Server
	client *http.Client
	users  map[string]storage.User // by token
}

type envOption func(*api.Options)

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	return newEnvOn(t, storagetest.OpenWithClock(t, func() time.Time { return testNow }), opts...)
}

// newEnvOn is newEnv over a store the test has prepared.
func newEnvOn(t *testing.T, store *storage.Store, opts ...envOption) *env {
	t.Helper()
	e := &env{t: t, store: store, box: newBox(t, 1), sched: &fakeScheduler{}, redis: &redisPinger{},
		users: map[string]storage.User{}}
	e.srv = e.serve(t, e.box, opts...)
	e.client = recordingClient(t)
	ctx := context.Background()
	for _, u := range []struct{ name, role, token string }{
		{"Quản trị", storage.RoleAdmin, adminToken},
		{"Biên tập", storage.RoleEditor, editorToken},
		{"Cán bộ Lan", storage.RoleOfficer, officerToken},
		{"Cán bộ Minh", storage.RoleOfficer, officer2Token},
	} {
		user, err := store.CreateUserWithToken(ctx, u.name, u.role, api.HashToken(u.token))
		if err != nil {
			t.Fatalf("create user %s: %v", u.name, err)
		}
		e.users[u.token] = user
	}
	return e
}

// serve starts another server over e's store with the given box.
func (e *env) serve(t *testing.T, box *secrets.Box, opts ...envOption) *httptest.Server {
	t.Helper()
	reg, err := channels.NewRegistry(webhook.Kind(), rss.Kind())
	if err != nil {
		t.Fatal(err)
	}
	// The test sinks and feeds listen on loopback, which Loa refuses unless
	// LOA_ALLOW_PRIVATE_TARGETS allows it; so the tests allow it.
	guard := outbound.New(outbound.Options{AllowPrivate: loopback})
	set := adapters.NewChannelSet(reg, box, channels.Env{PublicBaseURL: publicURL, HTTPClient: guard.Client(5 * time.Second)})
	o := api.Options{
		Store: e.store, Registry: reg, Box: box, PingRedis: e.redis.Ping,
		Channels: set,
		Publishing: publishing.New(publishing.Options{Store: e.store, Scheduler: e.sched, Secrets: box, Kinds: reg.Names(), Adapters: set,
			Fetcher:  sources.NewFetcher(sources.FetcherOptions{Timeout: 2 * time.Second, Client: guard.Client(0)}),
			Location: time.FixedZone("ICT", 7*3600), Horizon: 30 * 24 * time.Hour, Logger: slog.New(slog.DiscardHandler),
			Now: func() time.Time { return testNow }}),
		Guard:     guard,
		PublicURL: publicURL, MaxBodyBytes: maxBody, Logger: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return testNow },
	}
	for _, opt := range opts {
		opt(&o)
	}
	srv := httptest.NewServer(api.New(o).Handler())
	t.Cleanup(srv.Close)
	return srv
}

// loopback is what the tests put in LOA_ALLOW_PRIVATE_TARGETS.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

func newBox(t *testing.T, seed byte) *secrets.Box {
	t.Helper()
	box, err := secrets.NewBox(bytes.Repeat([]byte{seed}, secrets.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return box
}

// recordingClient checks invariants on every response the test sees: no
// secret in any body or header; every JSON error body has exactly the
// documented shape; no 5xx error carries more than the fixed message.
func recordingClient(t *testing.T) *http.Client {
	return &http.Client{Transport: &checkingTransport{t: t, base: http.DefaultTransport}}
}

type checkingTransport struct {
	t    *testing.T
	base http.RoundTripper
}

func (c *checkingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	what := req.Method + " " + req.URL.RequestURI()
	for _, s := range leakedSecrets {
		if bytes.Contains(body, []byte(s)) {
			c.t.Errorf("%s: response body contains a channel secret: %s", what, body)
		}
		for k, vs := range resp.Header {
			for _, v := range vs {
				if strings.Contains(v, s) {
					c.t.Errorf("%s: response header %s contains a channel secret", what, k)
				}
			}
		}
	}
	if msg := securityHeaderProblem(resp.Header, body); msg != "" {
		c.t.Errorf("%s: %s", what, msg)
	}
	if resp.StatusCode >= 400 && req.Method != http.MethodHead && !isProbe(req.URL.Path) {
		if msg := errorShapeProblem(resp.StatusCode, resp.Header, body); msg != "" {
			c.t.Errorf("%s: %s", what, msg)
		}
	}
	// Every response is as api/openapi.yaml describes it, and so is every
	// request the server accepted (openapi_test.go).
	if s, err := loadOpenAPI(); err != nil {
		c.t.Errorf("api/openapi.yaml: %v", err)
	} else if msg := s.responseProblem(req, resp.StatusCode, resp.Header, body); msg != "" {
		c.t.Error(msg)
	} else if resp.StatusCode < 300 {
		if msg := s.requestProblem(req); msg != "" {
			c.t.Error(msg)
		}
	}
	return resp, nil
}

var styleNonce = regexp.MustCompile(`<style nonce="([^"]+)">`)

// securityHeaderProblem returns what is missing from a response's security
// headers, or "": every response is nosniff, unframeable and keeps its URL
// to this site; an HTML page allows scripts only from Loa's own files, no
// inline script, and only its own inline style, by the response's nonce.
func securityHeaderProblem(h http.Header, body []byte) string {
	csp := h.Get("Content-Security-Policy")
	switch {
	case h.Get("X-Content-Type-Options") != "nosniff":
		return "X-Content-Type-Options is not nosniff"
	case h.Get("Referrer-Policy") != "same-origin":
		return "Referrer-Policy is not same-origin"
	case !strings.Contains(csp, "frame-ancestors 'none'"):
		return fmt.Sprintf("Content-Security-Policy %q lacks frame-ancestors 'none'", csp)
	case strings.Contains(csp, "unsafe-"):
		return fmt.Sprintf("Content-Security-Policy %q allows inline code or eval", csp)
	}
	if !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
		if strings.Contains(csp, "script-src") {
			return fmt.Sprintf("Content-Security-Policy %q of a response that is not a page allows script", csp)
		}
		return ""
	}
	if !strings.Contains(csp, "script-src 'self';") {
		return fmt.Sprintf("HTML page's Content-Security-Policy %q does not limit scripts to Loa's own files", csp)
	}
	m := styleNonce.FindSubmatch(body)
	if m == nil || !strings.Contains(csp, "style-src 'self' 'nonce-"+string(m[1])+"'") {
		return fmt.Sprintf("HTML page's style nonce does not match Content-Security-Policy %q", csp)
	}
	if hasInlineScript(body) {
		return "HTML page has an inline script element"
	}
	return ""
}

var scriptTag = regexp.MustCompile(`(?i)<script\b[^>]*>`)
var srcAttr = regexp.MustCompile(`(?i)\ssrc\s*=`)

// hasInlineScript reports a script element without a src attribute.
func hasInlineScript(body []byte) bool {
	for _, tag := range scriptTag.FindAll(body, -1) {
		if !srcAttr.Match(tag) {
			return true
		}
	}
	return false
}

var snakeCase = regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)

// errorShapeProblem returns what is wrong with an error response, or "".
func errorShapeProblem(status int, h http.Header, body []byte) string {
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Sprintf("error response %d has Content-Type %q, want application/json", status, ct)
	}
	var outer map[string]json.RawMessage
	if err := json.Unmarshal(body, &outer); err != nil {
		return fmt.Sprintf("error body is not a JSON object: %s", body)
	}
	if len(outer) != 1 || outer["error"] == nil {
		return fmt.Sprintf(`error body must have exactly the key "error": %s`, body)
	}
	var inner map[string]any
	if err := json.Unmarshal(outer["error"], &inner); err != nil {
		return fmt.Sprintf(`"error" is not an object: %s`, body)
	}
	for k, v := range inner {
		if k != "code" && k != "message" && k != "field" && k != "request_id" {
			return fmt.Sprintf("error has unexpected key %q: %s", k, body)
		}
		if s, ok := v.(string); !ok || s == "" {
			return fmt.Sprintf("error.%s must be a non-empty string: %s", k, body)
		}
	}
	code, _ := inner["code"].(string)
	msg, _ := inner["message"].(string)
	if !snakeCase.MatchString(code) {
		return fmt.Sprintf("error.code %q is not snake_case: %s", code, body)
	}
	if msg == "" {
		return fmt.Sprintf("error.message is missing: %s", body)
	}
	if rid, _ := inner["request_id"].(string); rid == "" || rid != h.Get("X-Request-Id") {
		return fmt.Sprintf("error.request_id %q is not the response's X-Request-Id %q: %s", rid, h.Get("X-Request-Id"), body)
	}
	if status >= 500 && (code != "internal_error" || msg != internalMessage) {
		return fmt.Sprintf("5xx error leaks detail: %s", body)
	}
	return ""
}

// response is what a request got back.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) String() string { return fmt.Sprintf("%d %s", r.Status, r.Body) }

// req describes a request; Body "" sends none. JSON bodies get
// Content-Type application/json unless Header sets another.
type req struct {
	Method, Path, Token, Body string
	Header                    map[string]string
	// Chunked sends the body without a Content-Length.
	Chunked bool
}

func (e *env) do(r req) response {
	e.t.Helper()
	return doOn(e.t, e.client, e.srv.URL, r)
}

func doOn(t *testing.T, client *http.Client, base string, r req) response {
	t.Helper()
	var body io.Reader
	if r.Body != "" {
		body = strings.NewReader(r.Body)
		if r.Chunked {
			// An io.Reader that is not a *strings.Reader hides the length.
			body = io.MultiReader(strings.NewReader(r.Body))
		}
	}
	hr, err := http.NewRequest(r.Method, base+r.Path, body)
	if err != nil {
		t.Fatal(err)
	}
	if r.Body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.Token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.Token)
	}
	// One fixed id, so two answers compare equal byte for byte (the
	// isolation checks); TestRequestID sends its own or none.
	hr.Header.Set("X-Request-Id", "api-test")
	for k, v := range r.Header {
		if v == "" {
			hr.Header.Del(k)
		} else {
			hr.Header.Set(k, v)
		}
	}
	resp, err := client.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

func (e *env) get(path, token string) response {
	e.t.Helper()
	return e.do(req{Method: http.MethodGet, Path: path, Token: token})
}

func (e *env) post(path, token string, body any) response {
	e.t.Helper()
	return e.do(req{Method: http.MethodPost, Path: path, Token: token, Body: jsonString(e.t, body)})
}

func (e *env) patch(path, token string, body any) response {
	e.t.Helper()
	return e.do(req{Method: http.MethodPatch, Path: path, Token: token, Body: jsonString(e.t, body)})
}

func jsonString(t *testing.T, v any) string {
	t.Helper()
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("decode %T from %s: %v", v, r, err)
	}
	return v
}

func wantStatus(t *testing.T, r response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body: %s", r.Status, status, r.Body)
	}
}

// wantError checks status, code and, for a non-empty field, that the error
// names it both in "field" and in the message. The shape itself is checked
// on every response by the client.
func wantError(t *testing.T, r response, status int, code, field string) apiError {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body: %s", r.Status, status, r.Body)
	}
	if msg := errorShapeProblem(r.Status, r.Header, r.Body); msg != "" {
		t.Fatal(msg)
	}
	got := decode[struct{ Error apiError }](t, r).Error
	if got.Code != code {
		t.Errorf("error code = %q, want %q (message %q)", got.Code, code, got.Message)
	}
	if field != "" {
		if got.Field != field {
			t.Errorf("error field = %q, want %q (message %q)", got.Field, field, got.Message)
		}
		if !strings.Contains(got.Message, field) {
			t.Errorf("error message %q does not name the field %q", got.Message, field)
		}
	}
	if status == http.StatusUnprocessableEntity && field == "" {
		t.Errorf("test bug: a 422 must name its field")
	}
	return got
}

type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field"`
}

type channelJSON struct {
	ID           int64          `json:"id"`
	Name         string         `json:"name"`
	Kind         string         `json:"kind"`
	Status       string         `json:"status"`
	StatusReason string         `json:"status_reason"`
	Config       map[string]any `json:"config"`
	FeedURLs     *struct {
		RSS  string `json:"rss"`
		Atom string `json:"atom"`
	} `json:"feed_urls"`
}

type postJSON struct {
	ID         int64          `json:"id"`
	Status     string         `json:"status"`
	Title      string         `json:"title"`
	Summary    string         `json:"summary"`
	Body       string         `json:"body"`
	Category   string         `json:"category"`
	Audience   string         `json:"audience"`
	PublishAt  time.Time      `json:"publish_at"`
	CreatedBy  int64          `json:"created_by"`
	Deliveries []deliveryJSON `json:"deliveries"`
}

type deliveryJSON struct {
	ID            int64         `json:"id"`
	PostID        int64         `json:"post_id"`
	ChannelID     int64         `json:"channel_id"`
	Status        string        `json:"status"`
	Attempts      int           `json:"attempts"`
	LastError     string        `json:"last_error"`
	ScheduledAt   time.Time     `json:"scheduled_at"`
	NextAttemptAt *time.Time    `json:"next_attempt_at"`
	DeliveredAt   *time.Time    `json:"delivered_at"`
	AttemptLog    []attemptJSON `json:"attempt_log"`
}

type attemptJSON struct {
	Number     int    `json:"number"`
	Outcome    string `json:"outcome"`
	HTTPStatus int    `json:"http_status"`
	Error      string `json:"error"`
}

type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// webhookConfig is a valid webhook config holding webhookSecret.
func webhookConfig() map[string]any {
	return map[string]any{"url": "https://cms.example.gov.vn/loa-hook", "secret": webhookSecret}
}

func (e *env) createWebhook(name string) channelJSON {
	e.t.Helper()
	r := e.post("/api/v1/channels", editorToken, map[string]any{"name": name, "kind": "webhook", "config": webhookConfig()})
	wantStatus(e.t, r, http.StatusCreated)
	return decode[channelJSON](e.t, r)
}

func (e *env) createFeed(name, slug string) channelJSON {
	e.t.Helper()
	r := e.post("/api/v1/channels", adminToken, map[string]any{"name": name, "kind": "rss",
		"config": map[string]any{"slug": slug, "title": "Tin tức " + name, "description": "Bản tin"}})
	wantStatus(e.t, r, http.StatusCreated)
	return decode[channelJSON](e.t, r)
}

func (e *env) disable(id int64) {
	e.t.Helper()
	r := e.patch(fmt.Sprintf("/api/v1/channels/%d", id), editorToken, map[string]any{"status": "disabled"})
	wantStatus(e.t, r, http.StatusOK)
	if got := decode[channelJSON](e.t, r).Status; got != storage.ChannelDisabled {
		t := e.t
		t.Fatalf("status after disabling = %q", got)
	}
}

// postBody is a valid post request to the given channels.
func postBody(channelIDs ...int64) map[string]any {
	return map[string]any{
		"title":       "Thông báo lịch tiếp công dân tháng 12",
		"summary":     "UBND phường công bố lịch tiếp công dân.",
		"body":        "<p>Lịch tiếp công dân <strong>định kỳ</strong>.</p>",
		"category":    "Thông báo",
		"audience":    "public",
		"channel_ids": channelIDs,
	}
}

// createPost creates a post as token's user and, if it waits for approval
// (an officer's), has an editor approve it, so it is scheduled like any
// other. Approval itself is tested in approvals_test.go.
func (e *env) createPost(token string, body map[string]any) postJSON {
	e.t.Helper()
	r := e.post("/api/v1/posts", token, body)
	wantStatus(e.t, r, http.StatusCreated)
	p := decode[postJSON](e.t, r)
	if p.Status == storage.PostPendingApproval {
		r = e.post(fmt.Sprintf("/api/v1/posts/%d/approve", p.ID), editorToken, nil)
		wantStatus(e.t, r, http.StatusOK)
		p = decode[postJSON](e.t, r)
	}
	return p
}

// finish claims delivery id as a worker would and ends the attempt with status.
func (e *env) finish(id int64, status string) {
	e.t.Helper()
	ctx := context.Background()
	c, err := e.store.ClaimDelivery(ctx, id, fmt.Sprintf("lease-%d", id), time.Minute)
	if err != nil {
		e.t.Fatalf("claim delivery %d: %v", id, err)
	}
	res := storage.Result{Status: status, Duration: 120 * time.Millisecond}
	switch status {
	case storage.DeliveryDelivered:
		res.Outcome, res.HTTPStatus, res.ExternalID = storage.OutcomeDelivered, 200, fmt.Sprintf("ext-%d", id)
	case storage.DeliveryFailed:
		res.Outcome, res.HTTPStatus, res.Error = storage.OutcomeFailed, 400, "platform rejected the message"
	case storage.DeliveryUnconfirmed:
		res.Outcome, res.Error = storage.OutcomeUnconfirmed, "timeout after sending"
	default:
		e.t.Fatalf("finish: unsupported status %q", status)
	}
	if err := e.store.FinishAttempt(ctx, c, res); err != nil {
		e.t.Fatalf("finish attempt on delivery %d: %v", id, err)
	}
}

// counts returns how many posts and deliveries the API lists.
func (e *env) counts() (posts, deliveries int) {
	e.t.Helper()
	r := e.get("/api/v1/posts?limit=200", adminToken)
	wantStatus(e.t, r, http.StatusOK)
	posts = len(decode[page[postJSON]](e.t, r).Items)
	r = e.get("/api/v1/deliveries?limit=200", adminToken)
	wantStatus(e.t, r, http.StatusOK)
	deliveries = len(decode[page[deliveryJSON]](e.t, r).Items)
	return posts, deliveries
}

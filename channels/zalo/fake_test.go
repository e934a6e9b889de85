package zalo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/loa-vn/loa/channels"
)

// Credentials in these tests all contain "SECRET", so one substring check
// finds any of them leaking into an error, a log line or a preview.
const (
	testAppID       = "4321987654"
	testSecretKey   = "appkeySECRET"
	testChannelID   = 9
	testCover       = "https://cdn.example.gov.vn/zalo/cover.jpg"
	testOAName      = "UBND xã Tân Phú"
	testUnix        = 1768446000 // 2026-01-15T03:00:00Z, 10:00 in Hà Nội
	issuedExpiresIn = 90000
)

func testNow() time.Time { return time.Unix(testUnix, 0).UTC() }

func accessToken(n int) string  { return fmt.Sprintf("acc%dxSECRET", n) }
func refreshToken(n int) string { return fmt.Sprintf("ref%dxSECRET", n) }

// timeline records, in order, what the fake Zalo and the fake store saw, so
// tests can assert that a pair was saved before it was used.
type timeline struct {
	mu     sync.Mutex
	events []string
}

func (l *timeline) add(e string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *timeline) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.events...)
}

// count returns how many events start with prefix.
func (l *timeline) count(prefix string) int {
	n := 0
	for _, e := range l.all() {
		if strings.HasPrefix(e, prefix) {
			n++
		}
	}
	return n
}

// fakeZalo plays both openapi.zalo.me and oauth.zaloapp.com as documented:
// every error at HTTP 200 with a non-zero "error", the token in an
// access_token header, single-use refresh tokens, asynchronous articles.
type fakeZalo struct {
	t      *testing.T
	srv    *httptest.Server
	events *timeline

	mu       sync.Mutex
	access   map[string]bool // access tokens the fake accepts
	refresh  map[string]bool // refresh tokens not yet used
	issued   int
	scripts  map[string][]http.HandlerFunc
	pending  int // verify answers without an id before each article's id
	polls    map[string]int
	articles []fakeArticle // newest last
	bodies   map[string][][]byte
}

type fakeArticle struct {
	id, token, title string
	created          time.Time
	// views is the article's total_view; nil leaves the field out.
	views *int
}

func newFakeZalo(t *testing.T) *fakeZalo {
	t.Helper()
	f := &fakeZalo{
		t:       t,
		events:  &timeline{},
		access:  map[string]bool{accessToken(0): true},
		refresh: map[string]bool{refreshToken(0): true},
		scripts: map[string][]http.HandlerFunc{},
		polls:   map[string]int{},
		bodies:  map[string][][]byte{},
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// script queues handlers that answer the next calls to endpoint instead of
// the default behaviour, one each, in order.
func (f *fakeZalo) script(endpoint string, handlers ...http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scripts[endpoint] = append(f.scripts[endpoint], handlers...)
}

func (f *fakeZalo) calls(endpoint string) int { return f.events.count("zalo:" + endpoint + ":") }

// body returns the n-th request body sent to endpoint.
func (f *fakeZalo) body(endpoint string, n int) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n >= len(f.bodies[endpoint]) {
		f.t.Fatalf("no request %d to %s", n, endpoint)
	}
	return f.bodies[endpoint][n]
}

var routes = map[string]string{
	"POST /v4/oa/access_token":    "refresh",
	"POST /v2.0/article/create":   "create",
	"POST /v2.0/article/verify":   "verify",
	"GET /v2.0/article/getslice":  "getslice",
	"GET /v2.0/article/getdetail": "getdetail",
	"GET /v2.0/oa/getoa":          "getoa",
	"POST /v2.0/oa/message":       "message",
}

func (f *fakeZalo) serve(w http.ResponseWriter, r *http.Request) {
	endpoint, ok := routes[r.Method+" "+r.URL.Path]
	if !ok {
		f.t.Errorf("fake zalo: unexpected %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		f.t.Errorf("fake zalo: read body: %v", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	who := r.Header.Get("access_token")
	if endpoint == "refresh" {
		r.ParseForm()
		who = r.PostForm.Get("refresh_token")
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	f.events.add("zalo:" + endpoint + ":" + who)
	f.mu.Lock()
	f.bodies[endpoint] = append(f.bodies[endpoint], body)
	var scripted http.HandlerFunc
	if q := f.scripts[endpoint]; len(q) > 0 {
		scripted, f.scripts[endpoint] = q[0], q[1:]
	}
	f.mu.Unlock()
	if scripted != nil {
		scripted(w, r)
		return
	}
	if endpoint == "refresh" {
		f.serveRefresh(w, r)
		return
	}
	f.serveAPI(endpoint, w, r, body)
}

// serveRefresh rotates the pair: the refresh token used dies at once.
func (f *fakeZalo) serveRefresh(w http.ResponseWriter, r *http.Request) {
	if got := r.Header.Get("secret_key"); got != testSecretKey {
		f.t.Errorf("refresh: secret_key header = %q", got)
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/x-www-form-urlencoded" {
		f.t.Errorf("refresh: Content-Type = %q, want a form", ct)
	}
	if err := r.ParseForm(); err != nil {
		f.t.Errorf("refresh: form: %v", err)
	}
	if r.PostForm.Get("app_id") != testAppID || r.PostForm.Get("grant_type") != "refresh_token" {
		f.t.Errorf("refresh: form = %v", r.PostForm)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	used := r.PostForm.Get("refresh_token")
	if !f.refresh[used] {
		writeBody(w, 200, nil, `{"error":-14014,"message":"Invalid refresh token"}`)
		return
	}
	delete(f.refresh, used)
	f.issued++
	at, rt := accessToken(f.issued), refreshToken(f.issued)
	f.access[at], f.refresh[rt] = true, true
	writeBody(w, 200, nil, fmt.Sprintf(`{"access_token":%q,"refresh_token":%q,"expires_in":"%d"}`, at, rt, issuedExpiresIn))
}

func (f *fakeZalo) serveAPI(endpoint string, w http.ResponseWriter, r *http.Request, body []byte) {
	if r.Header.Get("Authorization") != "" {
		f.t.Errorf("%s: Authorization header sent; Zalo wants access_token", endpoint)
	}
	if r.Method == http.MethodPost && r.Header.Get("Content-Type") != "application/json" {
		f.t.Errorf("%s: Content-Type = %q", endpoint, r.Header.Get("Content-Type"))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.access[r.Header.Get("access_token")] {
		writeBody(w, 200, nil, `{"error":-216,"message":"Access token is invalid"}`)
		return
	}
	switch endpoint {
	case "create":
		f.serveCreate(w, body)
	case "verify":
		f.serveVerify(w, body)
	case "getslice":
		f.serveSlice(w, r)
	case "getdetail":
		f.serveDetail(w, r)
	case "getoa":
		writeBody(w, 200, nil, fmt.Sprintf(`{"error":0,"message":"Success","data":{"oa_id":"579745863508352884","name":%q}}`, testOAName))
	case "message":
		writeBody(w, 200, nil, `{"error":0,"message":"Success","data":{"message_id":"msg-77"}}`)
	}
}

// serveCreate checks what Zalo requires and files the article; f.mu is held.
func (f *fakeZalo) serveCreate(w http.ResponseWriter, body []byte) {
	var a article
	if err := json.Unmarshal(body, &a); err != nil {
		writeBody(w, 200, nil, `{"error":-201,"message":"Invalid parameter"}`)
		return
	}
	if a.Type != "normal" || a.Title == "" || utf8.RuneCountInString(a.Title) > 150 || utf8.RuneCountInString(a.Author) > 50 ||
		utf8.RuneCountInString(a.Description) > 300 || a.Cover.CoverType != "photo" || a.Cover.PhotoURL == "" || len(a.Body) == 0 {
		writeBody(w, 200, nil, `{"error":-201,"message":"Invalid parameter"}`)
		return
	}
	n := len(f.articles) + 1
	f.articles = append(f.articles, fakeArticle{id: fmt.Sprintf("art%d", n), token: fmt.Sprintf("tok%d", n), title: a.Title, created: testNow()})
	writeBody(w, 200, nil, fmt.Sprintf(`{"error":0,"message":"Success","data":{"token":"tok%d"}}`, n))
}

func (f *fakeZalo) serveVerify(w http.ResponseWriter, body []byte) {
	var req struct {
		Token string `json:"token"`
	}
	json.Unmarshal(body, &req)
	for _, a := range f.articles {
		if a.token != req.Token {
			continue
		}
		f.polls[a.token]++
		if f.polls[a.token] <= f.pending {
			writeBody(w, 200, nil, `{"error":0,"message":"Success","data":{}}`)
			return
		}
		writeBody(w, 200, nil, fmt.Sprintf(`{"error":0,"message":"Success","data":{"id":%q}}`, a.id))
		return
	}
	writeBody(w, 200, nil, `{"error":-201,"message":"Invalid token"}`)
}

func (f *fakeZalo) serveSlice(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("offset") != "0" || q.Get("limit") != "10" || q.Get("type") != "normal" {
		f.t.Errorf("getslice: query = %s", r.URL.RawQuery)
	}
	var medias []map[string]any
	for i := len(f.articles) - 1; i >= 0 && len(medias) < 10; i-- {
		a := f.articles[i]
		medias = append(medias, map[string]any{"id": a.id, "title": a.title, "type": "normal",
			"status": "show", "create_date": a.created.UnixMilli()})
	}
	data, _ := json.Marshal(map[string]any{"medias": medias, "total": len(f.articles)})
	writeBody(w, 200, nil, `{"error":0,"message":"Success","data":`+string(data)+`}`)
}

// addArticle files an article as if an earlier create had been processed.
func (f *fakeZalo) addArticle(title string, created time.Time) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.articles) + 1
	f.articles = append(f.articles, fakeArticle{id: fmt.Sprintf("art%d", n), token: fmt.Sprintf("tok%d", n), title: title, created: created})
	return fmt.Sprintf("art%d", n)
}

func writeBody(w http.ResponseWriter, status int, header map[string]string, body string) {
	for k, v := range header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// answer is a scripted handler replying with a fixed answer.
func answer(status int, header map[string]string, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { writeBody(w, status, header, body) }
}

// zaloError is a scripted handler replying with a Zalo error envelope at HTTP 200.
func zaloError(code int, message string) http.HandlerFunc {
	return answer(200, nil, fmt.Sprintf(`{"error":%d,"message":%q}`, code, message))
}

// memStore is an in-memory ConfigStore whose lock spans fn, as the real one
// holds a row lock across processes.
type memStore struct {
	t      *testing.T
	events *timeline

	mu     sync.Mutex
	config json.RawMessage
	saves  int
	fail   error // returned once instead of committing
}

func newStore(t *testing.T, events *timeline, cfg config) *memStore {
	raw, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &memStore{t: t, events: events, config: raw}
}

func (s *memStore) UpdateConfig(_ context.Context, channelID int64, fn func(json.RawMessage) (json.RawMessage, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if channelID != testChannelID {
		s.t.Errorf("UpdateConfig for channel %d, want %d", channelID, testChannelID)
	}
	next, err := fn(append(json.RawMessage(nil), s.config...))
	if err != nil {
		return err
	}
	if bytes.Equal(next, s.config) {
		return nil
	}
	if s.fail != nil {
		err, s.fail = s.fail, nil
		return err
	}
	if _, err := Kind(nil).Validate(next); err != nil {
		s.t.Errorf("adapter stored a config Validate refuses: %v", err)
	}
	s.config = next
	s.saves++
	s.events.add("store:save")
	return nil
}

func (s *memStore) stored() config {
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg, err := parseConfig(s.config)
	if err != nil {
		s.t.Fatalf("stored config: %v", err)
	}
	return cfg
}

func (s *memStore) saveCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saves
}

// baseConfig is a healthy channel against f: token valid for 20 more hours.
func baseConfig(f *fakeZalo) config {
	return config{
		AppID:                testAppID,
		SecretKey:            testSecretKey,
		RefreshToken:         refreshToken(0),
		AccessToken:          accessToken(0),
		AccessTokenExpiresAt: testNow().Add(20 * time.Hour).Format(time.RFC3339),
		DefaultCoverURL:      testCover,
		APIBaseURL:           f.srv.URL,
		OAuthBaseURL:         f.srv.URL,
	}
}

// logBuffer collects log lines from concurrent goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type setup struct {
	f     *fakeZalo
	store *memStore
	logs  *logBuffer
}

// newSetup starts a fake Zalo and a store holding cfg (baseConfig if nil).
func newSetup(t *testing.T, edit func(*config)) *setup {
	t.Helper()
	f := newFakeZalo(t)
	cfg := baseConfig(f)
	if edit != nil {
		edit(&cfg)
	}
	return &setup{f: f, store: newStore(t, f.events, cfg), logs: &logBuffer{}}
}

// channel builds an adapter from what the store holds now, as a worker
// process would; edit adjusts the options (clock, timeouts).
func (s *setup) channel(t *testing.T, edit func(*Options)) *Zalo {
	t.Helper()
	cfg := s.store.stored()
	o := Options{
		AppID: cfg.AppID, SecretKey: cfg.SecretKey, RefreshToken: cfg.RefreshToken, AccessToken: cfg.AccessToken,
		AccessTokenExpiresAt: cfg.expiresAt(), DefaultCoverURL: cfg.DefaultCoverURL, Broadcast: cfg.Broadcast,
		APIBaseURL: cfg.APIBaseURL, OAuthBaseURL: cfg.OAuthBaseURL,
		Store: s.store, ChannelID: testChannelID,
		// A transport per channel keeps connections from leaking between tests.
		Client:       &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{}},
		Logger:       slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:          testNow,
		PollInterval: 5 * time.Millisecond,
		MaxWait:      time.Second,
	}
	if edit != nil {
		edit(&o)
	}
	z, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { z.Close() })
	return z
}

func testMessage() channels.Message {
	return channels.Message{
		DeliveryID:     42,
		PostID:         7,
		ChannelID:      testChannelID,
		IdempotencyKey: "delivery-42",
		Title:          "Thông báo lịch tiếp công dân tháng 1/2026",
		Summary:        "UBND xã Tân Phú thông báo lịch tiếp công dân định kỳ.",
		BodyHTML:       `<p>Lãnh đạo UBND xã tiếp công dân vào <strong>thứ Năm</strong> hằng tuần.</p><img src="https://cdn.example.gov.vn/lich.jpg" alt="Lịch tiếp"><p>Địa điểm: trụ sở UBND xã.</p>`,
		Link:           "https://tanphu.example.gov.vn/tin/42",
		Attempt:        1,
	}
}

// assertClass fails unless err is a *channels.Error of class want.
func assertClass(t *testing.T, err error, want channels.Class) *channels.Error {
	t.Helper()
	var ce *channels.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error = %v (%T), want a *channels.Error of class %s", err, err, want)
	}
	if ce.Class != want {
		t.Fatalf("class = %s, want %s (%v)", ce.Class, want, err)
	}
	assertNoSecret(t, "error", err.Error())
	return ce
}

func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	if strings.Contains(s, "SECRET") {
		t.Errorf("%s contains a credential: %s", what, s)
	}
}

func assertEvents(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// serveDetail answers GET /v2.0/article/getdetail?id=…: the article with
// its total_view, or -201 for an id Zalo does not know.
func (f *fakeZalo) serveDetail(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	for _, a := range f.articles {
		if a.id != id {
			continue
		}
		d := map[string]any{"id": a.id, "type": "normal", "title": a.title, "status": "show",
			"create_date": a.created.UnixMilli(), "total_share": 3}
		if a.views != nil {
			d["total_view"] = *a.views
		}
		data, _ := json.Marshal(d)
		writeBody(w, 200, nil, `{"error":0,"message":"Success","data":`+string(data)+`}`)
		return
	}
	writeBody(w, 200, nil, `{"error":-201,"message":"Article is not exist"}`)
}

// setViews gives article id a total_view.
func (f *fakeZalo) setViews(id string, views int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.articles {
		if f.articles[i].id == id {
			f.articles[i].views = &views
		}
	}
}

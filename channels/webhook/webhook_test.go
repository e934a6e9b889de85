package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/channels"
)

const (
	testSecret = "s3cr3t-s3cr3t-s3cr3t"
	testPath   = "/hooks/loa"
	// testUnix is 2026-01-15T03:00:00Z, the adapter's clock in these tests.
	testUnix = 1768446000
	// wantBody is testMessage's payload: fixed field order, scheduled_at in
	// UTC, HTML left unescaped, no attempt number or send time.
	wantBody = `{"delivery_id":42,"post_id":7,"channel_id":3,` +
		`"title":"Thông báo lịch tiêm chủng","summary":"Tóm tắt","body_html":"<p>Xin chào &amp; \"hẹn gặp\"</p>",` +
		`"category":"y-te","audience":"public","scheduled_at":"2026-01-15T03:30:00Z"}`
)

func testNow() time.Time { return time.Unix(testUnix, 0).UTC() }

func testMessage() channels.Message {
	return channels.Message{
		DeliveryID:     42,
		PostID:         7,
		ChannelID:      3,
		IdempotencyKey: "delivery-42",
		Title:          "Thông báo lịch tiêm chủng",
		Summary:        "Tóm tắt",
		BodyHTML:       `<p>Xin chào &amp; "hẹn gặp"</p>`,
		Category:       "y-te",
		Audience:       "public",
		ScheduledAt:    time.Date(2026, 1, 15, 10, 30, 0, 0, time.FixedZone("ICT", 7*3600)),
		Attempt:        2,
	}
}

// recorded is one request as the fake receiver saw it.
type recorded struct {
	method string
	path   string
	header http.Header
	body   []byte
}

// newFake starts a receiver that records each request before respond runs,
// so the record is there by the time the client sees any outcome.
func newFake(t *testing.T, respond http.HandlerFunc) (*httptest.Server, <-chan recorded) {
	t.Helper()
	reqs := make(chan recorded, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("fake: read body: %v", err)
		}
		select {
		case reqs <- recorded{method: r.Method, path: r.URL.Path, header: r.Header.Clone(), body: body}:
		default:
			t.Errorf("fake: unexpected extra request %s %s", r.Method, r.URL.Path)
		}
		respond(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, reqs
}

func respondWith(status int, header map[string]string, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func newTestWebhook(t *testing.T, baseURL string, timeout time.Duration, now func() time.Time) *Webhook {
	t.Helper()
	// A transport per test keeps connections from leaking between tests.
	client := &http.Client{Timeout: timeout, Transport: &http.Transport{}}
	w, err := New(Options{URL: baseURL + testPath, Secret: testSecret, Client: client, Now: now})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// takeRequest returns the single request the fake received and fails if
// there was none or more than one.
func takeRequest(t *testing.T, reqs <-chan recorded) recorded {
	t.Helper()
	var got recorded
	select {
	case got = <-reqs:
	default:
		t.Fatal("no request reached the receiver")
	}
	select {
	case extra := <-reqs:
		t.Fatalf("receiver got a second request: %s %s", extra.method, extra.path)
	default:
	}
	return got
}

var signaturePattern = regexp.MustCompile(`^sha256=[0-9a-f]{64}$`)

func assertRequest(t *testing.T, got recorded, wantUnix int64) {
	t.Helper()
	if got.method != http.MethodPost {
		t.Errorf("method = %s, want POST", got.method)
	}
	if got.path != testPath {
		t.Errorf("path = %s, want %s", got.path, testPath)
	}
	wantHeaders := map[string]string{
		"Content-Type":    "application/json",
		"User-Agent":      "Loa-Webhook/1",
		"Idempotency-Key": "delivery-42",
		"X-Loa-Timestamp": strconv.FormatInt(wantUnix, 10),
	}
	for name, want := range wantHeaders {
		if v := got.header.Get(name); v != want {
			t.Errorf("header %s = %q, want %q", name, v, want)
		}
	}
	sig := got.header.Get("X-Loa-Signature")
	if !signaturePattern.MatchString(sig) {
		t.Errorf("X-Loa-Signature = %q, want sha256=<64 lowercase hex>", sig)
	}
	if string(got.body) != wantBody {
		t.Errorf("body =\n%s\nwant\n%s", got.body, wantBody)
	}
	if err := Verify(testSecret, got.header, got.body, time.Unix(wantUnix, 0), time.Minute); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

func TestPublishStatuses(t *testing.T) {
	retryDate := testNow().Add(2 * time.Minute).Format(http.TimeFormat)
	tests := []struct {
		name           string
		status         int
		header         map[string]string
		body           string
		wantClass      channels.Class // zero: success
		wantRetryAfter time.Duration
		wantReauth     bool
		wantID         string
		wantURL        string
		wantErrText    string
	}{
		{name: "200 with string id", status: 200, body: `{"id":"cms-991","url":"https://cms.example.gov.vn/p/991"}`,
			wantID: "cms-991", wantURL: "https://cms.example.gov.vn/p/991"},
		{name: "201 with numeric id", status: 201, body: `{"id":12345678901234567,"url":"https://cms.example.gov.vn/p/1"}`,
			wantID: "12345678901234567", wantURL: "https://cms.example.gov.vn/p/1"},
		{name: "204 without body", status: 204},
		{name: "200 without ids", status: 200, body: `{"ok":true}`},
		{name: "200 garbage body", status: 200, body: "<html>received</html>"},
		{name: "301 is not followed", status: 301, header: map[string]string{"Location": "/elsewhere"}, body: "moved",
			wantClass: channels.ClassPermanent, wantErrText: "webhook: HTTP 301: moved"},
		{name: "400 body on one line", status: 400, body: "{\"error\":\"bad\r\n\trequest\"}",
			wantClass: channels.ClassPermanent, wantErrText: `webhook: HTTP 400: {"error":"bad request"}`},
		{name: "401 needs a person", status: 401, body: "bad signature",
			wantClass: channels.ClassPermanent, wantReauth: true, wantErrText: "webhook: HTTP 401: bad signature"},
		{name: "404", status: 404,
			wantClass: channels.ClassPermanent, wantErrText: "webhook: HTTP 404"},
		{name: "409", status: 409, body: "conflict",
			wantClass: channels.ClassPermanent, wantErrText: "webhook: HTTP 409: conflict"},
		{name: "408", status: 408,
			wantClass: channels.ClassRetryable, wantErrText: "webhook: HTTP 408"},
		{name: "425", status: 425,
			wantClass: channels.ClassRetryable, wantErrText: "webhook: HTTP 425"},
		{name: "429 with Retry-After seconds", status: 429, header: map[string]string{"Retry-After": "7"}, body: "slow down",
			wantClass: channels.ClassRetryable, wantRetryAfter: 7 * time.Second, wantErrText: "webhook: HTTP 429: slow down"},
		{name: "500", status: 500, body: "boom",
			wantClass: channels.ClassRetryable, wantErrText: "webhook: HTTP 500: boom"},
		{name: "503 with Retry-After date", status: 503, header: map[string]string{"Retry-After": retryDate},
			wantClass: channels.ClassRetryable, wantRetryAfter: 2 * time.Minute, wantErrText: "webhook: HTTP 503"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, reqs := newFake(t, respondWith(tt.status, tt.header, tt.body))
			w := newTestWebhook(t, srv.URL, time.Second, testNow)

			receipt, err := w.Publish(context.Background(), testMessage())

			assertRequest(t, takeRequest(t, reqs), testUnix)
			if tt.wantClass == 0 {
				assertSuccess(t, receipt, err, channels.Receipt{ExternalID: tt.wantID, ExternalURL: tt.wantURL, HTTPStatus: tt.status})
				return
			}
			ce := assertClass(t, err, tt.wantClass)
			if receipt != (channels.Receipt{}) {
				t.Errorf("receipt = %+v, want zero on failure", receipt)
			}
			if ce.HTTPStatus != tt.status {
				t.Errorf("HTTPStatus = %d, want %d", ce.HTTPStatus, tt.status)
			}
			if ce.RetryAfter != tt.wantRetryAfter {
				t.Errorf("RetryAfter = %s, want %s", ce.RetryAfter, tt.wantRetryAfter)
			}
			if ce.NeedsReauth != tt.wantReauth {
				t.Errorf("NeedsReauth = %v, want %v", ce.NeedsReauth, tt.wantReauth)
			}
			if !strings.HasSuffix(err.Error(), tt.wantErrText) {
				t.Errorf("error = %q, want it to end with %q", err, tt.wantErrText)
			}
		})
	}
}

func assertSuccess(t *testing.T, got channels.Receipt, err error, want channels.Receipt) {
	t.Helper()
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if got != want {
		t.Errorf("receipt = %+v, want %+v", got, want)
	}
}

// assertClass checks err is a *channels.Error of class want that does not leak the secret.
func assertClass(t *testing.T, err error, want channels.Class) *channels.Error {
	t.Helper()
	var ce *channels.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error = %v (%T), want *channels.Error", err, err)
	}
	if ce.Class != want {
		t.Errorf("class = %s, want %s (error: %v)", ce.Class, want, err)
	}
	if strings.Contains(err.Error(), testSecret) {
		t.Errorf("error text contains the secret: %v", err)
	}
	if !strings.Contains(err.Error(), "webhook: ") {
		t.Errorf("error = %q, want the webhook: prefix", err)
	}
	return ce
}

func TestPublishReadsAtMostOneMiB(t *testing.T) {
	// Valid JSON only if read in full: the ids must stay empty.
	huge := `{"id":"x","url":"` + strings.Repeat("a", 2<<20) + `"}`
	srv, reqs := newFake(t, respondWith(200, nil, huge))
	w := newTestWebhook(t, srv.URL, time.Second, testNow)

	receipt, err := w.Publish(context.Background(), testMessage())

	takeRequest(t, reqs)
	assertSuccess(t, receipt, err, channels.Receipt{HTTPStatus: 200})
}

func TestPublishTransportFailures(t *testing.T) {
	waitForClient := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}
	resetAfterRead := func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		conn.Close()
	}
	tests := []struct {
		name          string
		respond       http.HandlerFunc
		clientTimeout time.Duration
		ctxTimeout    time.Duration
		wantClass     channels.Class
		wantIs        error
	}{
		{name: "client timeout after sending", respond: waitForClient, clientTimeout: 100 * time.Millisecond,
			wantClass: channels.ClassAmbiguous},
		{name: "context deadline after sending", respond: waitForClient, clientTimeout: 5 * time.Second,
			ctxTimeout: 100 * time.Millisecond, wantClass: channels.ClassAmbiguous, wantIs: context.DeadlineExceeded},
		{name: "connection closed without response", respond: resetAfterRead, clientTimeout: time.Second,
			wantClass: channels.ClassAmbiguous},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, reqs := newFake(t, tt.respond)
			w := newTestWebhook(t, srv.URL, tt.clientTimeout, testNow)
			ctx := context.Background()
			if tt.ctxTimeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctxTimeout)
				defer cancel()
			}

			receipt, err := w.Publish(ctx, testMessage())

			assertRequest(t, takeRequest(t, reqs), testUnix)
			ce := assertClass(t, err, tt.wantClass)
			if ce.HTTPStatus != 0 || receipt != (channels.Receipt{}) {
				t.Errorf("status %d, receipt %+v; want none without a response", ce.HTTPStatus, receipt)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error = %v, want it to wrap %v", err, tt.wantIs)
			}
		})
	}
}

func TestPublishNeverSentIsRetryable(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	tlsSrv, tlsReqs := newTLSFake(t)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name string
		url  string
		ctx  context.Context
	}{
		{name: "connection refused", url: closed.URL, ctx: context.Background()},
		// The client does not trust the test certificate, so the handshake fails.
		{name: "TLS handshake failure", url: tlsSrv.URL, ctx: context.Background()},
		{name: "context cancelled before sending", url: closed.URL, ctx: cancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newTestWebhook(t, tt.url, time.Second, testNow)

			_, err := w.Publish(tt.ctx, testMessage())

			ce := assertClass(t, err, channels.ClassRetryable)
			if ce.HTTPStatus != 0 || ce.RetryAfter != 0 {
				t.Errorf("status %d, retry after %s; want zero", ce.HTTPStatus, ce.RetryAfter)
			}
		})
	}
	if len(tlsReqs) != 0 {
		t.Errorf("TLS receiver got %d requests, want 0", len(tlsReqs))
	}
}

func TestPublishDroppedWhileWritingIsRetryable(t *testing.T) {
	// The receiver resets the connection after the first bytes, so a large
	// body can never be written in full: the receiver cannot have acted on it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go resetAfterFirstBytes(ln)
	w, err := New(Options{URL: "http://" + ln.Addr().String(), Secret: testSecret, Client: smallBufferClient()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	msg := testMessage()
	msg.BodyHTML = strings.Repeat("x", 1<<20)

	_, err = w.Publish(context.Background(), msg)

	assertClass(t, err, channels.ClassRetryable)
}

// smallBufferClient dials with a small socket send buffer, so writing a
// large body blocks on the receiver instead of vanishing into kernel buffers.
func smallBufferClient() *http.Client {
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			err = conn.(*net.TCPConn).SetWriteBuffer(16 << 10)
		}
		return conn, err
	}
	return &http.Client{Timeout: time.Second, Transport: &http.Transport{DialContext: dial}}
}

func resetAfterFirstBytes(ln net.Listener) {
	conn, err := ln.Accept()
	if err != nil {
		return
	}
	conn.(*net.TCPConn).SetReadBuffer(16 << 10)
	conn.Read(make([]byte, 512))
	conn.(*net.TCPConn).SetLinger(0) // close with RST rather than FIN
	conn.Close()
}

func newTLSFake(t *testing.T) (*httptest.Server, chan struct{}) {
	t.Helper()
	reqs := make(chan struct{}, 1)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		reqs <- struct{}{}
	}))
	// Silence the expected "TLS handshake error" log lines.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, reqs
}

func TestPublishRefusesBadIdempotencyKey(t *testing.T) {
	for _, key := range []string{"", "delivery-42\r\nX-Evil: 1"} {
		t.Run(strconv.Quote(key), func(t *testing.T) {
			srv, reqs := newFake(t, respondWith(200, nil, ""))
			w := newTestWebhook(t, srv.URL, time.Second, testNow)
			msg := testMessage()
			msg.IdempotencyKey = key

			_, err := w.Publish(context.Background(), msg)

			assertClass(t, err, channels.ClassPermanent)
			if len(reqs) != 0 {
				t.Errorf("receiver got %d requests, want 0", len(reqs))
			}
		})
	}
}

func TestPublishRetrySendsSameBody(t *testing.T) {
	clock := []time.Time{testNow(), testNow().Add(90 * time.Second)}
	now := func() time.Time {
		t := clock[0]
		clock = clock[1:]
		return t
	}
	srv, reqs := newFake(t, respondWith(204, nil, ""))
	w := newTestWebhook(t, srv.URL, time.Second, now)

	var got []recorded
	for range 2 {
		msg := testMessage()
		msg.Attempt++ // the attempt number must not reach the body
		if _, err := w.Publish(context.Background(), msg); err != nil {
			t.Fatalf("Publish: %v", err)
		}
		got = append(got, takeRequest(t, reqs))
	}

	assertRequest(t, got[0], testUnix)
	assertRequest(t, got[1], testUnix+90)
	if string(got[0].body) != string(got[1].body) {
		t.Errorf("bodies differ:\n%s\n%s", got[0].body, got[1].body)
	}
	if got[0].header.Get(HeaderSignature) == got[1].header.Get(HeaderSignature) {
		t.Error("signatures are equal although the timestamps differ")
	}
}

func TestSignKnownVector(t *testing.T) {
	// Computed independently: printf '%s' '1768446000.{"delivery_id":42}' | openssl dgst -sha256 -hmac s3cr3t-s3cr3t-s3cr3t
	want := "sha256=0aee4549d34503f968397e419078352cc76dc6ad22e72a8bb5040cdbcd17a045"
	if got := Sign(testSecret, testUnix, []byte(`{"delivery_id":42}`)); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"delivery_id":42}`)
	signed := func(secret string, ts int64) http.Header {
		h := http.Header{}
		h.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
		h.Set(HeaderSignature, Sign(secret, ts, body))
		return h
	}
	withHeader := func(h http.Header, name, value string) http.Header {
		h.Set(name, value)
		return h
	}
	now := testNow()
	tests := []struct {
		name      string
		secret    string
		header    http.Header
		body      []byte
		tolerance time.Duration
		want      error
	}{
		{name: "valid", secret: testSecret, header: signed(testSecret, testUnix), body: body},
		{name: "valid within tolerance", secret: testSecret, header: signed(testSecret, testUnix-299), body: body},
		{name: "non-positive tolerance means default", secret: testSecret, header: signed(testSecret, testUnix-240), body: body, tolerance: -1},
		{name: "wrong secret", secret: "another-secret-0123", header: signed(testSecret, testUnix), body: body, want: ErrSignature},
		{name: "tampered body", secret: testSecret, header: signed(testSecret, testUnix), body: []byte(`{"delivery_id":43}`), want: ErrSignature},
		{name: "timestamp swapped", secret: testSecret, header: withHeader(signed(testSecret, testUnix), HeaderTimestamp, strconv.Itoa(testUnix+1)), body: body, want: ErrSignature},
		{name: "stale timestamp", secret: testSecret, header: signed(testSecret, testUnix-301), body: body, want: ErrTimestamp},
		{name: "future timestamp", secret: testSecret, header: signed(testSecret, testUnix+301), body: body, want: ErrTimestamp},
		{name: "absurd timestamp", secret: testSecret, header: signed(testSecret, -1<<63), body: body, want: ErrTimestamp},
		{name: "missing timestamp", secret: testSecret, header: withHeader(signed(testSecret, testUnix), HeaderTimestamp, ""), body: body, want: ErrTimestamp},
		{name: "non-numeric timestamp", secret: testSecret, header: withHeader(signed(testSecret, testUnix), HeaderTimestamp, "soon"), body: body, want: ErrTimestamp},
		{name: "missing signature", secret: testSecret, header: withHeader(signed(testSecret, testUnix), HeaderSignature, ""), body: body, want: ErrSignature},
		{name: "wrong scheme", secret: testSecret, header: withHeader(signed(testSecret, testUnix), HeaderSignature, "sha1=00"), body: body, want: ErrSignature},
		{name: "not hex", secret: testSecret, header: withHeader(signed(testSecret, testUnix), HeaderSignature, "sha256=zz"), body: body, want: ErrSignature},
		{name: "empty secret", secret: "", header: signed("", testUnix), body: body, want: ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tolerance := tt.tolerance
			if tolerance == 0 {
				tolerance = 5 * time.Minute
			}
			err := Verify(tt.secret, tt.header, tt.body, now, tolerance)
			if tt.want == nil && err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestKindValidate(t *testing.T) {
	tests := []struct {
		name      string
		config    string
		want      string // normalised config when valid
		wantField string
	}{
		{name: "ok, trimmed", config: `{"url":"  https://cms.example.gov.vn/hooks/loa ","secret":" 0123456789abcdef "}`,
			want: `{"url":"https://cms.example.gov.vn/hooks/loa","secret":"0123456789abcdef"}`},
		{name: "ok, http", config: `{"secret":"0123456789abcdef","url":"http://10.0.0.5:8080/in"}`,
			want: `{"url":"http://10.0.0.5:8080/in","secret":"0123456789abcdef"}`},
		{name: "missing url", config: `{"secret":"0123456789abcdef"}`, wantField: "url"},
		{name: "null url", config: `{"url":null,"secret":"0123456789abcdef"}`, wantField: "url"},
		{name: "blank url", config: `{"url":"   ","secret":"0123456789abcdef"}`, wantField: "url"},
		{name: "relative url", config: `{"url":"/hooks/loa","secret":"0123456789abcdef"}`, wantField: "url"},
		{name: "ftp scheme", config: `{"url":"ftp://cms.example.gov.vn/in","secret":"0123456789abcdef"}`, wantField: "url"},
		{name: "no host", config: `{"url":"https:///in","secret":"0123456789abcdef"}`, wantField: "url"},
		{name: "unparsable url", config: `{"url":"http://[::1","secret":"0123456789abcdef"}`, wantField: "url"},
		{name: "missing secret", config: `{"url":"https://cms.example.gov.vn/in"}`, wantField: "secret"},
		{name: "short secret", config: `{"url":"https://cms.example.gov.vn/in","secret":"  0123456789abcde  "}`, wantField: "secret"},
		{name: "unknown field", config: `{"url":"https://cms.example.gov.vn/in","secret":"0123456789abcdef","method":"PUT"}`, wantField: "method"},
		{name: "wrong type for url", config: `{"url":5,"secret":"0123456789abcdef"}`, wantField: "url"},
		{name: "wrong type for secret", config: `{"url":"https://cms.example.gov.vn/in","secret":true}`, wantField: "secret"},
		{name: "not an object", config: `["https://cms.example.gov.vn/in"]`, wantField: ""},
	}
	validate := Kind().Validate
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := validate(json.RawMessage(tt.config))
			if tt.want != "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				if string(got) != tt.want {
					t.Errorf("Validate = %s, want %s", got, tt.want)
				}
				return
			}
			var ce *channels.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("Validate error = %v (%T), want *channels.ConfigError", err, err)
			}
			if ce.Field != tt.wantField {
				t.Errorf("field = %q, want %q (%v)", ce.Field, tt.wantField, err)
			}
			if strings.Contains(err.Error(), "0123456789abcde") {
				t.Errorf("error text contains the secret: %v", err)
			}
		})
	}
}

func TestKindNewPublishes(t *testing.T) {
	k := Kind()
	if k.Name != "webhook" || len(k.SecretFields) != 1 || k.SecretFields[0] != "secret" {
		t.Fatalf("Kind = %q %v, want webhook [secret]", k.Name, k.SecretFields)
	}
	srv, reqs := newFake(t, respondWith(201, nil, `{"id":"a1"}`))
	config := json.RawMessage(`{"url":"` + srv.URL + testPath + `","secret":"` + testSecret + `"}`)

	for _, env := range []channels.Env{{}, {HTTPClient: srv.Client()}} {
		ch, err := k.New(config, env)
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		if ch.Kind() != "webhook" {
			t.Errorf("Kind() = %q, want webhook", ch.Kind())
		}
		if idem, ok := ch.(channels.Idempotent); !ok || !idem.Idempotent() {
			t.Error("webhook channel is not Idempotent")
		}
		receipt, err := ch.Publish(context.Background(), testMessage())
		assertSuccess(t, receipt, err, channels.Receipt{ExternalID: "a1", HTTPStatus: 201})
		if got := takeRequest(t, reqs); string(got.body) != wantBody {
			t.Errorf("body = %s, want %s", got.body, wantBody)
		}
		if err := ch.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}

	if _, err := k.New(json.RawMessage(`{"url":"ftp://x","secret":"`+testSecret+`"}`), channels.Env{}); err == nil {
		t.Error("New accepted an ftp URL")
	}
}

func TestNewChecksOptions(t *testing.T) {
	tests := []struct {
		name      string
		opts      Options
		wantField string
	}{
		{name: "no url", opts: Options{Secret: testSecret}, wantField: "url"},
		{name: "relative url", opts: Options{URL: "hooks/loa", Secret: testSecret}, wantField: "url"},
		{name: "short secret", opts: Options{URL: "https://cms.example.gov.vn/in", Secret: "short"}, wantField: "secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts)
			var ce *channels.ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.wantField {
				t.Fatalf("New error = %v, want ConfigError on %q", err, tt.wantField)
			}
		})
	}
}

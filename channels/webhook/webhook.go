// Package webhook publishes messages as signed JSON POSTs to any receiver
// that implements Loa's webhook contract (for CMSs without a native adapter).
package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/loa-vn/loa/channels"
)

const (
	kindName         = "webhook"
	userAgent        = "Loa-Webhook/1"
	defaultTimeout   = 30 * time.Second
	minSecretLength  = 16
	maxResponseBytes = 1 << 20
	maxSnippetBytes  = 200
)

// Options configures a Webhook.
type Options struct {
	URL    string
	Secret string
	// Client sends the requests; nil means a client with a 30 s timeout.
	Client *http.Client
	// Now stamps X-Loa-Timestamp and reads Retry-After dates; nil means time.Now.
	Now func() time.Time
}

// Webhook is a channel that POSTs each message to one URL.
type Webhook struct {
	url    string
	secret string
	client *http.Client
	now    func() time.Time
}

var _ channels.Channel = (*Webhook)(nil)
var _ channels.Idempotent = (*Webhook)(nil)

// New checks o the same way Kind().Validate checks a stored config.
func New(o Options) (*Webhook, error) {
	cfg := config{URL: strings.TrimSpace(o.URL), Secret: strings.TrimSpace(o.Secret)}
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	return &Webhook{url: cfg.URL, secret: cfg.Secret, client: noRedirects(o.Client), now: now}, nil
}

// noRedirects returns a copy of c that hands 3xx responses back instead of
// following them: following would turn the POST into a GET (301/302/303) or
// carry the signed request to a host the admin never configured. The copy
// leaves a shared client untouched.
func noRedirects(c *http.Client) *http.Client {
	if c == nil {
		c = &http.Client{Timeout: defaultTimeout}
	}
	cp := *c
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

// Kind returns "webhook".
func (w *Webhook) Kind() string { return kindName }

// Idempotent is true: receivers de-duplicate by the Idempotency-Key header,
// so repeating an ambiguous attempt cannot post twice.
func (w *Webhook) Idempotent() bool { return true }

// Close releases idle connections.
func (w *Webhook) Close() error {
	w.client.CloseIdleConnections()
	return nil
}

// Publish POSTs msg once and classifies the outcome for the worker.
func (w *Webhook) Publish(ctx context.Context, msg channels.Message) (channels.Receipt, error) {
	if err := checkIdempotencyKey(msg.IdempotencyKey); err != nil {
		return channels.Receipt{}, channels.Permanent(err)
	}
	body, err := encodePayload(msg)
	if err != nil {
		return channels.Receipt{}, channels.Permanent(fmt.Errorf("webhook: encode message: %w", err))
	}
	req, err := w.newRequest(ctx, msg.IdempotencyKey, body)
	if err != nil {
		return channels.Receipt{}, channels.Permanent(err)
	}
	resp, wrote, err := w.send(req)
	if err != nil {
		return channels.Receipt{}, transportError(err, wrote)
	}
	defer resp.Body.Close()
	return w.handleResponse(resp)
}

// checkIdempotencyKey refuses keys receivers could not de-duplicate by. A bad
// key never becomes good, so retrying would only repeat the failure.
func checkIdempotencyKey(key string) error {
	if key == "" {
		return errors.New("webhook: message has no idempotency key")
	}
	if strings.ContainsFunc(key, unicode.IsControl) {
		return errors.New("webhook: idempotency key contains control characters")
	}
	return nil
}

// payload is the JSON body. It holds only message content, never the send
// time, so every retry sends the same bytes.
type payload struct {
	DeliveryID  int64  `json:"delivery_id"`
	PostID      int64  `json:"post_id"`
	ChannelID   int64  `json:"channel_id"`
	Title       string `json:"title"`
	Summary     string `json:"summary"`
	BodyHTML    string `json:"body_html"`
	Category    string `json:"category"`
	Audience    string `json:"audience"`
	ScheduledAt string `json:"scheduled_at"`
}

func encodePayload(msg channels.Message) ([]byte, error) {
	p := payload{
		DeliveryID:  msg.DeliveryID,
		PostID:      msg.PostID,
		ChannelID:   msg.ChannelID,
		Title:       msg.Title,
		Summary:     msg.Summary,
		BodyHTML:    msg.BodyHTML,
		Category:    msg.Category,
		Audience:    msg.Audience,
		ScheduledAt: msg.ScheduledAt.UTC().Format(time.RFC3339),
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Keep body_html readable for receivers that log payloads; \u003c is valid but opaque.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func (w *Webhook) newRequest(ctx context.Context, key string, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("webhook: build request: %w", err)
	}
	ts := w.now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Idempotency-Key", key)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(w.secret, ts, body))
	return req, nil
}

// send performs req and reports whether the whole request reached the
// connection, which decides between "never sent" and "maybe received".
func (w *Webhook) send(req *http.Request) (*http.Response, bool, error) {
	var wrote atomic.Bool // set from the transport's writer goroutine
	trace := &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				wrote.Store(true)
			}
		},
	}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	resp, err := w.client.Do(req)
	return resp, wrote.Load(), err
}

// transportError classifies a failure without a response. Before the request
// was fully written (DNS, refused connection, TLS) the receiver cannot have
// acted on it; after, it may have.
func transportError(err error, wrote bool) error {
	err = fmt.Errorf("webhook: send: %w", err)
	if wrote {
		return channels.Ambiguous(err)
	}
	return channels.Retryable(err, 0)
}

func (w *Webhook) handleResponse(resp *http.Response) (channels.Receipt, error) {
	// A read error is ignored: the status line has already decided the outcome.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		receipt := parseReceipt(body)
		receipt.HTTPStatus = code
		return receipt, nil
	case retryableStatus(code):
		wait := parseRetryAfter(resp.Header.Get("Retry-After"), w.now())
		return channels.Receipt{}, channels.Retryable(w.statusError(code, body), wait).WithStatus(code)
	default:
		perr := channels.Permanent(w.statusError(code, body)).WithStatus(code)
		// 401 means the receiver rejected the signature: only a person can fix the secret.
		perr.NeedsReauth = code == http.StatusUnauthorized
		return channels.Receipt{}, perr
	}
}

func retryableStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests:
		return true
	}
	return code >= 500 && code < 600
}

func (w *Webhook) statusError(code int, body []byte) error {
	s := snippet(body, w.secret)
	if s == "" {
		return fmt.Errorf("webhook: HTTP %d", code)
	}
	return fmt.Errorf("webhook: HTTP %d: %s", code, s)
}

// snippet turns the start of a response body into one printable line for an
// error message.
func snippet(body []byte, secret string) string {
	if len(body) > maxSnippetBytes {
		body = body[:maxSnippetBytes]
	}
	// Drops a character cut in half at the limit, and any other invalid bytes.
	s := strings.ToValidUTF8(string(body), "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if secret != "" {
		// A misconfigured receiver might echo its own copy of the secret.
		s = strings.ReplaceAll(s, secret, "[redacted]")
	}
	return s
}

// parseReceipt reads the optional {"id":…,"url":…}; anything else yields
// empty ids, because a 2xx already means the message was delivered.
func parseReceipt(body []byte) channels.Receipt {
	var r struct {
		ID  any `json:"id"`
		URL any `json:"url"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // large numeric ids must not lose digits through float64
	if err := dec.Decode(&r); err != nil {
		return channels.Receipt{}
	}
	return channels.Receipt{ExternalID: scalarString(r.ID), ExternalURL: scalarString(r.URL)}
}

func scalarString(v any) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case json.Number:
		return v.String()
	}
	return ""
}

// parseRetryAfter reads delta-seconds or an HTTP-date; absent, malformed or
// past values give zero so the worker falls back to its own backoff.
func parseRetryAfter(value string, now time.Time) time.Duration {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(value, 10, 64); err == nil {
		if secs <= 0 || secs > math.MaxInt64/int64(time.Second) {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	when, err := http.ParseTime(value)
	if err != nil {
		return 0
	}
	return max(when.Sub(now), 0)
}

// Kind is the registry entry for webhook channels.
func Kind() channels.Kind {
	return channels.Kind{
		Name:         kindName,
		SecretFields: []string{"secret"},
		Validate:     validate,
		New:          newFromConfig,
	}
}

// config is the stored channel config; field order fixes the normalised JSON.
type config struct {
	URL    string `json:"url"`
	Secret string `json:"secret"`
}

func validate(raw json.RawMessage) (json.RawMessage, error) {
	cfg, err := parseConfig(raw)
	if err != nil {
		return nil, err
	}
	return json.Marshal(cfg)
}

func newFromConfig(raw json.RawMessage, env channels.Env) (channels.Channel, error) {
	cfg, err := parseConfig(raw)
	if err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	return New(Options{URL: cfg.URL, Secret: cfg.Secret, Client: env.HTTPClient})
}

// parseConfig decodes strictly: an unknown field is usually a typo that
// would otherwise silently drop a setting.
func parseConfig(raw json.RawMessage) (config, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return config{}, &channels.ConfigError{Field: "", Message: "must be a JSON object"}
	}
	if err := rejectUnknown(fields, "url", "secret"); err != nil {
		return config{}, err
	}
	var cfg config
	var err error
	if cfg.URL, err = stringField(fields, "url"); err != nil {
		return config{}, err
	}
	if cfg.Secret, err = stringField(fields, "secret"); err != nil {
		return config{}, err
	}
	return cfg, cfg.check()
}

func rejectUnknown(fields map[string]json.RawMessage, known ...string) error {
	// Sorted so the same config always reports the same field.
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if !slices.Contains(known, name) {
			return &channels.ConfigError{Field: name, Message: "unknown field"}
		}
	}
	return nil
}

// stringField returns the trimmed string under name; absent and null give "".
func stringField(fields map[string]json.RawMessage, name string) (string, error) {
	raw, ok := fields[name]
	if !ok {
		return "", nil
	}
	var s *string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", &channels.ConfigError{Field: name, Message: "must be a string"}
	}
	if s == nil {
		return "", nil
	}
	return strings.TrimSpace(*s), nil
}

// check validates already trimmed values. Messages never repeat the secret.
func (c config) check() error {
	if err := checkURL(c.URL); err != nil {
		return err
	}
	switch {
	case c.Secret == "":
		return &channels.ConfigError{Field: "secret", Message: "is required"}
	case utf8.RuneCountInString(c.Secret) < minSecretLength:
		return &channels.ConfigError{Field: "secret", Message: fmt.Sprintf("must be at least %d characters", minSecretLength)}
	}
	return nil
}

func checkURL(raw string) error {
	if raw == "" {
		return &channels.ConfigError{Field: "url", Message: "is required"}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return &channels.ConfigError{Field: "url", Message: "is not a valid URL"}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return &channels.ConfigError{Field: "url", Message: "must be an absolute http or https URL"}
	}
	if u.Hostname() == "" {
		return &channels.ConfigError{Field: "url", Message: "must include a host"}
	}
	return nil
}

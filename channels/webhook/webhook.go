// Package webhook publishes messages as signed JSON POSTs to any receiver
// that implements Loa's webhook contract (for CMSs without a native adapter).
package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/platform"
	"github.com/loa-vn/loa/outbound"
	"github.com/loa-vn/loa/secrets"
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
	// Redirects are not followed: that would turn the POST into a GET or
	// carry the signed request to a host the admin never configured.
	client := platform.NoRedirects(o.Client, defaultTimeout)
	return &Webhook{url: cfg.URL, secret: cfg.Secret, client: client, now: now}, nil
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
	resp, wrote, err := platform.Do(w.client, req)
	if err != nil {
		return channels.Receipt{}, platform.Unanswered(fmt.Errorf("webhook: send: %w", platform.ScrubURLError(err)), wrote)
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
	// Unescaped, body_html stays readable for receivers that log payloads.
	return platform.MarshalUnescaped(p)
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

func (w *Webhook) handleResponse(resp *http.Response) (channels.Receipt, error) {
	// A read error is ignored: the status line has already decided the outcome.
	body, _ := platform.ReadBody(resp.Body, maxResponseBytes)
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		receipt := parseReceipt(body)
		receipt.HTTPStatus = code
		return receipt, nil
	case platform.RetryableStatus(code):
		wait := platform.RetryAfter(resp.Header, w.now())
		return channels.Receipt{}, channels.Retryable(w.statusError(code, body), wait).WithStatus(code)
	default:
		perr := channels.Permanent(w.statusError(code, body)).WithStatus(code)
		// 401 means the receiver rejected the signature: only a person can fix the secret.
		perr.NeedsReauth = code == http.StatusUnauthorized
		return channels.Receipt{}, perr
	}
}

func (w *Webhook) statusError(code int, body []byte) error {
	s := platform.Snippet(body, maxSnippetBytes, w.secrets()...)
	if s == "" {
		return fmt.Errorf("webhook: HTTP %d", code)
	}
	return fmt.Errorf("webhook: HTTP %d: %s", code, s)
}

// secrets are what a receiver might echo: the signing secret and the
// credentials inside the URL, which Go sends as Basic auth.
func (w *Webhook) secrets() []string {
	return append([]string{w.secret}, platform.BasicSecrets(secrets.URLCredentials(w.url))...)
}

// parseReceipt reads the optional {"id":…,"url":…}; anything else yields
// empty ids, because a 2xx already means the message was delivered.
func parseReceipt(body []byte) channels.Receipt {
	var r struct {
		ID  any `json:"id"`
		URL any `json:"url"`
	}
	if err := platform.DecodeNumbers(body, &r); err != nil {
		return channels.Receipt{}
	}
	return channels.Receipt{ExternalID: platform.StringOrNumber(r.ID), ExternalURL: platform.StringOrNumber(r.URL)}
}

// Kind is the registry entry for webhook channels.
func Kind() channels.Kind {
	return channels.Kind{
		Name:           kindName,
		SecretFields:   []string{"secret"},
		EndpointFields: []string{"url"},
		Validate:       channels.NormaliseWith(parseConfig),
		New:            newFromConfig,
	}
}

// config is the stored channel config; field order fixes the normalised JSON.
type config struct {
	URL    string `json:"url"`
	Secret string `json:"secret"`
}

func newFromConfig(raw json.RawMessage, env channels.Env) (channels.Channel, error) {
	cfg, err := parseConfig(raw)
	if err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	return New(Options{URL: cfg.URL, Secret: cfg.Secret, Client: env.HTTPClient})
}

// parseConfig decodes strictly and returns trimmed, checked values.
func parseConfig(raw json.RawMessage) (config, error) {
	fields, err := channels.DecodeConfig(raw, "url", "secret")
	if err != nil {
		return config{}, err
	}
	var cfg config
	if cfg.URL, err = fields.String("url"); err != nil {
		return config{}, err
	}
	if cfg.Secret, err = fields.String("secret"); err != nil {
		return config{}, err
	}
	return cfg, cfg.check()
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
	if _, err := outbound.ParseURL(raw); err != nil {
		return &channels.ConfigError{Field: "url", Message: err.Error()}
	}
	return nil
}

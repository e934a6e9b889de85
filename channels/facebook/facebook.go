// Package facebook publishes messages to a Facebook Page through the Graph
// API: text posts with an optional link to the Page feed, or photo posts when
// the message has an illustration.
//
// Graph has no idempotency key, so after an attempt whose outcome is unknown
// the adapter looks for a post with exactly the text it would send (Find)
// instead of posting again. It also reads Graph's usage headers on every
// response and pauses publishing locally while Facebook throttles the app or
// the Page, because every call made while throttled prolongs the block.
package facebook

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/platform"
)

const (
	// KindName is the registered kind of this adapter.
	KindName = "facebook_page"
	// DefaultAPIVersion is the Graph version used when a config names none.
	DefaultAPIVersion = "v25.0"
	// DefaultBaseURL is Graph's address; tests and proxies may override it.
	DefaultBaseURL = "https://graph.facebook.com"
	// MaxMessageRunes is the longest post text Facebook accepts.
	MaxMessageRunes = 63206

	// postURLBase turns a "{page}_{post}" id into a link that opens the post.
	postURLBase = "https://www.facebook.com/"
	userAgent   = "Loa-Facebook/1"

	defaultTimeout = 30 * time.Second
	// defaultThrottleWait applies when Graph throttles without saying for
	// how long: its rolling windows usually free some capacity within minutes.
	defaultThrottleWait = 5 * time.Minute
	// defaultPolicyWait applies to code 368 (temporarily blocked for a
	// policy reason); such blocks last hours, retrying sooner only adds strikes.
	defaultPolicyWait = 6 * time.Hour
)

// Options configures a Facebook Page channel.
type Options struct {
	PageID    string
	PageToken string
	// APIVersion is the Graph version, e.g. "v25.0"; empty means DefaultAPIVersion.
	APIVersion string
	// BaseURL is Graph's address without version; empty means DefaultBaseURL.
	BaseURL string
	// Client sends the requests; nil means a client with a 30 s timeout.
	Client *http.Client
	// Now is the clock for throttling pauses; nil means time.Now.
	Now func() time.Time
	// Logger receives throttling notices; nil discards them. URLs and the
	// token are never logged.
	Logger *slog.Logger
	// ChannelID is added to log lines.
	ChannelID int64
	// ThrottleWait is the pause after throttling when Graph gives no
	// estimate; zero means 5 minutes.
	ThrottleWait time.Duration
	// PolicyWait is the pause after error 368; zero means 6 hours.
	PolicyWait time.Duration
}

// Facebook is a channel that posts to one Facebook Page. It is safe for
// concurrent use.
type Facebook struct {
	pageID  string
	token   string
	version string
	base    string
	client  *http.Client
	now     func() time.Time
	log     *slog.Logger

	throttleWait time.Duration
	policyWait   time.Duration

	mu    sync.Mutex
	pause pause // guarded by mu
}

// pause is a period during which Publish refuses to call Graph.
type pause struct {
	until  time.Time
	reason string
}

var (
	_ channels.Channel   = (*Facebook)(nil)
	_ channels.Finder    = (*Facebook)(nil)
	_ channels.Checker   = (*Facebook)(nil)
	_ channels.Previewer = (*Facebook)(nil)
)

// New checks o the same way Kind().Validate checks a stored config.
func New(o Options) (*Facebook, error) {
	cfg := config{PageID: o.PageID, PageToken: o.PageToken, APIVersion: o.APIVersion, BaseURL: o.BaseURL}.withDefaults()
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("facebook: %w", err)
	}
	f := &Facebook{
		pageID:       cfg.PageID,
		token:        cfg.PageToken,
		version:      cfg.APIVersion,
		base:         cfg.BaseURL,
		client:       platform.NoRedirects(o.Client, defaultTimeout),
		now:          o.Now,
		log:          o.Logger,
		throttleWait: o.ThrottleWait,
		policyWait:   o.PolicyWait,
	}
	if f.now == nil {
		f.now = time.Now
	}
	if f.log == nil {
		f.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	f.log = f.log.With("channel_kind", KindName, "channel_id", o.ChannelID)
	if f.throttleWait <= 0 {
		f.throttleWait = defaultThrottleWait
	}
	if f.policyWait <= 0 {
		f.policyWait = defaultPolicyWait
	}
	return f, nil
}

// Kind returns "facebook_page".
func (f *Facebook) Kind() string { return KindName }

// Close releases idle connections.
func (f *Facebook) Close() error {
	f.client.CloseIdleConnections()
	return nil
}

// Publish creates one Page post for msg and classifies the outcome for the
// worker. While a throttling pause is running it refuses without calling Graph.
func (f *Facebook) Publish(ctx context.Context, msg channels.Message) (channels.Receipt, error) {
	if wait, reason := f.paused(); wait > 0 {
		return channels.Receipt{}, channels.Retryable(fmt.Errorf(
			"facebook: publishing to this Page is paused for another %s because %s; Loa retries after that",
			wait.Round(time.Second), reason), wait)
	}
	p := buildPost(msg)
	if err := p.check(); err != nil {
		return channels.Receipt{}, channels.Permanent(err)
	}
	form := p.form()
	form.Set("access_token", f.token)
	res, err := f.post(ctx, p.endpoint, form)
	if err != nil {
		return channels.Receipt{}, err
	}
	if !res.ok() {
		return channels.Receipt{}, f.failure("publish the post", res)
	}
	id, err := f.postID(res)
	if err != nil {
		// A 2xx means Graph took the post; only its id is missing, and Find
		// can recover it, so the worker must look before posting again.
		return channels.Receipt{}, channels.Ambiguous(err).WithStatus(res.status)
	}
	return channels.Receipt{ExternalID: id, ExternalURL: postURL(id), HTTPStatus: res.status}, nil
}

func postURL(id string) string { return postURLBase + url.PathEscape(id) }

// paused reports how long the current pause still runs, and why.
func (f *Facebook) paused() (time.Duration, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	wait := f.pause.until.Sub(f.now())
	if wait <= 0 {
		return 0, ""
	}
	return wait, f.pause.reason
}

// pauseFor stops publishing for wait, unless a longer pause already runs.
func (f *Facebook) pauseFor(wait time.Duration, reason string) {
	if wait <= 0 {
		return
	}
	until := f.now().Add(wait)
	f.mu.Lock()
	extended := until.After(f.pause.until)
	if extended {
		f.pause = pause{until: until, reason: reason}
	}
	f.mu.Unlock()
	if extended {
		f.log.Warn("facebook: publishing paused", "reason", reason, "until", until)
	}
}

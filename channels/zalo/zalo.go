// Package zalo publishes messages as articles (bài viết) on a Zalo Official
// Account through the Zalo OA Open API, optionally broadcasting each article
// to the OA's followers.
//
// Zalo answers every error with HTTP 200 and a non-zero "error" field, creates
// articles asynchronously (create returns a token, verify later returns the
// article id) and rotates the refresh token on every use. The adapter
// therefore keeps the token pair in the channel's stored config through a
// ConfigStore, refreshing under the channel's lock so that several worker
// processes never spend the same single-use refresh token twice.
package zalo

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/platform"
)

const (
	// KindName is the registered kind of this adapter.
	KindName = "zalo_oa"
	// DefaultAPIBaseURL is Zalo's Open API host.
	DefaultAPIBaseURL = "https://openapi.zalo.me"
	// DefaultOAuthBaseURL is Zalo's OAuth host, which issues OA tokens.
	DefaultOAuthBaseURL = "https://oauth.zaloapp.com"
	// DefaultPollInterval is how long to wait between article verify calls.
	DefaultPollInterval = 2 * time.Second
	// DefaultMaxWait is how long to wait for Zalo to turn a create token into an article id.
	DefaultMaxWait = 60 * time.Second

	userAgent      = "Loa-Zalo/1"
	defaultTimeout = 30 * time.Second
)

// Options configures a Zalo channel. The string fields are checked the same
// way Kind(store).Validate checks a stored config.
type Options struct {
	AppID        string
	SecretKey    string
	RefreshToken string
	AccessToken  string
	// AccessTokenExpiresAt is when AccessToken stops working; zero if unknown.
	AccessTokenExpiresAt time.Time
	// DefaultCoverURL is the cover used when a message has no image.
	DefaultCoverURL string
	// Broadcast sends each new article to the OA's followers.
	Broadcast bool
	// APIBaseURL and OAuthBaseURL default to Zalo's public hosts.
	APIBaseURL   string
	OAuthBaseURL string

	// Store and ChannelID say where refreshed tokens are saved. Without them
	// the adapter refuses to refresh: spending the single-use refresh token
	// without saving its successor would lock the OA out.
	Store     ConfigStore
	ChannelID int64

	// Client sends the requests; nil means a client with a 30 s timeout.
	Client *http.Client
	// Logger receives broadcast outcomes and token events; nil discards them.
	Logger *slog.Logger
	// Now reads the clock for token expiry and sending hours; nil means time.Now.
	Now func() time.Time
	// Location is the zone of the 06:00–20:00 broadcast window; nil means UTC+7.
	Location *time.Location
	// PollInterval and MaxWait pace article verification (defaults 2 s and 60 s).
	PollInterval time.Duration
	MaxWait      time.Duration
}

// Zalo is a channel that publishes articles on one Zalo Official Account.
type Zalo struct {
	apiBase      string
	oauthBase    string
	defaultCover string
	broadcast    bool
	store        ConfigStore
	channelID    int64
	client       *http.Client
	log          *slog.Logger
	now          func() time.Time
	zone         *time.Location
	pollInterval time.Duration
	maxWait      time.Duration

	// mu guards the token state and the rate-limit pause, which concurrent
	// Publish calls share.
	mu  sync.Mutex
	tok tokens
	// secretKey is only read to redact it from messages; the refresh itself
	// reads the stored config, which may be newer.
	secretKey string
	// pending is a pair Zalo issued whose save failed; it is saved (not
	// fetched again) on the next refresh, because the refresh token it
	// replaced is already dead.
	pending     *rotation
	pausedUntil time.Time
}

var (
	_ channels.Channel   = (*Zalo)(nil)
	_ channels.Finder    = (*Zalo)(nil)
	_ channels.Checker   = (*Zalo)(nil)
	_ channels.Previewer = (*Zalo)(nil)
)

// New checks o and builds a channel.
func New(o Options) (*Zalo, error) {
	cfg := o.config()
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("zalo: %w", err)
	}
	z := &Zalo{
		apiBase:      cfg.APIBaseURL,
		oauthBase:    cfg.OAuthBaseURL,
		defaultCover: cfg.DefaultCoverURL,
		broadcast:    cfg.Broadcast,
		store:        o.Store,
		channelID:    o.ChannelID,
		client:       platform.NoRedirects(o.Client, defaultTimeout),
		log:          o.Logger,
		now:          o.Now,
		zone:         o.Location,
		pollInterval: o.PollInterval,
		maxWait:      o.MaxWait,
		tok:          cfg.tokens(),
		secretKey:    cfg.SecretKey,
	}
	z.fillDefaults()
	return z, nil
}

func (o Options) config() config {
	cfg := config{
		AppID:           strings.TrimSpace(o.AppID),
		SecretKey:       strings.TrimSpace(o.SecretKey),
		RefreshToken:    strings.TrimSpace(o.RefreshToken),
		AccessToken:     strings.TrimSpace(o.AccessToken),
		DefaultCoverURL: strings.TrimSpace(o.DefaultCoverURL),
		Broadcast:       o.Broadcast,
		APIBaseURL:      strings.TrimSpace(o.APIBaseURL),
		OAuthBaseURL:    strings.TrimSpace(o.OAuthBaseURL),
	}
	if !o.AccessTokenExpiresAt.IsZero() {
		cfg.AccessTokenExpiresAt = o.AccessTokenExpiresAt.UTC().Format(time.RFC3339)
	}
	cfg.fillDefaults()
	return cfg
}

func (z *Zalo) fillDefaults() {
	if z.log == nil {
		z.log = slog.New(slog.DiscardHandler)
	}
	if z.now == nil {
		z.now = time.Now
	}
	if z.zone == nil {
		z.zone = channels.Env{}.Zone()
	}
	if z.pollInterval <= 0 {
		z.pollInterval = DefaultPollInterval
	}
	if z.maxWait <= 0 {
		z.maxWait = DefaultMaxWait
	}
}

// Kind returns "zalo_oa".
func (z *Zalo) Kind() string { return KindName }

// Close releases idle connections.
func (z *Zalo) Close() error {
	z.client.CloseIdleConnections()
	return nil
}

// Publish creates the article, waits until Zalo has turned it into an
// article id and, when the channel broadcasts, sends it to followers.
// Zalo has no idempotency key: after an Ambiguous failure the worker must
// call Find before publishing again.
func (z *Zalo) Publish(ctx context.Context, msg channels.Message) (channels.Receipt, error) {
	d := z.compose(msg)
	if err := d.problem(); err != nil {
		return channels.Receipt{}, channels.Permanent(err)
	}
	if wait := z.pause(); wait > 0 {
		err := fmt.Errorf("zalo: create article: the OA's request quota for this minute is spent (X-RateLimit-Remain: 0); Loa will retry in %s", wait.Round(time.Second))
		return channels.Receipt{}, channels.Retryable(err, wait)
	}
	token, err := z.createArticle(ctx, d.article)
	if err != nil {
		return channels.Receipt{}, err
	}
	id, status, err := z.waitForID(ctx, token)
	if err != nil {
		return channels.Receipt{}, err
	}
	z.broadcastArticle(ctx, id)
	return channels.Receipt{ExternalID: id, HTTPStatus: status}, nil
}

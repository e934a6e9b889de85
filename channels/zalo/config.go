package zalo

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/outbound"
)

// ConfigStore persists the channel's config when the adapter rotates tokens.
type ConfigStore interface {
	// UpdateConfig calls fn with the channel's current stored config while holding
	// the channel's lease (across processes, outside any database transaction, so
	// fn may call Zalo), stores fn's result durably and returns only once it is
	// committed. If fn returns an error, nothing is stored and that error is
	// returned. Returning the same bytes stores nothing. fn may run again with a
	// newer config if a person saved the channel meanwhile.
	UpdateConfig(ctx context.Context, channelID int64, fn func(current json.RawMessage) (json.RawMessage, error)) error
}

// Kind is the registry entry for Zalo OA channels. store keeps the rotating
// token pair durable and shared between worker processes; without it the
// adapter can publish with a valid access token but never refresh it.
func Kind(store ConfigStore) channels.Kind {
	return channels.Kind{
		Name:           KindName,
		SecretFields:   []string{"secret_key", "refresh_token", "access_token"},
		EndpointFields: []string{"api_base_url", "oauth_base_url"},
		// Renewed by refresh from the OAuth endpoint; never carried to a new one.
		RenewedFields: []string{"access_token", "access_token_expires_at"},
		Validate:      channels.NormaliseWith(parseConfig),
		New: func(raw json.RawMessage, env channels.Env) (channels.Channel, error) {
			return newFromConfig(raw, env, store)
		},
	}
}

// config is the stored channel config; field order fixes the normalised JSON.
// AccessTokenExpiresAt is written by the adapter itself after each refresh.
type config struct {
	AppID                string `json:"app_id"`
	SecretKey            string `json:"secret_key"`
	RefreshToken         string `json:"refresh_token"`
	AccessToken          string `json:"access_token"`
	AccessTokenExpiresAt string `json:"access_token_expires_at,omitempty"`
	DefaultCoverURL      string `json:"default_cover_url"`
	Broadcast            bool   `json:"broadcast"`
	APIBaseURL           string `json:"api_base_url"`
	OAuthBaseURL         string `json:"oauth_base_url"`
}

var stringFields = []string{
	"app_id", "secret_key", "refresh_token", "access_token", "access_token_expires_at",
	"default_cover_url", "api_base_url", "oauth_base_url",
}

func newFromConfig(raw json.RawMessage, env channels.Env, store ConfigStore) (channels.Channel, error) {
	cfg, err := parseConfig(raw)
	if err != nil {
		return nil, fmt.Errorf("zalo: %w", err)
	}
	return New(Options{
		AppID:                cfg.AppID,
		SecretKey:            cfg.SecretKey,
		RefreshToken:         cfg.RefreshToken,
		AccessToken:          cfg.AccessToken,
		AccessTokenExpiresAt: cfg.expiresAt(),
		DefaultCoverURL:      cfg.DefaultCoverURL,
		Broadcast:            cfg.Broadcast,
		APIBaseURL:           cfg.APIBaseURL,
		OAuthBaseURL:         cfg.OAuthBaseURL,
		Store:                store,
		ChannelID:            env.ChannelID,
		Client:               env.HTTPClient,
		Logger:               env.Logger,
		Now:                  env.Now,
		Location:             env.Zone(),
	})
}

// parseConfig decodes strictly and returns trimmed, defaulted, checked values.
func parseConfig(raw json.RawMessage) (config, error) {
	fields, err := channels.DecodeConfig(raw, append(slices.Clone(stringFields), "broadcast")...)
	if err != nil {
		return config{}, err
	}
	values := make(map[string]string, len(stringFields))
	for _, name := range stringFields {
		v, err := fields.String(name)
		if err != nil {
			return config{}, err
		}
		values[name] = v
	}
	broadcast, err := fields.Bool("broadcast")
	if err != nil {
		return config{}, err
	}
	cfg := config{
		AppID:                values["app_id"],
		SecretKey:            values["secret_key"],
		RefreshToken:         values["refresh_token"],
		AccessToken:          values["access_token"],
		AccessTokenExpiresAt: values["access_token_expires_at"],
		DefaultCoverURL:      values["default_cover_url"],
		Broadcast:            broadcast,
		APIBaseURL:           values["api_base_url"],
		OAuthBaseURL:         values["oauth_base_url"],
	}
	cfg.fillDefaults()
	return cfg, cfg.check()
}

// fillDefaults sets the public Zalo hosts and normalises what has one
// canonical spelling, so equal configs have equal bytes.
func (c *config) fillDefaults() {
	if c.APIBaseURL == "" {
		c.APIBaseURL = DefaultAPIBaseURL
	}
	if c.OAuthBaseURL == "" {
		c.OAuthBaseURL = DefaultOAuthBaseURL
	}
	c.APIBaseURL = strings.TrimRight(c.APIBaseURL, "/")
	c.OAuthBaseURL = strings.TrimRight(c.OAuthBaseURL, "/")
	if t, err := time.Parse(time.RFC3339, c.AccessTokenExpiresAt); err == nil {
		c.AccessTokenExpiresAt = t.UTC().Format(time.RFC3339)
	}
}

// check validates already trimmed values. Messages never repeat a secret.
func (c config) check() error {
	required := []struct{ name, value string }{
		{"app_id", c.AppID}, {"secret_key", c.SecretKey}, {"refresh_token", c.RefreshToken},
	}
	for _, f := range required {
		if f.value == "" {
			return &channels.ConfigError{Field: f.name, Message: "is required (copy it from the Zalo app's settings)"}
		}
	}
	tokens := []struct{ name, value string }{
		{"app_id", c.AppID}, {"secret_key", c.SecretKey}, {"refresh_token", c.RefreshToken}, {"access_token", c.AccessToken},
	}
	for _, f := range tokens {
		// These travel in HTTP headers and form fields; a pasted line break
		// would make every request fail.
		if strings.ContainsFunc(f.value, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
			return &channels.ConfigError{Field: f.name, Message: "must not contain spaces, line breaks or control characters"}
		}
	}
	if c.AccessTokenExpiresAt != "" {
		if _, err := time.Parse(time.RFC3339, c.AccessTokenExpiresAt); err != nil {
			return &channels.ConfigError{Field: "access_token_expires_at", Message: "must be an RFC 3339 time such as 2026-01-15T03:00:00Z"}
		}
	}
	if c.DefaultCoverURL != "" {
		if err := checkURL("default_cover_url", c.DefaultCoverURL, "https"); err != nil {
			return err
		}
	}
	if err := checkURL("api_base_url", c.APIBaseURL, "http", "https"); err != nil {
		return err
	}
	return checkURL("oauth_base_url", c.OAuthBaseURL, "http", "https")
}

func checkURL(field, raw string, schemes ...string) error {
	u, err := outbound.ParseURL(raw)
	if err != nil {
		return &channels.ConfigError{Field: field, Message: err.Error()}
	}
	if !slices.Contains(schemes, u.Scheme) {
		return &channels.ConfigError{Field: field, Message: "must be an absolute " + strings.Join(schemes, " or ") + " URL"}
	}
	return nil
}

// expiresAt is the parsed access_token_expires_at; zero when unknown.
func (c config) expiresAt() time.Time {
	t, err := time.Parse(time.RFC3339, c.AccessTokenExpiresAt)
	if err != nil {
		return time.Time{}
	}
	return t
}

func (c config) tokens() tokens {
	return tokens{access: c.AccessToken, refresh: c.RefreshToken, expiresAt: c.expiresAt()}
}

// withTokens returns c holding t, stamped the way Validate would write it.
func (c config) withTokens(t tokens) config {
	c.AccessToken = t.access
	c.RefreshToken = t.refresh
	c.AccessTokenExpiresAt = ""
	if !t.expiresAt.IsZero() {
		c.AccessTokenExpiresAt = t.expiresAt.UTC().Format(time.RFC3339)
	}
	return c
}

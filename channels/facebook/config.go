package facebook

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/outbound"
)

// Kind is the registry entry for Facebook Page channels.
func Kind() channels.Kind {
	return channels.Kind{
		Name:           KindName,
		SecretFields:   []string{"page_token"},
		EndpointFields: []string{"api_base_url"},
		Validate:       channels.NormaliseWith(parseConfig),
		New:            newFromConfig,
	}
}

// config is the stored channel config; field order fixes the normalised JSON.
type config struct {
	PageID     string `json:"page_id"`
	PageToken  string `json:"page_token"`
	APIVersion string `json:"api_version"`
	BaseURL    string `json:"api_base_url"`
}

const maxPageIDLen = 32

func newFromConfig(raw json.RawMessage, env channels.Env) (channels.Channel, error) {
	cfg, err := parseConfig(raw)
	if err != nil {
		return nil, fmt.Errorf("facebook: %w", err)
	}
	return New(Options{
		PageID:     cfg.PageID,
		PageToken:  cfg.PageToken,
		APIVersion: cfg.APIVersion,
		BaseURL:    cfg.BaseURL,
		Client:     env.HTTPClient,
		Now:        env.Now,
		Logger:     env.Logger,
		ChannelID:  env.ChannelID,
	})
}

// parseConfig decodes strictly and returns trimmed, defaulted, checked values.
func parseConfig(raw json.RawMessage) (config, error) {
	fields, err := channels.DecodeConfig(raw, "page_id", "page_token", "api_version", "api_base_url")
	if err != nil {
		return config{}, err
	}
	var cfg config
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{"page_id", &cfg.PageID},
		{"page_token", &cfg.PageToken},
		{"api_version", &cfg.APIVersion},
		{"api_base_url", &cfg.BaseURL},
	} {
		if *f.dst, err = fields.String(f.name); err != nil {
			return config{}, err
		}
	}
	cfg = cfg.withDefaults()
	return cfg, cfg.check()
}

func (c config) withDefaults() config {
	c.PageID = strings.TrimSpace(c.PageID)
	c.PageToken = strings.TrimSpace(c.PageToken)
	c.APIVersion = strings.TrimSpace(c.APIVersion)
	if c.APIVersion == "" {
		c.APIVersion = DefaultAPIVersion
	}
	c.BaseURL = strings.TrimRight(strings.TrimSpace(c.BaseURL), "/")
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	return c
}

// check validates values already trimmed and defaulted. Messages never
// repeat the token.
func (c config) check() error {
	if err := checkPageID(c.PageID); err != nil {
		return err
	}
	if err := checkToken(c.PageToken); err != nil {
		return err
	}
	if !validVersion(c.APIVersion) {
		return &channels.ConfigError{Field: "api_version", Message: `must look like "v25.0"`}
	}
	return checkBaseURL(c.BaseURL)
}

// validVersion accepts Graph versions such as "v25.0". The version is
// placed in the request path, so nothing else may pass.
func validVersion(v string) bool {
	major, minor, ok := strings.Cut(strings.TrimPrefix(v, "v"), ".")
	return ok && strings.HasPrefix(v, "v") && digits(major, 3) && digits(minor, 2)
}

// digits reports whether s is 1 to max ASCII digits.
func digits(s string, max int) bool {
	return s != "" && len(s) <= max && !strings.ContainsFunc(s, notDigit)
}

func notDigit(r rune) bool { return r < '0' || r > '9' }

func checkPageID(id string) error {
	switch {
	case id == "":
		return &channels.ConfigError{Field: "page_id", Message: "is required (the numeric ID shown in the Page's About section)"}
	case !digits(id, maxPageIDLen):
		return &channels.ConfigError{Field: "page_id", Message: "must be the Page's numeric ID (digits only), not its name or URL"}
	}
	return nil
}

func checkToken(token string) error {
	if token == "" {
		return &channels.ConfigError{Field: "page_token", Message: "is required (a long-lived Page access token)"}
	}
	if strings.ContainsFunc(token, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return &channels.ConfigError{Field: "page_token", Message: "must not contain spaces or line breaks; paste the token again"}
	}
	return nil
}

func checkBaseURL(raw string) error {
	u, err := outbound.ParseURL(raw)
	if err != nil {
		return &channels.ConfigError{Field: "api_base_url", Message: err.Error()}
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery {
		return &channels.ConfigError{Field: "api_base_url", Message: "must be a plain base URL without credentials, query or fragment, e.g. " + DefaultBaseURL}
	}
	return nil
}

package wordpress

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/outbound"
)

// appPasswordLength is the length of the Application Passwords WordPress
// generates (WP_Application_Passwords::PW_LENGTH), without spaces.
const appPasswordLength = 24

// Kind is the registry entry for WordPress channels.
func Kind() channels.Kind {
	return channels.Kind{
		Name:           kindName,
		SecretFields:   []string{"app_password"},
		EndpointFields: []string{"base_url"},
		Validate:       channels.NormaliseWith(parseConfig),
		New:            newFromConfig,
	}
}

// config is the stored channel config; field order fixes the normalised JSON.
type config struct {
	BaseURL     string `json:"base_url"`
	Username    string `json:"username"`
	AppPassword string `json:"app_password"`
}

func newFromConfig(raw json.RawMessage, env channels.Env) (channels.Channel, error) {
	cfg, err := parseConfig(raw)
	if err != nil {
		return nil, fmt.Errorf("wordpress: %w", err)
	}
	return New(Options{
		BaseURL:     cfg.BaseURL,
		Username:    cfg.Username,
		AppPassword: cfg.AppPassword,
		Client:      env.HTTPClient,
		Now:         env.Clock(),
	})
}

// parseConfig decodes strictly and returns normalised, checked values.
func parseConfig(raw json.RawMessage) (config, error) {
	fields, err := channels.DecodeConfig(raw, "base_url", "username", "app_password")
	if err != nil {
		return config{}, err
	}
	var cfg config
	if cfg.BaseURL, err = fields.String("base_url"); err != nil {
		return config{}, err
	}
	if cfg.Username, err = fields.String("username"); err != nil {
		return config{}, err
	}
	if cfg.AppPassword, err = fields.String("app_password"); err != nil {
		return config{}, err
	}
	cfg = cfg.normalised()
	return cfg, cfg.check()
}

// normalised trims the values, drops the base URL's trailing slashes (Loa
// appends its own paths) and the spaces WordPress shows inside an
// Application Password (they are only for reading it aloud).
func (c config) normalised() config {
	return config{
		BaseURL:     strings.TrimRight(strings.TrimSpace(c.BaseURL), "/"),
		Username:    strings.TrimSpace(c.Username),
		AppPassword: strings.Join(strings.Fields(c.AppPassword), ""),
	}
}

// check validates normalised values. Messages never repeat the password.
func (c config) check() error {
	if err := checkBaseURL(c.BaseURL); err != nil {
		return err
	}
	if err := checkUsername(c.Username); err != nil {
		return err
	}
	return checkAppPassword(c.AppPassword)
}

func checkBaseURL(raw string) error {
	field := "base_url"
	if raw == "" {
		return &channels.ConfigError{Field: field, Message: "is required: the site's address, e.g. https://xa.gov.vn"}
	}
	u, err := outbound.ParseURL(raw)
	switch {
	case err != nil:
		return &channels.ConfigError{Field: field, Message: err.Error()}
	case u.User != nil:
		return &channels.ConfigError{Field: field, Message: "must not contain a user name or password; put them in username and app_password"}
	case u.RawQuery != "" || u.ForceQuery:
		return &channels.ConfigError{Field: field, Message: "must be the site's address without ?query or #fragment"}
	}
	for _, part := range []string{"/wp-json", "/wp-admin", "/wp-login.php", "/index.php"} {
		if strings.Contains(strings.ToLower(u.Path), part) {
			return &channels.ConfigError{Field: field, Message: fmt.Sprintf("must be the site's address (e.g. https://xa.gov.vn), without %s", part)}
		}
	}
	return nil
}

func checkUsername(name string) error {
	switch {
	case name == "":
		return &channels.ConfigError{Field: "username", Message: "is required: the WordPress login the Application Password belongs to"}
	case strings.Contains(name, ":"):
		// Basic auth ends the user name at the first colon.
		return &channels.ConfigError{Field: "username", Message: "must not contain ':'"}
	case strings.ContainsFunc(name, unicode.IsControl):
		return &channels.ConfigError{Field: "username", Message: "must not contain control characters"}
	}
	return nil
}

// checkAppPassword accepts only what WordPress generates, which also keeps
// an account's login password (full access to the site) out of Loa.
func checkAppPassword(pw string) error {
	const hint = "create one in WordPress under Users → Profile → Application Passwords; the account's login password does not work here"
	if pw == "" {
		return &channels.ConfigError{Field: "app_password", Message: "is required: " + hint}
	}
	alnum := !strings.ContainsFunc(pw, func(r rune) bool { return r > unicode.MaxASCII || !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if !alnum || len(pw) != appPasswordLength {
		return &channels.ConfigError{Field: "app_password", Message: fmt.Sprintf(
			"must be a WordPress Application Password: %d letters and digits (spaces optional); %s", appPasswordLength, hint)}
	}
	return nil
}

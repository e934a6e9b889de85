// Package rss is the "rss" channel kind: a public RSS 2.0 / Atom feed that
// Loa serves itself at /feeds/{slug}.rss and /feeds/{slug}.atom.
//
// Publishing to such a channel calls nothing remote: a delivery is part of the
// feed as soon as it is marked delivered, because the feed handler lists the
// channel's delivered posts. Publish therefore only checks the message and
// names the item it will appear as.
package rss

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/loa-vn/loa/channels"
)

const (
	// KindName is the registered kind of this adapter.
	KindName = "rss"

	// DefaultLanguage is used when a config names no language: Loa publishes
	// Vietnamese government news.
	DefaultLanguage = "vi"

	maxSlugLen        = 64
	maxTitleLen       = 200
	maxDescriptionLen = 1000
	// maxLanguageLen is generous for a BCP 47 tag such as "vi" or "en-US".
	maxLanguageLen = 35

	// idPrefix keeps feed and item ids free of the public host, so moving Loa
	// to another domain does not make every reader show old items as new.
	idPrefix = "urn:loa:feed:"
)

// Config is the normalised configuration of an rss channel.
type Config struct {
	Slug        string `json:"slug"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Language    string `json:"language"`
}

// Kind returns the registry entry of the rss adapter. It has no secret
// fields: everything about a public feed is public.
func Kind() channels.Kind {
	return channels.Kind{
		Name:     KindName,
		Validate: channels.NormaliseWith(ParseConfig),
		FeedSlug: feedSlug,
		New:      newFromConfig,
	}
}

func feedSlug(raw json.RawMessage) string {
	c, err := ParseConfig(raw)
	if err != nil {
		return ""
	}
	return c.Slug
}

func newFromConfig(raw json.RawMessage, env channels.Env) (channels.Channel, error) {
	// The config was validated when stored, but checking again costs nothing
	// and protects against rows written before a rule tightened.
	c, err := ParseConfig(raw)
	if err != nil {
		return nil, fmt.Errorf("rss: %w", err)
	}
	return New(Options{Slug: c.Slug, Title: c.Title, PublicBaseURL: env.PublicBaseURL})
}

// ParseConfig strictly decodes and normalises an rss channel config. Every
// failure is a *channels.ConfigError naming the field, so the admin UI can
// point at it.
func ParseConfig(raw json.RawMessage) (Config, error) {
	fields, err := channels.DecodeConfig(raw, "slug", "title", "description", "language")
	if err != nil {
		return Config{}, err
	}
	var c Config
	for _, t := range []struct {
		name string
		dst  *string
	}{
		{"slug", &c.Slug},
		{"title", &c.Title},
		{"description", &c.Description},
		{"language", &c.Language},
	} {
		if *t.dst, err = fields.String(t.name); err != nil {
			return Config{}, err
		}
	}
	c = normalise(c)
	return c, check(c)
}

func normalise(c Config) Config {
	c.Slug = asciiLower(strings.TrimSpace(c.Slug))
	c.Title = strings.TrimSpace(c.Title)
	c.Description = strings.TrimSpace(c.Description)
	c.Language = strings.TrimSpace(c.Language)
	if c.Language == "" {
		c.Language = DefaultLanguage
	}
	return c
}

func check(c Config) error {
	if err := checkSlug(c.Slug); err != nil {
		return err
	}
	if err := checkTitle(c.Title); err != nil {
		return err
	}
	if utf8.RuneCountInString(c.Description) > maxDescriptionLen {
		return &channels.ConfigError{Field: "description", Message: fmt.Sprintf("must be at most %d characters", maxDescriptionLen)}
	}
	if !validLanguage(c.Language) {
		return &channels.ConfigError{Field: "language", Message: "must be a language tag such as vi or en-US"}
	}
	return nil
}

// asciiLower lowercases only A-Z: full Unicode lowering would turn some
// non-ASCII letters (the Kelvin sign) into ASCII ones and accept them.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}

func checkSlug(slug string) error {
	switch {
	case slug == "":
		return &channels.ConfigError{Field: "slug", Message: "is required"}
	case len(slug) > maxSlugLen:
		return &channels.ConfigError{Field: "slug", Message: fmt.Sprintf("must be at most %d characters", maxSlugLen)}
	case !slugChars(slug):
		return &channels.ConfigError{Field: "slug", Message: "may contain only a-z, 0-9 and '-'"}
	case slug[0] == '-' || slug[len(slug)-1] == '-':
		return &channels.ConfigError{Field: "slug", Message: "must not start or end with '-'"}
	}
	return nil
}

func slugChars(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if (b < 'a' || b > 'z') && (b < '0' || b > '9') && b != '-' {
			return false
		}
	}
	return true
}

func checkTitle(title string) error {
	if title == "" {
		return &channels.ConfigError{Field: "title", Message: "is required"}
	}
	if utf8.RuneCountInString(title) > maxTitleLen {
		return &channels.ConfigError{Field: "title", Message: fmt.Sprintf("must be at most %d characters", maxTitleLen)}
	}
	return nil
}

// validLanguage accepts the shape of a BCP 47 tag: a 2–3 letter primary
// language then '-'-separated subtags of 1–8 letters or digits.
func validLanguage(tag string) bool {
	if len(tag) > maxLanguageLen {
		return false
	}
	parts := strings.Split(tag, "-")
	if len(parts[0]) < 2 || len(parts[0]) > 3 || !isAlnum(parts[0], false) {
		return false
	}
	for _, p := range parts[1:] {
		if len(p) < 1 || len(p) > 8 || !isAlnum(p, true) {
			return false
		}
	}
	return true
}

func isAlnum(s string, allowDigits bool) bool {
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case allowDigits && r >= '0' && r <= '9':
		default:
			return false
		}
	}
	return true
}

// Options configures a Channel.
type Options struct {
	Slug  string
	Title string
	// PublicBaseURL is where Loa is reachable, e.g. https://loa.example.gov.vn.
	PublicBaseURL string
}

// Channel is an rss channel. It holds no connections, so it is safe for
// concurrent use and cheap to build.
type Channel struct {
	slug    string
	title   string
	baseURL string
}

// Compile-time checks that Channel is what the worker expects.
var (
	_ channels.Channel    = (*Channel)(nil)
	_ channels.Idempotent = (*Channel)(nil)
)

// New builds a Channel. The public base URL is required because receipts
// carry absolute item links that people open from the admin UI.
func New(o Options) (*Channel, error) {
	slug := asciiLower(strings.TrimSpace(o.Slug))
	if err := checkSlug(slug); err != nil {
		return nil, fmt.Errorf("rss: %w", err)
	}
	title := strings.TrimSpace(o.Title)
	if err := checkTitle(title); err != nil {
		return nil, fmt.Errorf("rss: %w", err)
	}
	base, err := checkBaseURL(o.PublicBaseURL)
	if err != nil {
		return nil, err
	}
	return &Channel{slug: slug, title: title, baseURL: base}, nil
}

// checkBaseURL returns base without trailing slashes, or an error unless it
// is an absolute http(s) URL.
func checkBaseURL(base string) (string, error) {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("rss: public base URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("rss: public base URL %q must be an absolute http(s) URL", base)
	}
	return base, nil
}

// Kind returns "rss".
func (c *Channel) Kind() string { return KindName }

// Slug returns the public slug the channel's feed is served under.
func (c *Channel) Slug() string { return c.slug }

// Title returns the feed's title.
func (c *Channel) Title() string { return c.title }

// Idempotent is true: publishing the same delivery twice names the same item,
// and the feed lists each delivery once however often it is published.
func (c *Channel) Idempotent() bool { return true }

// Close releases nothing: the channel holds no resources.
func (c *Channel) Close() error { return nil }

// Publish accepts msg into the feed. There is no platform to call; the item
// becomes visible once the worker marks the delivery delivered.
func (c *Channel) Publish(ctx context.Context, msg channels.Message) (channels.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return channels.Receipt{}, channels.Retryable(fmt.Errorf("rss: publish: %w", err), 0)
	}
	if strings.TrimSpace(msg.Title) == "" {
		return channels.Receipt{}, channels.Permanent(errors.New("rss: publish: message has no title"))
	}
	if msg.DeliveryID <= 0 {
		return channels.Receipt{}, channels.Permanent(fmt.Errorf("rss: publish: delivery id %d is not positive", msg.DeliveryID))
	}
	return channels.Receipt{
		ExternalID:  ItemID(c.slug, msg.DeliveryID),
		ExternalURL: ItemURL(c.baseURL, c.slug, msg.DeliveryID),
	}, nil
}

// ItemID is the stable id of a delivery's feed item (RSS guid, Atom id). It
// does not contain the host, so it survives a change of PublicBaseURL.
func ItemID(slug string, deliveryID int64) string {
	return idPrefix + slug + ":delivery:" + strconv.FormatInt(deliveryID, 10)
}

// feedID is the Atom id of a whole feed, host-independent like ItemID.
func feedID(slug string) string {
	return idPrefix + slug
}

// ItemURL is the public HTML page of a delivery's feed item.
func ItemURL(baseURL, slug string, deliveryID int64) string {
	return strings.TrimRight(baseURL, "/") + "/feeds/" + url.PathEscape(slug) + "/items/" + strconv.FormatInt(deliveryID, 10)
}

// FeedURL is where the feed of slug is served in format.
func FeedURL(baseURL, slug string, format Format) string {
	return strings.TrimRight(baseURL, "/") + "/feeds/" + url.PathEscape(slug) + format.Extension()
}

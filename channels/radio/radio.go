// Package radio is the "radio" channel kind: bulletins (bản tin) for a
// commune loudspeaker station (hệ thống truyền thanh cơ sở).
//
// Such stations have no API: operators paste a script into their console or
// play an audio file. So publishing calls nothing remote. Publish places the
// delivery in an edition (a local date and one of the station's daily air
// times) and returns the edition key as the external id; once the worker
// has marked the delivery delivered, the edition is assembled from every
// delivered item with the same key (BuildEdition) and served as a plain-text
// script, a JSON sidecar and, when espeak-ng is installed, a WAV file.
//
// Everything read aloud is rewritten "for the ear" by Speakable.
package radio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/content"
)

const (
	// KindName is the registered kind of this adapter.
	KindName = "radio"
	// SyllableUnit is the unit of Preview.Length.
	SyllableUnit = "âm tiết"
	// MaxItemSeconds is how long one item may read before Preview warns:
	// listeners in the street lose the thread of longer items.
	MaxItemSeconds = 120
)

// Kind returns the registry entry of the radio adapter. It has no secret
// fields.
func Kind() channels.Kind {
	return channels.Kind{Name: KindName, Validate: channels.NormaliseWith(ParseConfig), New: newFromConfig}
}

func newFromConfig(raw json.RawMessage, env channels.Env) (channels.Channel, error) {
	// Checked again because rows may predate a rule that has since tightened.
	c, err := ParseConfig(raw)
	if err != nil {
		return nil, fmt.Errorf("radio: %w", err)
	}
	return New(Options{
		Config:        c,
		PublicBaseURL: env.PublicBaseURL,
		ChannelID:     env.ChannelID,
		Location:      env.Zone(),
		Now:           env.Clock(),
	})
}

// Options configures a Channel.
type Options struct {
	Config Config
	// PublicBaseURL is where Loa is reachable; receipts link the edition script there.
	PublicBaseURL string
	// ChannelID is the stored channel, part of the edition URLs.
	ChannelID int64
	// Location is the station's time zone; nil means Asia/Ho_Chi_Minh (UTC+7).
	Location *time.Location
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Channel is a radio channel. It is immutable after New, so it is safe for
// concurrent use without locking.
type Channel struct {
	cfg       Config
	baseURL   string
	channelID int64
	loc       *time.Location
	now       func() time.Time
}

var (
	_ channels.Channel    = (*Channel)(nil)
	_ channels.Idempotent = (*Channel)(nil)
	_ channels.Previewer  = (*Channel)(nil)
)

// New builds a Channel, checking o.Config the way Kind().Validate does;
// zero fields of o.Config take their defaults.
func New(o Options) (*Channel, error) {
	cfg := o.Config
	if cfg.SyllablesPerMinute == 0 {
		cfg.SyllablesPerMinute = DefaultSyllablesPerMinute
	}
	raw, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("radio: encode config: %w", err)
	}
	cfg, err = ParseConfig(raw)
	if err != nil {
		return nil, fmt.Errorf("radio: %w", err)
	}
	base, err := checkBaseURL(o.PublicBaseURL)
	if err != nil {
		return nil, err
	}
	loc := o.Location
	if loc == nil {
		loc = channels.Env{}.Zone()
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	return &Channel{cfg: cfg, baseURL: base, channelID: o.ChannelID, loc: loc, now: now}, nil
}

// checkBaseURL returns base without trailing slashes, or an error unless it
// is an absolute http(s) URL.
func checkBaseURL(base string) (string, error) {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("radio: public base URL %q must be an absolute http(s) URL; set LOA's public base URL", base)
	}
	return base, nil
}

// Kind returns "radio".
func (c *Channel) Kind() string { return KindName }

// Config returns the channel's normalised configuration.
func (c *Channel) Config() Config { return c.cfg }

// Idempotent is true: publishing a delivery again names the same edition
// (placement depends on the schedule, not on when the attempt runs), and an
// edition lists each delivery once.
func (c *Channel) Idempotent() bool { return true }

// Close releases nothing: the channel holds no resources.
func (c *Channel) Close() error { return nil }

// Publish places msg in its edition. Nothing is sent anywhere: the item is
// part of the edition once the worker marks the delivery delivered.
func (c *Channel) Publish(ctx context.Context, msg channels.Message) (channels.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return channels.Receipt{}, channels.Retryable(fmt.Errorf("radio: publish: %w", err), 0)
	}
	if strings.TrimSpace(msg.Title) == "" {
		return channels.Receipt{}, channels.Permanent(errors.New("radio: publish: message has no title; every bulletin item is announced by its title, so add one and publish again"))
	}
	key := c.Placement(c.scheduled(msg), c.now(), msg.Priority)
	return channels.Receipt{
		ExternalID:  key.String(),
		ExternalURL: EditionURL(c.baseURL, c.channelID, key, "txt"),
	}, nil
}

// scheduled is msg's scheduled time, or now for a message without one.
func (c *Channel) scheduled(msg channels.Message) time.Time {
	if msg.ScheduledAt.IsZero() {
		return c.now()
	}
	return msg.ScheduledAt
}

// Placement names the edition an item goes into: the first one at or after
// scheduled; for an emergency ("played at once") the first one at or after
// now if that is earlier. A delivery published late therefore stays in the
// edition its schedule named, which keeps repeated attempts in one edition.
func (c *Channel) Placement(scheduled, now time.Time, priority string) EditionKey {
	key := c.nextEdition(scheduled)
	if normalisePriority(priority) == channels.PriorityEmergency {
		if soon := c.nextEdition(now); soon.String() < key.String() {
			key = soon
		}
	}
	return key
}

// nextEdition is the first air time at or after t in the station's zone.
func (c *Channel) nextEdition(t time.Time) EditionKey {
	local := t.In(c.loc)
	y, m, d := local.Date()
	// With at least one air time (New ensures it) the edition is today's
	// or tomorrow's.
	for day := range 2 {
		for _, at := range c.cfg.AirTimes {
			hour, minute := clockParts(at)
			start := time.Date(y, m, d+day, hour, minute, 0, 0, c.loc)
			if !start.Before(t) {
				return keyOf(start)
			}
		}
	}
	return keyOf(local.Truncate(time.Minute))
}

func clockParts(hhmm string) (int, int) {
	h, _ := strconv.Atoi(hhmm[:2])
	m, _ := strconv.Atoi(hhmm[3:])
	return h, m
}

// Edition builds the edition key names from the delivered items.
func (c *Channel) Edition(key EditionKey, items []Item) Edition {
	return BuildEdition(c.cfg, key, items)
}

// EditionURL is where the edition file with extension ext ("txt", "json",
// "wav") is served.
func EditionURL(baseURL string, channelID int64, key EditionKey, ext string) string {
	return strings.TrimRight(baseURL, "/") + "/api/v1/channels/" + strconv.FormatInt(channelID, 10) +
		"/editions/" + key.Date + "/" + key.AirTime + "." + ext
}

// ItemFromMessage is the edition item of a delivered message. Its Text is
// msg.Text, or else the summary and the body as plain text; the title is
// kept apart because the script announces every item by its title.
func ItemFromMessage(msg channels.Message) Item {
	text := content.MultilineText(msg.Text)
	if text == "" {
		text = deriveText(msg.Summary, msg.BodyHTML)
	}
	return Item{
		DeliveryID:  msg.DeliveryID,
		Title:       content.PlainText(msg.Title),
		Text:        text,
		Priority:    normalisePriority(msg.Priority),
		ScheduledAt: msg.ScheduledAt,
	}
}

// deriveText joins summary and body, one paragraph per line. A summary the
// body already starts with (a news lead) is not read twice.
func deriveText(summary, bodyHTML string) string {
	summary = content.PlainText(summary)
	body := content.MultilineText(blockEndRe.ReplaceAllString(bodyHTML, "\n"))
	switch {
	case summary == "" || strings.HasPrefix(body, summary):
		return body
	case body == "":
		return summary
	}
	return summary + "\n" + body
}

// normalisePriority maps anything unknown to normal: a misspelt priority
// must not keep an item off the air.
func normalisePriority(p string) string {
	switch p = strings.ToLower(strings.TrimSpace(p)); p {
	case channels.PriorityEmergency, channels.PriorityHigh:
		return p
	}
	return channels.PriorityNormal
}

// PriorityLabel is the Vietnamese name of a priority (Thông tư 39/2020/TT-BTTTT).
func PriorityLabel(p string) string {
	switch normalisePriority(p) {
	case channels.PriorityEmergency:
		return "khẩn cấp"
	case channels.PriorityHigh:
		return "ưu tiên"
	}
	return "thông thường"
}

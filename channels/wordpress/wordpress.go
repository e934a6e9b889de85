// Package wordpress publishes messages as posts on a WordPress site through
// its REST API, signed in with an Application Password (core since 5.6).
//
// WordPress has no idempotency key, so every post gets a slug that is the
// same on every attempt of one delivery and differs between deliveries
// (see Slug); after an attempt whose outcome is unknown, Find looks the
// slug up before anything is posted again.
package wordpress

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/platform"
	"github.com/loa-vn/loa/content"
)

const (
	kindName       = "wordpress"
	userAgent      = "Loa-WordPress/1"
	defaultTimeout = 30 * time.Second
	postsRoute     = "/wp/v2/posts"
	statusPublish  = "publish"
)

// Options configures a WordPress channel.
type Options struct {
	// BaseURL is the site's address, e.g. https://xa.gov.vn or
	// https://so.gov.vn/tin-tuc for a site in a folder.
	BaseURL  string
	Username string
	// AppPassword is an Application Password of Username; spaces are ignored.
	AppPassword string
	// Client sends the requests; nil means a client with a 30 s timeout.
	Client *http.Client
	// Now reads Retry-After dates; nil means time.Now.
	Now func() time.Time
}

// WordPress is a channel that creates one published post per message.
type WordPress struct {
	base     string
	username string
	password string
	client   *http.Client
	now      func() time.Time

	mu sync.Mutex
	// form is the URL form that last reached the REST API on this site.
	form routeForm
}

var (
	_ channels.Channel   = (*WordPress)(nil)
	_ channels.Finder    = (*WordPress)(nil)
	_ channels.Checker   = (*WordPress)(nil)
	_ channels.Previewer = (*WordPress)(nil)
)

// New checks o the same way Kind().Validate checks a stored config.
func New(o Options) (*WordPress, error) {
	cfg := config{BaseURL: o.BaseURL, Username: o.Username, AppPassword: o.AppPassword}.normalised()
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("wordpress: %w", err)
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	// Redirects come back unfollowed: besides turning a POST into a GET, a
	// redirect from /wp-json/ is how a site without pretty permalinks
	// answers, which must lead to the ?rest_route= form instead.
	client := platform.NoRedirects(o.Client, defaultTimeout)
	return &WordPress{
		base:     cfg.BaseURL,
		username: cfg.Username,
		password: cfg.AppPassword,
		client:   client,
		now:      now,
	}, nil
}

// Kind returns "wordpress".
func (w *WordPress) Kind() string { return kindName }

// Close releases idle connections.
func (w *WordPress) Close() error {
	w.client.CloseIdleConnections()
	return nil
}

// Publish creates msg as a published post and classifies the outcome for
// the worker.
func (w *WordPress) Publish(ctx context.Context, msg channels.Message) (channels.Receipt, error) {
	if err := checkDeliveryID(msg.DeliveryID); err != nil {
		return channels.Receipt{}, channels.Permanent(err)
	}
	body, err := encodePost(msg)
	if err != nil {
		return channels.Receipt{}, channels.Permanent(fmt.Errorf("wordpress: encode post: %w", err))
	}
	res, err := w.call(ctx, http.MethodPost, postsRoute, nil, body)
	if err != nil {
		return channels.Receipt{}, err
	}
	if res.status < 200 || res.status > 299 {
		return channels.Receipt{}, w.statusError(res)
	}
	p, ok := parsePost(res.body)
	if !ok {
		// WordPress answers a created post with its JSON; anything else
		// leaves open whether the post exists, which Find can settle.
		return channels.Receipt{}, channels.Ambiguous(fmt.Errorf(
			"wordpress: HTTP %d but the answer is not a post (%s); the post may exist, so Loa looks it up by its slug before posting again",
			res.status, w.snippet(res.body))).WithStatus(res.status)
	}
	return channels.Receipt{ExternalID: p.id(), ExternalURL: p.Link, HTTPStatus: res.status}, nil
}

// checkDeliveryID refuses messages without a delivery id: the slug that
// keeps a retried delivery from posting twice is made from it.
func checkDeliveryID(id int64) error {
	if id <= 0 {
		return errors.New("wordpress: message has no delivery id, which the post's slug needs to prevent duplicates; this is a bug in the caller")
	}
	return nil
}

// postRequest is the JSON body of a new post.
type postRequest struct {
	Title   string `json:"title"`
	Content string `json:"content"`
	Excerpt string `json:"excerpt"`
	Status  string `json:"status"`
	Slug    string `json:"slug"`
}

// encodePost builds the body. Text is sent in NFC because WordPress stores
// exactly what it gets: NFD text would look the same but not match in
// search, and would differ from what Loa holds.
func encodePost(msg channels.Message) ([]byte, error) {
	title := content.NFC(msg.Title)
	p := postRequest{
		Title:   plainToHTML(title),
		Content: nfcHTML(msg.BodyHTML),
		Excerpt: plainToHTML(content.NFC(msg.Summary)),
		Status:  statusPublish,
		Slug:    Slug(title, msg.DeliveryID),
	}
	return platform.MarshalUnescaped(p)
}

// plainToHTML makes plain text safe where WordPress expects HTML. Themes
// print titles and excerpts unescaped, and an administrator's account may
// store any markup, so a literal "<script>" in a title would run on the
// site. Only angle brackets are escaped: "&" and quotes stay as typed, as
// WordPress's own editor stores them, so most titles arrive byte for byte.
func plainToHTML(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(s)
}

// nfcHTML normalises the text between markup delimiters piece by piece, so
// that a combining mark right after ">" or "<" cannot compose with it
// (">" + U+0338 is "≯") and change the markup. Loa's sanitised HTML is
// already NFC; this only guards against text that is not.
func nfcHTML(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.IndexAny(s, "<>")
		if i < 0 {
			b.WriteString(content.NFC(s))
			return b.String()
		}
		b.WriteString(content.NFC(s[:i]))
		b.WriteByte(s[i])
		s = s[i+1:]
	}
}

// post is the part of WordPress's post object Loa reads.
type post struct {
	ID     json.Number `json:"id"`
	Link   string      `json:"link"`
	Slug   string      `json:"slug"`
	Status string      `json:"status"`
}

func (p post) id() string { return p.ID.String() }

// parsePost reads a post object; ok is false unless it has an id.
func parsePost(body []byte) (post, bool) {
	var p post
	if err := platform.DecodeNumbers(body, &p); err != nil {
		return post{}, false
	}
	return p, validID(p.ID)
}

func validID(n json.Number) bool {
	id, err := n.Int64()
	return err == nil && id > 0
}

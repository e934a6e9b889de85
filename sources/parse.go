package sources

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/loa-vn/loa/content"
	"github.com/mmcdole/gofeed"
	nethtml "golang.org/x/net/html"
)

// maxParseMessageBytes keeps a parser's complaint short enough to show in a
// list of sources.
const maxParseMessageBytes = 200

// Feed is a parsed feed with its items cleaned.
type Feed struct {
	Title string
	Link  string
	Items []Item
}

// Item is one cleaned feed entry. Text fields are NFC, trimmed and free of
// markup; Link and ImageURL are absolute http(s) URLs or empty.
type Item struct {
	GUID      string
	Title     string
	Link      string
	Summary   string
	ImageURL  string
	Published time.Time // UTC; zero when the feed gave no usable date
	Key       string    // see ItemKey
	// FeedTitle is the title of the feed the item came from, so templates
	// can name the source.
	FeedTitle string
}

// Parse parses an RSS, Atom or JSON feed and cleans its items. feedURL is
// the address the body came from (FetchResult.FinalURL); relative links are
// resolved against it and dropped when it is empty or invalid. Errors are
// *FetchError of kind not_a_feed or parse.
func Parse(body []byte, feedURL string) (Feed, error) {
	gf, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return Feed{}, parseError(body, err)
	}
	base := baseURL(feedURL)
	feed := Feed{Title: feedText(gf.Title), Link: resolveHTTP(base, gf.Link)}
	for _, gi := range gf.Items {
		if gi != nil {
			feed.Items = append(feed.Items, newItem(gi, base, feed.Title))
		}
	}
	return feed, nil
}

func parseError(body []byte, err error) error {
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		switch {
		case len(bytes.TrimSpace(body)) == 0:
			return &FetchError{Kind: KindNotAFeed, Message: "feed address returned an empty document, not an RSS or Atom feed", err: err}
		case looksLikeHTML(body):
			return &FetchError{Kind: KindNotAFeed, Message: "feed address returned a web page (HTML), not an RSS or Atom feed; check the feed URL", err: err}
		}
	}
	msg := "feed is not valid RSS or Atom: " + shorten(err.Error(), maxParseMessageBytes)
	return &FetchError{Kind: KindParse, Message: msg, err: err}
}

// looksLikeHTML uses the standard content sniffer, plus a look for an
// <html> tag because XHTML pages start with an XML declaration.
func looksLikeHTML(body []byte) bool {
	if strings.HasPrefix(http.DetectContentType(body), "text/html") {
		return true
	}
	head := body[:min(len(body), 1024)]
	return bytes.Contains(bytes.ToLower(head), []byte("<html"))
}

func shorten(s string, maxBytes int) string {
	if len(s) <= maxBytes {
		return s
	}
	s = s[:maxBytes]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

// baseURL returns feedURL without credentials, which ResolveReference would
// otherwise copy into every resolved link.
func baseURL(feedURL string) *url.URL {
	u, err := url.Parse(cleanURL(feedURL))
	if err != nil || !isHTTP(u) {
		return nil
	}
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	return u
}

func newItem(gi *gofeed.Item, base *url.URL, feedTitle string) Item {
	it := Item{
		GUID:      content.NFC(strings.TrimSpace(content.StripRefused(gi.GUID))),
		Title:     feedText(gi.Title),
		Link:      itemLink(gi, base),
		Summary:   feedText(itemHTML(gi)),
		ImageURL:  itemImage(gi, base),
		Published: itemPublished(gi),
		FeedTitle: feedTitle,
	}
	it.Key = ItemKey(it)
	return it
}

// feedText is a feed's text as plain text. Characters a person could not
// type into Loa (stray control characters from pasted documents, C1 bytes
// of mis-decoded Windows-1258 text, bidi overrides) are dropped rather than
// refused: the item is a provincial announcement worth posting, and nobody
// at the feed's end will fix it.
func feedText(s string) string {
	return content.PlainText(content.StripRefused(s))
}

// itemLink prefers the item's link, then its other links, then a guid that
// is itself an absolute URL (RSS guids are permalinks by default). The guid
// is not resolved against the feed: a relative-looking guid such as
// "TTHC-2026-0042" is an identifier, not a path.
func itemLink(gi *gofeed.Item, base *url.URL) string {
	for _, raw := range append([]string{gi.Link}, gi.Links...) {
		if u := resolveHTTP(base, raw); u != "" {
			return u
		}
	}
	return resolveHTTP(nil, gi.GUID)
}

// itemHTML is the text the summary is made from: the RSS description or
// Atom summary, else the full content.
func itemHTML(gi *gofeed.Item) string {
	if strings.TrimSpace(gi.Description) != "" {
		return gi.Description
	}
	return gi.Content
}

// itemImage takes gofeed's image first. gofeed looks only at the first
// <img> and only in RSS, while agency portals often put a lazy-loading
// data: placeholder first and Atom summaries hold the same <a><img></a>, so
// the item HTML is scanned for the first usable image when gofeed's is not.
func itemImage(gi *gofeed.Item, base *url.URL) string {
	var candidates []string
	if gi.Image != nil {
		candidates = append(candidates, gi.Image.URL)
	}
	for _, enc := range gi.Enclosures {
		if enc != nil && strings.HasPrefix(enc.Type, "image/") {
			candidates = append(candidates, enc.URL)
		}
	}
	candidates = append(candidates, imgSources(gi.Description)...)
	candidates = append(candidates, imgSources(gi.Content)...)
	for _, raw := range candidates {
		if u := resolveHTTP(base, raw); u != "" {
			return u
		}
	}
	return ""
}

// imgSources returns the src of every <img> in s, in document order.
func imgSources(s string) []string {
	var srcs []string
	z := nethtml.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == nethtml.ErrorToken {
			return srcs
		}
		if tt != nethtml.StartTagToken && tt != nethtml.SelfClosingTagToken {
			continue
		}
		if name, hasAttr := z.TagName(); string(name) == "img" && hasAttr {
			if src := tagAttr(z, "src"); src != "" {
				srcs = append(srcs, src)
			}
		}
	}
}

func tagAttr(z *nethtml.Tokenizer, want string) string {
	for {
		key, val, more := z.TagAttr()
		if string(key) == want {
			return string(val)
		}
		if !more {
			return ""
		}
	}
}

// itemPublished uses gofeed's parsed dates (pubDate, dc:date, published,
// then updated), kept in UTC so stored times compare and hash the same
// whatever offset the feed wrote.
func itemPublished(gi *gofeed.Item) time.Time {
	switch {
	case gi.PublishedParsed != nil:
		return gi.PublishedParsed.UTC()
	case gi.UpdatedParsed != nil:
		return gi.UpdatedParsed.UTC()
	}
	return time.Time{}
}

// resolveHTTP cleans raw, resolves it against base (which may be nil) and
// returns it only if the result is an absolute http or https URL: other
// schemes (javascript:, data:, file:) have no place in a post.
func resolveHTTP(base *url.URL, raw string) string {
	raw = cleanURL(raw)
	if raw == "" {
		return ""
	}
	ref, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if base != nil {
		ref = base.ResolveReference(ref)
	}
	if !isHTTP(ref) {
		return ""
	}
	return ref.String()
}

func isHTTP(u *url.URL) bool {
	scheme := strings.ToLower(u.Scheme)
	return (scheme == "http" || scheme == "https") && u.Host != ""
}

// cleanURL trims padding and joins a URL that a portal wrapped across
// lines: a URL cannot contain a raw newline, so whitespace around one is
// layout (browsers likewise drop tabs and newlines, per the WHATWG URL
// standard). A space inside a line is kept; url.Parse escapes it. NFC makes
// a link typed in NFD match its NFC twin.
func cleanURL(raw string) string {
	lines := strings.Split(raw, "\n")
	for i, line := range lines {
		lines[i] = strings.TrimSpace(line)
	}
	joined := strings.ReplaceAll(strings.Join(lines, ""), "\t", "")
	return content.NFC(joined)
}

package rss

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"html"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/feeds"
	xhtml "golang.org/x/net/html"

	"github.com/loa-vn/loa/content"
)

// excerptRunes bounds the plain-text description made from a body when a
// post has no summary: enough for a reader's preview, not the whole post.
const excerptRunes = 300

// Item is one delivered post as it appears in a feed.
type Item struct {
	DeliveryID int64
	Title      string
	Summary    string
	// BodyHTML is sanitised HTML (see channels.Message.BodyHTML).
	BodyHTML  string
	Category  string
	Published time.Time
}

// Feed is the content of one rss channel's feed.
type Feed struct {
	Slug          string
	Title         string
	Description   string
	Language      string
	PublicBaseURL string
	// Items are newest first.
	Items []Item
}

// Format is a feed's wire format.
type Format int

const (
	// FormatRSS is RSS 2.0, served at /feeds/{slug}.rss.
	FormatRSS Format = iota + 1
	// FormatAtom is Atom 1.0, served at /feeds/{slug}.atom.
	FormatAtom
)

func (f Format) String() string {
	switch f {
	case FormatRSS:
		return "rss"
	case FormatAtom:
		return "atom"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Extension is the file extension the format is served under.
func (f Format) Extension() string {
	switch f {
	case FormatRSS:
		return ".rss"
	case FormatAtom:
		return ".atom"
	}
	return ""
}

// ContentType is the HTTP Content-Type of the format.
func (f Format) ContentType() string {
	switch f {
	case FormatRSS:
		return "application/rss+xml; charset=utf-8"
	case FormatAtom:
		return "application/atom+xml; charset=utf-8"
	}
	return "application/octet-stream"
}

// Render writes f in format. Identical input gives identical bytes (no
// clock, no random ids), so ETag(Render(...)) can validate caches.
func Render(f Feed, format Format) ([]byte, error) {
	f = writable(f)
	if err := checkFeed(f); err != nil {
		return nil, err
	}
	gf := toGorilla(f)
	var doc feeds.XmlFeed
	switch format {
	case FormatRSS:
		doc = rssDocument(f, gf)
	case FormatAtom:
		doc = newAtomDocument(f, gf)
	default:
		return nil, fmt.Errorf("rss: render: unknown format %v", format)
	}
	var buf bytes.Buffer
	if err := feeds.WriteXML(doc, &buf); err != nil {
		return nil, fmt.Errorf("rss: render %v: %w", format, err)
	}
	return buf.Bytes(), nil
}

// writable returns f with every string made safe to write out: valid UTF-8
// without the characters XML 1.0 forbids (NUL and the other C0 controls but
// tab and line breaks, U+FFFE, U+FFFF) or that Loa refuses in text anyway
// (C1 controls, bidi overrides, noncharacters; see content.StripRefused).
// Text is checked when it enters Loa, but a feed must stay readable whatever
// the database holds: one bad item would otherwise break the whole feed for
// every reader. Render and RenderItemPage both start with it.
func writable(f Feed) Feed {
	clean := content.StripRefused
	f.Slug, f.Title, f.Description = clean(f.Slug), clean(f.Title), clean(f.Description)
	f.Language, f.PublicBaseURL = clean(f.Language), clean(f.PublicBaseURL)
	items := make([]Item, len(f.Items))
	for i, it := range f.Items {
		items[i] = writableItem(it)
	}
	f.Items = items
	return f
}

func writableItem(it Item) Item {
	clean := content.StripRefused
	it.Title, it.Summary, it.BodyHTML, it.Category = clean(it.Title), clean(it.Summary), clean(it.BodyHTML), clean(it.Category)
	return it
}

func checkFeed(f Feed) error {
	if err := checkSlug(f.Slug); err != nil {
		return fmt.Errorf("rss: render: %w", err)
	}
	if _, err := checkBaseURL(f.PublicBaseURL); err != nil {
		return err // already says "rss: public base URL ..."
	}
	for _, it := range f.Items {
		// Item ids are built from the delivery id; zero would collide.
		if it.DeliveryID <= 0 {
			return fmt.Errorf("rss: render: item %q has delivery id %d", it.Title, it.DeliveryID)
		}
	}
	return nil
}

// toGorilla maps f onto the format-neutral gorilla feed. Times are turned to
// UTC so the bytes depend only on the instant, not on the caller's zone.
func toGorilla(f Feed) *feeds.Feed {
	updated := feedUpdated(f)
	gf := &feeds.Feed{
		Title:       f.Title,
		Link:        &feeds.Link{Href: siteURL(f.PublicBaseURL)},
		Description: f.Description,
		Author:      &feeds.Author{Name: f.Title},
		Created:     updated,
		Updated:     updated,
	}
	for _, it := range f.Items {
		published := it.Published.UTC()
		gf.Items = append(gf.Items, &feeds.Item{
			Title: it.Title,
			Link:  &feeds.Link{Href: ItemURL(f.PublicBaseURL, f.Slug, it.DeliveryID)},
			// Always set: without it gorilla makes a random Atom id per render.
			Id: ItemID(f.Slug, it.DeliveryID),
			// The guid is a URN, not a URL; readers must not open it.
			IsPermaLink: "false",
			Description: itemDescription(it),
			Content:     it.BodyHTML,
			Created:     published,
			Updated:     published,
		})
	}
	return gf
}

func siteURL(base string) string {
	return strings.TrimRight(strings.TrimSpace(base), "/") + "/"
}

func language(f Feed) string {
	if l := strings.TrimSpace(f.Language); l != "" {
		return l
	}
	return DefaultLanguage
}

// feedUpdated is the newest item's time, or a fixed instant for an empty
// feed: Atom requires <updated>, and time.Now would break byte-identity.
func feedUpdated(f Feed) time.Time {
	if t := LastModified(f); !t.IsZero() {
		return t
	}
	return time.Unix(0, 0).UTC()
}

// LastModified is the newest item's Published time in UTC, truncated to the
// second because HTTP dates have no finer precision (otherwise a
// Last-Modified / If-Modified-Since comparison would never match). It is
// zero for a feed without items.
func LastModified(f Feed) time.Time {
	var newest time.Time
	for _, it := range f.Items {
		if it.Published.After(newest) {
			newest = it.Published
		}
	}
	if newest.IsZero() {
		return time.Time{}
	}
	return newest.UTC().Truncate(time.Second)
}

// ETag is a strong entity tag for a rendered feed body.
func ETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// itemDescription is the item's short text as HTML: readers render RSS
// <description> and Atom type="html" summaries as markup, so plain text must
// be escaped or "<mức độ 4>" would vanish as an unknown tag.
func itemDescription(it Item) string {
	text := strings.TrimSpace(it.Summary)
	if text == "" {
		text = excerpt(plainText(it.BodyHTML), excerptRunes)
	}
	return html.EscapeString(text)
}

// rssDocument adds what gorilla's generic feed cannot express in RSS.
func rssDocument(f Feed, gf *feeds.Feed) *feeds.RssFeed {
	r := (&feeds.Rss{Feed: gf}).RssFeed()
	r.Language = language(f)
	// RSS requires a channel description; the title is the best stand-in.
	if r.Description == "" {
		r.Description = f.Title
	}
	// ManagingEditor must be an e-mail address, which a feed of Loa has not.
	r.ManagingEditor = ""
	for i, it := range f.Items {
		r.Items[i].Category = it.Category
	}
	return r
}

// atomDocument is an Atom feed built from gorilla's entries. gorilla's own
// AtomFeed has room for one link only and takes the id from that link; this
// one has a self and a site link, a host-independent id and xml:lang.
type atomDocument struct {
	XMLName  xml.Name `xml:"feed"`
	Xmlns    string   `xml:"xmlns,attr"`
	Lang     string   `xml:"xml:lang,attr,omitempty"`
	Title    string   `xml:"title"`
	ID       string   `xml:"id"`
	Updated  string   `xml:"updated"`
	Subtitle string   `xml:"subtitle,omitempty"`
	Links    []feeds.AtomLink
	Author   *feeds.AtomAuthor
	Entries  []*feeds.AtomEntry `xml:"entry"`
}

// FeedXml makes atomDocument usable with feeds.WriteXML.
func (a *atomDocument) FeedXml() interface{} { return a }

func newAtomDocument(f Feed, gf *feeds.Feed) *atomDocument {
	a := (&feeds.Atom{Feed: gf}).AtomFeed()
	for i, e := range a.Entries {
		if p := f.Items[i].Published; !p.IsZero() {
			e.Published = p.UTC().Format(time.RFC3339)
		}
		// <updated> is required; an undated item takes the feed's time.
		if e.Updated == "" {
			e.Updated = a.Updated
		}
	}
	return &atomDocument{
		Xmlns:    a.Xmlns,
		Lang:     language(f),
		Title:    a.Title,
		ID:       feedID(f.Slug),
		Updated:  a.Updated,
		Subtitle: a.Subtitle,
		Links: []feeds.AtomLink{
			{Href: FeedURL(f.PublicBaseURL, f.Slug, FormatAtom), Rel: "self", Type: "application/atom+xml"},
			{Href: siteURL(f.PublicBaseURL), Rel: "alternate", Type: "text/html"},
		},
		Author:  a.Author,
		Entries: a.Entries,
	}
}

// plainText returns the text of an HTML fragment with tags removed, entities
// decoded and whitespace collapsed. Block-level tags separate words; inline
// ones do not, so "c<b>á</b>ch" stays one word.
func plainText(fragment string) string {
	var b strings.Builder
	z := xhtml.NewTokenizer(strings.NewReader(fragment))
	hidden := 0 // depth inside elements whose text is not content
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken: // io.EOF: a strings.Reader fails no other way
			return strings.Join(strings.Fields(b.String()), " ")
		case xhtml.TextToken:
			if hidden == 0 {
				b.Write(z.Text())
			}
		case xhtml.StartTagToken, xhtml.EndTagToken, xhtml.SelfClosingTagToken:
			name, _ := z.TagName()
			hidden = hiddenDepth(string(name), tt, hidden)
			if !isInline(string(name)) {
				b.WriteByte(' ')
			}
		}
	}
}

func hiddenDepth(tag string, tt xhtml.TokenType, depth int) int {
	if tag != "script" && tag != "style" && tag != "template" {
		return depth
	}
	switch {
	case tt == xhtml.StartTagToken:
		return depth + 1
	case tt == xhtml.EndTagToken && depth > 0:
		return depth - 1
	}
	return depth
}

func isInline(tag string) bool {
	switch tag {
	case "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i",
		"kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup",
		"time", "u", "var", "wbr", "font":
		return true
	}
	return false
}

// excerpt shortens s to at most max runes plus an ellipsis, cutting at a word
// boundary when one is reasonably close.
func excerpt(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	cut := []rune(s)[:max]
	if i := lastSpace(cut); i > max/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(string(cut), " ,.;:-") + "…"
}

func lastSpace(rs []rune) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i] == ' ' {
			return i
		}
	}
	return -1
}

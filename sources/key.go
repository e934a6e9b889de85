package sources

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/loa-vn/loa/content"
)

// ItemKey returns the key that recognises an item Loa has already seen. It
// depends only on the item itself, never on its position in the feed, so it
// is stable across restarts and re-ordered feeds. The first rule that
// applies wins:
//
//  1. "guid:" + the guid, trimmed and NFC, when the guid is not empty. A guid
//     equal to the link is fine (RSS guids are permalinks by default); a guid
//     that is an absolute http(s) URL is normalised as in rule 2, so a portal
//     that changes the case of its host or the order of query parameters does
//     not make every item look new.
//  2. "link:" + the normalised link: scheme and host lower-cased, default
//     port (:80, :443) and fragment dropped, trailing slashes dropped from
//     the path (an empty path becomes "/"), utm_* parameters dropped and the
//     other parameters sorted by name.
//  3. "hash:" + hex SHA-256 of the title (NFC, lower-cased, whitespace
//     collapsed, trimmed) + "|" + the published time in UTC as RFC 3339, or
//     "" when there is none.
//
// Changing these rules changes keys and so reposts items: do it only with a
// migration of stored keys.
func ItemKey(it Item) string {
	if guid := content.NFC(strings.TrimSpace(it.GUID)); guid != "" {
		if n, ok := normaliseURL(guid); ok {
			return "guid:" + n
		}
		return "guid:" + guid
	}
	if link := cleanURL(it.Link); link != "" {
		if n, ok := normaliseURL(link); ok {
			return "link:" + n
		}
		return "link:" + link
	}
	return "hash:" + titleDateHash(it.Title, it.Published)
}

// normaliseURL applies rule 2 of ItemKey. It reports false for anything but
// an absolute http(s) URL, which is then used as written.
func normaliseURL(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || !isHTTP(u) {
		return "", false
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = normaliseHost(u.Scheme, strings.ToLower(u.Host))
	u.Fragment, u.RawFragment = "", ""
	u.Path, u.RawPath = trimSlashes(u.Path), trimSlashes(u.RawPath)
	if u.Path == "" {
		u.Path, u.RawPath = "/", ""
	}
	u.RawQuery = normaliseQuery(u.RawQuery)
	u.ForceQuery = false
	return u.String(), true
}

func trimSlashes(p string) string {
	return strings.TrimRight(p, "/")
}

func normaliseHost(scheme, hostport string) string {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport // no port
	}
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		if strings.Contains(host, ":") {
			return "[" + host + "]" // IPv6 literal keeps its brackets
		}
		return host
	}
	return hostport
}

// normaliseQuery drops tracking parameters and sorts the rest by name
// (url.Values.Encode sorts; values of a repeated name keep their order,
// which can matter to the server).
func normaliseQuery(raw string) string {
	if raw == "" {
		return ""
	}
	// A malformed pair is skipped rather than failing the key: the key only
	// has to be stable, and the same input always skips the same pairs.
	q, _ := url.ParseQuery(raw)
	for name := range q {
		if strings.HasPrefix(strings.ToLower(name), "utm_") {
			delete(q, name)
		}
	}
	return q.Encode()
}

func titleDateHash(title string, published time.Time) string {
	t := strings.Join(strings.Fields(content.NFC(title)), " ")
	t = content.NFC(strings.ToLower(t))
	date := ""
	if !published.IsZero() {
		date = published.UTC().Format(time.RFC3339)
	}
	sum := sha256.Sum256([]byte(t + "|" + date))
	return hex.EncodeToString(sum[:])
}

package wordpress

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

const (
	// maxTitleSlug bounds the readable part of a slug, in bytes (all ASCII).
	maxTitleSlug = 60
	// slugMarker starts the per-delivery suffix.
	slugMarker = "loa"
)

// Slug returns the post slug Loa uses for a delivery: the title in ASCII
// (Vietnamese diacritics dropped, đ → d), lowercase, every run of other
// characters one hyphen, cut at a word boundary to at most 60 characters,
// then "-loa" and the delivery id in base 36:
//
//	Slug("Đường dây nóng", 1234) == "duong-day-nong-loaya"
//
// The title part keeps the address readable; the suffix, which holds no
// hyphen and ends the slug, is the same on every attempt of a delivery and
// differs between deliveries, so Find can tell whether an earlier attempt
// landed and two deliveries never share a slug. WordPress keeps such a slug
// as it is: it is already in the form sanitize_title makes.
func Slug(title string, deliveryID int64) string {
	// Unsigned so that every id, even an invalid negative one, gives a
	// suffix without a hyphen and a different suffix.
	return joinSlug(titleSlug(title), slugMarker+strconv.FormatUint(uint64(deliveryID), 36))
}

func joinSlug(base, suffix string) string {
	if base == "" {
		return suffix
	}
	return base + "-" + suffix
}

// titleSlug is the readable part of a slug.
func titleSlug(title string) string {
	var b strings.Builder
	gap := false
	// NFD splits a letter from its marks (ệ → e + U+0323 + U+0302), which are dropped.
	for _, r := range norm.NFD.String(title) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if r == 'đ' {
			r = 'd' // a letter of its own, not d with a mark, so NFD keeps it
		}
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9') {
			gap = true
			continue
		}
		if gap && b.Len() > 0 {
			b.WriteByte('-')
		}
		gap = false
		b.WriteRune(r)
	}
	return cutSlug(b.String(), maxTitleSlug)
}

// cutSlug shortens s to at most n bytes, at a hyphen when one falls in the
// second half, so that words stay whole.
func cutSlug(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// s[n] == '-' means the cut falls exactly between two words.
	if i := strings.LastIndexByte(s[:n+1], '-'); i >= n/2 {
		return s[:i]
	}
	return strings.TrimRight(s[:n], "-")
}

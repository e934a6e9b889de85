package placeholder

import (
	"strings"
	"time"
	"unicode"

	"github.com/loa-vn/loa/content"
)

// DateLayout is the Vietnamese convention dd/mm/yyyy, the date helper's format.
const DateLayout = "02/01/2006"

// FormatDate returns t as dd/mm/yyyy in loc, or "" for the zero time so a
// missing date prints as nothing rather than 01/01/0001. It is the date
// helper.
func FormatDate(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(DateLayout)
}

// Truncate returns s cut to at most n characters, ellipsis included, so
// that a channel's limit (Zalo's 300-character description, say) holds.
// It cuts at a space when it can: a Vietnamese word cut mid-syllable reads
// as a different word. It is the truncate helper.
func Truncate(n int, s string) string {
	s = content.NFC(s)
	if n <= 0 {
		return ""
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := r[:n-1]
	if !unicode.IsSpace(r[n-1]) {
		if i := lastSpace(cut); i > 0 {
			cut = cut[:i]
		}
	}
	return strings.TrimRightFunc(string(cut), unicode.IsSpace) + "…"
}

func lastSpace(r []rune) int {
	for i := len(r) - 1; i >= 0; i-- {
		if unicode.IsSpace(r[i]) {
			return i
		}
	}
	return -1
}

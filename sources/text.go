package sources

import (
	"strings"
	"time"
	"unicode"

	"github.com/loa-vn/loa/content"
)

const (
	// vietnamZoneName is the zone readers expect dates in.
	vietnamZoneName = "Asia/Ho_Chi_Minh"
	// dateLayout is the Vietnamese convention dd/mm/yyyy.
	dateLayout = "02/01/2006"
)

// vietnamZone loads Asia/Ho_Chi_Minh. Vietnam has kept UTC+7 without
// daylight saving since 1975, so a fixed zone gives the same dates on a
// host without a zone database.
func vietnamZone() *time.Location {
	if loc, err := time.LoadLocation(vietnamZoneName); err == nil {
		return loc
	}
	return time.FixedZone("ICT", 7*60*60)
}

// formatDate returns t as dd/mm/yyyy in loc, or "" for the zero time so a
// missing date prints as nothing rather than 01/01/0001.
func formatDate(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(dateLayout)
}

// truncate returns s cut to at most n characters, ellipsis included, so
// that a channel's limit (Zalo's 300-character description, say) holds.
// It cuts at a space when it can: a Vietnamese word cut mid-syllable reads
// as a different word.
func truncate(n int, s string) string {
	s = content.NFC(s)
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n <= 0 {
		return ""
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

package sources

import (
	"fmt"
	"html"
	"slices"
	"strings"
	"time"

	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/placeholder"
)

// digestSummaryRunes keeps each digest entry to a glance.
const digestSummaryRunes = 160

// Digest builds the weekly bulletin of items for the Monday–Sunday week
// containing weekStart in loc (nil means Asia/Ho_Chi_Minh). The caller picks
// the items; Digest lists them oldest first, undated ones last. With no
// items the body says there were none, and the caller may skip posting.
//
// The body has already been through content.SanitizeHTML, so it is stored
// and published exactly as returned.
func Digest(items []Item, weekStart time.Time, loc *time.Location) (title, summary, bodyHTML string) {
	if loc == nil {
		loc = vietnamZone()
	}
	span := weekSpan(weekStart, loc)
	title = "Bản tin thủ tục hành chính tuần " + span
	if len(items) == 0 {
		summary = "Không có thủ tục hành chính mới cập nhật trong tuần."
		bodyHTML = "<p>Trong tuần " + span + " không có thủ tục hành chính mới nào được cập nhật.</p>"
		return title, summary, content.SanitizeHTML(bodyHTML)
	}
	summary = fmt.Sprintf("Tổng hợp %d thủ tục hành chính mới cập nhật trong tuần.", len(items))
	return title, summary, content.SanitizeHTML(digestList(items, loc))
}

// weekSpan returns "DD/MM – DD/MM/YYYY" for the week containing t. When the
// week straddles New Year both dates carry their year, or the first date
// would read as the wrong year.
func weekSpan(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	daysSinceMonday := (int(t.Weekday()) + 6) % 7
	monday := time.Date(t.Year(), t.Month(), t.Day()-daysSinceMonday, 0, 0, 0, 0, loc)
	sunday := monday.AddDate(0, 0, 6)
	first := monday.Format("02/01")
	if monday.Year() != sunday.Year() {
		first = monday.Format(placeholder.DateLayout)
	}
	return first + " – " + sunday.Format(placeholder.DateLayout)
}

func digestList(items []Item, loc *time.Location) string {
	var b strings.Builder
	b.WriteString("<ol>\n")
	for _, it := range byPublished(items) {
		b.WriteString(digestEntry(it, loc))
	}
	b.WriteString("</ol>")
	return b.String()
}

// byPublished returns a sorted copy so the caller's slice is left alone.
func byPublished(items []Item) []Item {
	sorted := slices.Clone(items)
	slices.SortStableFunc(sorted, func(a, b Item) int {
		switch {
		case a.Published.IsZero() && b.Published.IsZero():
			return 0
		case a.Published.IsZero():
			return 1
		case b.Published.IsZero():
			return -1
		}
		return a.Published.Compare(b.Published)
	})
	return sorted
}

func digestEntry(it Item, loc *time.Location) string {
	var b strings.Builder
	b.WriteString("<li>")
	title := html.EscapeString(content.NFC(it.Title))
	if link := resolveHTTP(nil, it.Link); link != "" {
		fmt.Fprintf(&b, `<a href="%s">%s</a>`, html.EscapeString(link), title)
	} else {
		b.WriteString(title)
	}
	if date := placeholder.FormatDate(it.Published, loc); date != "" {
		b.WriteString(" (" + date + ")")
	}
	if s := placeholder.Truncate(digestSummaryRunes, it.Summary); s != "" {
		b.WriteString("<br>" + html.EscapeString(s))
	}
	b.WriteString("</li>\n")
	return b.String()
}

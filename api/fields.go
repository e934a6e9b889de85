package api

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/loa-vn/loa/content"
)

// requiredText cleans a short plain-text field (a name, a reason): markup
// removed, NFC, required, at most max characters. hint tells what to write.
func requiredText(field string, raw *string, max int, hint string) (string, error) {
	text := strings.TrimSpace(content.PlainText(deref(raw)))
	switch {
	case text == "":
		return "", invalid(field, strings.TrimSpace("is required "+hint))
	case utf8.RuneCountInString(text) > max:
		return "", invalid(field, fmt.Sprintf("is longer than %d characters", max))
	}
	return text, nil
}

// optionalTime parses an RFC 3339 time if one was sent.
func optionalTime(field string, raw *string) (*time.Time, error) {
	if raw == nil {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, *raw)
	if err != nil {
		return nil, invalid(field, "must be an RFC 3339 time such as 2026-12-01T07:30:00+07:00")
	}
	t = t.UTC()
	return &t, nil
}

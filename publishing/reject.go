package publishing

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/loa-vn/loa/content"
)

// MaxRejectReason bounds a rejection's reason, in characters.
const MaxRejectReason = 2000

// RejectReason cleans a rejection's reason: plain text, required, at most
// MaxRejectReason characters; errors are an *InvalidError on "reason".
func RejectReason(raw string) (string, error) {
	text := strings.TrimSpace(content.PlainText(raw))
	switch {
	case text == "":
		return "", invalid("reason", "is required (tell the author what to change)")
	case utf8.RuneCountInString(text) > MaxRejectReason:
		return "", invalid("reason", fmt.Sprintf("is longer than %d characters", MaxRejectReason))
	}
	return text, nil
}

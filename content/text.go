package content

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// The characters Loa refuses in text, wherever it comes from (API request,
// schedule template, feed item), and removes from anything it writes out:
//
//   - C0 control characters U+0000–U+001F, except tab, line feed and
//     carriage return in multi-line text (a carriage return is normalised to
//     a line feed by the cleaners). NUL alone makes an XML feed unreadable.
//   - DEL U+007F and the C1 controls U+0080–U+009F.
//   - Bidi embeddings, overrides and isolates: U+202A–U+202E and
//     U+2066–U+2069. They reorder the text that follows them, so a title can
//     show readers something other than what reviewers approved ("Trojan
//     Source", CVE-2021-42574).
//   - Noncharacters: U+FFFE, U+FFFF, U+FDD0–U+FDEF and the last two code
//     points of every plane. XML 1.0 forbids U+FFFE and U+FFFF.
//   - Invalid UTF-8 (and so lone surrogates, which UTF-8 cannot encode).
//
// The bidi marks U+200E (LRM), U+200F (RLM) and U+061C (ALM) are allowed:
// they are ordinary invisible letters that open no embedding and reorder
// nothing beyond the neutral characters next to them, they occur in correct
// Arabic and Hebrew text, and Trojan Source does not use them.

// BadChar describes the first character of s that Loa refuses: its 1-based
// position in characters and why; ok is false when s is clean. In
// single-line text tab, line feed and carriage return are refused too.
func BadChar(s string, multiline bool) (pos int, why string, ok bool) {
	pos = 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		pos++
		if r == utf8.RuneError && size == 1 {
			return pos, "invalid UTF-8", true
		}
		if why := refused(r, multiline); why != "" {
			return pos, why, true
		}
		i += size
	}
	return 0, "", false
}

// refused says why r is not allowed, or "" when it is.
func refused(r rune, multiline bool) string {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		if multiline {
			return ""
		}
		return fmt.Sprintf("a line break or tab (%U), allowed only in multi-line fields", r)
	case r < 0x20 || r == 0x7F || r >= 0x80 && r <= 0x9F:
		return fmt.Sprintf("a control character (%U)", r)
	case r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069:
		return fmt.Sprintf("a bidi override or isolate character (%U)", r)
	case r >= 0xFDD0 && r <= 0xFDEF || r&0xFFFE == 0xFFFE:
		return fmt.Sprintf("a noncharacter (%U)", r)
	}
	return ""
}

// CheckText refuses s if it holds a character Loa does not accept (see
// BadChar); the error names field. Multi-line fields may hold tabs and
// line breaks, single-line ones may not.
func CheckText(field, s string, multiline bool) *FieldError {
	pos, why, bad := BadChar(s, multiline)
	if !bad {
		return nil
	}
	if why == "invalid UTF-8" {
		return &FieldError{Field: field, Message: fmt.Sprintf("is not valid UTF-8 (at character %d)", pos)}
	}
	return &FieldError{Field: field, Message: fmt.Sprintf("contains %s at character %d, which is not allowed", why, pos)}
}

// StripRefused returns s as valid UTF-8 without any character CheckText
// refuses in multi-line text; tab, line feed and carriage return stay. It is
// for output (feeds, pages) that must be well-formed whatever is stored.
func StripRefused(s string) string {
	if _, _, bad := BadChar(s, true); !bad {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !(r == utf8.RuneError && size == 1) && refused(r, true) == "" {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// normalizeNewlines turns CRLF and lone CR into LF.
func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

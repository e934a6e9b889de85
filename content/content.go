// Package content cleans post text when it enters Loa, so that everything
// stored is already safe and consistent: Unicode in NFC form (text arrives
// from Word and web pages in mixed forms, which breaks search and
// de-duplication), HTML reduced to a known-safe subset, and plain fields
// free of markup. Channels can then publish stored text without cleaning it
// again.
package content

import (
	"fmt"
	"html"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	nethtml "golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"
)

// Limits applied by CleanPost. Title, summary and category are counted in
// characters (runes) because editors think in characters; the body is
// counted in bytes because its limit protects storage and channel payloads.
const (
	MaxTitleRunes    = 250
	MaxSummaryRunes  = 1000
	MaxCategoryRunes = 100
	MaxBodyBytes     = 200000
	// MaxURLBytes bounds links and image URLs, as the outbound guard bounds
	// the URLs Loa itself fetches.
	MaxURLBytes = 2048
)

// Audience values accepted by CleanPost.
const (
	AudienceAll       = "all"
	AudienceOfficials = "officials"
	AudiencePublic    = "public"
)

// NFC returns s in Unicode Normalization Form C, so that the same
// Vietnamese text typed on different systems has the same bytes.
func NFC(s string) string {
	return norm.NFC.String(s)
}

// SanitizeHTML returns s normalised to NFC and reduced to bluemonday's
// user-generated-content policy: formatting, links, images, tables and
// lists survive; scripts, styles, iframes, event handlers and javascript:
// URLs do not. Every link gets rel="nofollow noopener".
func SanitizeHTML(s string) string {
	// Normalise before sanitising: normalising afterwards could join a
	// tag's closing ">" with a following combining mark (">" + U+0338
	// becomes "≯") and so reopen a tag the sanitiser had closed.
	clean := ugcPolicy().Sanitize(NFC(normalizeNewlines(s)))
	// Trim before finishing: trimming afterwards could leave a combining
	// mark first in the text, unescaped, and a second clean would escape
	// it (found by FuzzCleanPost: " \u0301").
	return finishHTML(strings.TrimSpace(clean))
}

// PlainText returns s as plain text: NFC, all markup and entities removed,
// runs of whitespace collapsed to one space, and trimmed. The result is
// text, not HTML: a literal "<" typed as "&lt;" comes back as "<", so
// anything that puts it into HTML must escape it.
func PlainText(s string) string {
	stripped := strictPolicy().Sanitize(NFC(s))
	text := strings.Join(strings.Fields(html.UnescapeString(stripped)), " ")
	// Entities such as "&#769;" can decode to combining marks, so
	// normalise once more now that no markup is left to corrupt.
	return NFC(text)
}

// The policies are built once, like compiled regular expressions, and only
// read afterwards (bluemonday policies may be used by many goroutines once
// built): building the UGC policy compiles its regular expressions, which
// took a tenth of the CPU of a burst of posts when it was done per call.
var (
	ugcPolicy = sync.OnceValue(func() *bluemonday.Policy {
		p := bluemonday.UGCPolicy()
		p.RequireNoFollowOnLinks(true)
		return p
	})
	strictPolicy = sync.OnceValue(func() *bluemonday.Policy {
		p := bluemonday.StrictPolicy()
		// Without this "<p>a</p><p>b</p>" would become "ab".
		p.AddSpaceWhenStrippingTag(true)
		return p
	})
)

// finishHTML walks sanitised HTML once more to do what bluemonday cannot:
// give every link rel="nofollow noopener" (bluemonday adds "noopener" only
// together with target="_blank") and make text that starts with a
// combining mark safe against later normalisation (see escapeText).
func finishHTML(s string) string {
	var b strings.Builder
	z := nethtml.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case nethtml.ErrorToken:
			// Sanitised input comes from a string, so the only error is EOF.
			return b.String()
		case nethtml.StartTagToken, nethtml.SelfClosingTagToken:
			tok := z.Token()
			if isLink(tok) {
				tok.Attr = withRel(tok.Attr, "nofollow", "noopener")
			}
			b.WriteString(tok.String())
		case nethtml.TextToken:
			b.WriteString(escapeText(string(z.Text())))
		default:
			b.Write(z.Raw())
		}
	}
}

func isLink(tok nethtml.Token) bool {
	if tok.Data != "a" && tok.Data != "area" {
		return false
	}
	for _, a := range tok.Attr {
		if a.Key == "href" {
			return true
		}
	}
	return false
}

// withRel returns attrs with the given tokens present in rel, keeping any
// tokens already there.
func withRel(attrs []nethtml.Attribute, tokens ...string) []nethtml.Attribute {
	for i, a := range attrs {
		if a.Key != "rel" {
			continue
		}
		have := strings.Fields(a.Val)
		for _, t := range tokens {
			if !containsFold(have, t) {
				have = append(have, t)
			}
		}
		attrs[i].Val = strings.Join(have, " ")
		return attrs
	}
	return append(attrs, nethtml.Attribute{Key: "rel", Val: strings.Join(tokens, " ")})
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// escapeText escapes unescaped text for HTML. A text that starts with a
// combining mark gets that mark as a character reference: written raw, a
// later NFC pass anywhere downstream could merge it with the preceding
// tag's ">" and turn the rest of the text into attributes.
func escapeText(text string) string {
	text = NFC(text)
	if text == "" || norm.NFC.PropertiesString(text).BoundaryBefore() {
		return nethtml.EscapeString(text)
	}
	r, size := utf8.DecodeRuneInString(text)
	return fmt.Sprintf("&#%d;", r) + nethtml.EscapeString(text[size:])
}

// PostText is the editable text of a post, with fields named as in the API.
type PostText struct {
	Title    string `json:"title"`
	Summary  string `json:"summary"`
	Body     string `json:"body"`
	Category string `json:"category"`
	Audience string `json:"audience"`
}

// FieldError reports a problem with one field; Field is the JSON name so
// API clients can show the message next to the right input.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e FieldError) Error() string {
	return e.Field + ": " + e.Message
}

// CleanPost returns in with every field cleaned, plus all problems found,
// in field order (title, summary, body, category, audience). The cleaned
// post is returned even when there are errors so callers can echo it back.
func CleanPost(in PostText) (PostText, []FieldError) {
	var out PostText
	var errs []FieldError
	add := func(err *FieldError) {
		if err != nil {
			errs = append(errs, *err)
		}
	}

	out.Title = PlainText(in.Title)
	add(firstError(checkChars("title", in.Title, out.Title, false), checkTitle(out.Title), checkPlainStable("title", out.Title)))

	out.Summary = PlainText(in.Summary)
	add(firstError(checkChars("summary", in.Summary, out.Summary, false), checkRunes("summary", out.Summary, MaxSummaryRunes),
		checkPlainStable("summary", out.Summary)))

	out.Body = SanitizeHTML(in.Body)
	add(firstError(checkChars("body", in.Body, out.Body, true), checkBody(in.Body, out.Body)))

	out.Category = PlainText(in.Category)
	add(firstError(checkChars("category", in.Category, out.Category, false), checkRunes("category", out.Category, MaxCategoryRunes),
		checkPlainStable("category", out.Category)))

	var audErr *FieldError
	out.Audience, audErr = cleanAudience(in.Audience)
	add(audErr)

	return out, errs
}

// checkChars refuses characters Loa does not accept (see BadChar) in the
// text as given and in the cleaned text. The given text may hold tabs and
// line breaks in any field, because the cleaners turn them into spaces in
// single-line fields (a feed item's title often spans lines); the cleaned
// text is checked as single- or multi-line. Checking the cleaned text too
// catches characters written as references, such as "&#x202E;".
func checkChars(field, raw, clean string, multiline bool) *FieldError {
	if err := CheckText(field, raw, true); err != nil {
		return err
	}
	return CheckText(field, clean, multiline)
}

// checkPlainStable refuses plain text that PlainText would change again:
// text whose decoded character references are themselves markup, such as
// "&lt;b&gt;" (which decodes to a tag) or "&amp;amp;". Stored text is
// cleaned again whenever a post is edited or a template expanded, and each
// pass would strip or decode one level more, so such text is refused rather
// than changed behind the author's back.
func checkPlainStable(field, clean string) *FieldError {
	if PlainText(clean) == clean {
		return nil
	}
	return &FieldError{Field: field, Message: field + ` holds text that is HTML markup or a character reference once decoded (such as "&lt;b&gt;" or "&amp;amp;"); write it as plain text`}
}

// firstError returns the first non-nil error, so a field reports one problem.
func firstError(errs ...*FieldError) *FieldError {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func checkTitle(title string) *FieldError {
	if title == "" {
		return &FieldError{Field: "title", Message: "title is required"}
	}
	return checkRunes("title", title, MaxTitleRunes)
}

func checkRunes(field, s string, limit int) *FieldError {
	if utf8.RuneCountInString(s) <= limit {
		return nil
	}
	return &FieldError{
		Field:   field,
		Message: fmt.Sprintf("%s is longer than %d characters", field, limit),
	}
}

func checkBody(raw, clean string) *FieldError {
	if clean == "" && strings.TrimSpace(raw) != "" {
		// Tell the editor why their text vanished rather than silently
		// storing an empty body.
		return &FieldError{Field: "body", Message: "body has no content left after removing unsafe HTML"}
	}
	if len(clean) > MaxBodyBytes {
		return &FieldError{
			Field:   "body",
			Message: fmt.Sprintf("body is longer than %d bytes", MaxBodyBytes),
		}
	}
	return nil
}

func cleanAudience(s string) (string, *FieldError) {
	a := strings.ToLower(strings.TrimSpace(s))
	switch a {
	case "":
		return AudienceAll, nil
	case AudienceAll, AudienceOfficials, AudiencePublic:
		return a, nil
	}
	return a, &FieldError{Field: "audience", Message: "audience must be one of all, officials, public"}
}

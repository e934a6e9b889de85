package content

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Priorities of a post on channels that rank items (radio bulletins).
const (
	PriorityNormal    = "normal"
	PriorityHigh      = "priority"
	PriorityEmergency = "emergency"
)

// MaxTextRunes bounds a channel-specific plain text (a Facebook post is at
// most 63,206 characters).
const MaxTextRunes = 63206

// Variant is a post's content for one channel; empty fields fall back to
// the post's own.
type Variant struct {
	Title    string `json:"title,omitempty"`
	Summary  string `json:"summary,omitempty"`
	Body     string `json:"body,omitempty"`
	Text     string `json:"text,omitempty"`
	Link     string `json:"link,omitempty"`
	ImageURL string `json:"image_url,omitempty"`
	Priority string `json:"priority,omitempty"`
}

// CleanVariant applies the post field rules to a variant. Field names in
// the errors are the variant's JSON names.
func CleanVariant(v Variant) (Variant, []FieldError) {
	var errs []FieldError
	add := func(e *FieldError) {
		if e != nil {
			errs = append(errs, *e)
		}
	}
	out := Variant{Title: PlainText(v.Title), Summary: PlainText(v.Summary), Body: SanitizeHTML(v.Body), Text: MultilineText(v.Text)}
	if v.Title != "" {
		add(firstError(checkChars("title", v.Title, out.Title, false), checkTitle(out.Title), checkPlainStable("title", out.Title)))
	}
	add(firstError(checkChars("summary", v.Summary, out.Summary, false), checkRunes("summary", out.Summary, MaxSummaryRunes),
		checkPlainStable("summary", out.Summary)))
	if v.Body != "" {
		add(firstError(checkChars("body", v.Body, out.Body, true), checkBody(v.Body, out.Body)))
	}
	add(firstError(checkChars("text", v.Text, out.Text, true), checkRunes("text", out.Text, MaxTextRunes)))
	var e *FieldError
	out.Link, e = CleanURL("link", v.Link)
	add(e)
	out.ImageURL, e = CleanURL("image_url", v.ImageURL)
	add(e)
	if v.Priority != "" {
		out.Priority, e = CleanPriority(v.Priority)
		add(e)
	}
	return out, errs
}

// CleanURL accepts "" or an absolute http(s) URL of at most MaxURLBytes.
func CleanURL(field, raw string) (string, *FieldError) {
	raw = strings.TrimSpace(NFC(raw))
	if raw == "" {
		return "", nil
	}
	if e := CheckText(field, raw, false); e != nil {
		return "", e
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", &FieldError{Field: field, Message: "must be an absolute http or https URL"}
	}
	if len(raw) > MaxURLBytes {
		return "", &FieldError{Field: field, Message: fmt.Sprintf("is longer than %d bytes", MaxURLBytes)}
	}
	return u.String(), nil
}

// CleanPriority accepts normal, priority or emergency ("" means normal).
func CleanPriority(raw string) (string, *FieldError) {
	p := strings.ToLower(strings.TrimSpace(raw))
	switch p {
	case "":
		return PriorityNormal, nil
	case PriorityNormal, PriorityHigh, PriorityEmergency:
		return p, nil
	}
	return "", &FieldError{Field: "priority", Message: "must be one of normal, priority, emergency"}
}

var (
	spacesRe     = regexp.MustCompile(`[ \t\f\v\x{00A0}]+`)
	blankLinesRe = regexp.MustCompile(`\n{3,}`)
)

// MultilineText is PlainText that keeps line breaks (at most one blank line
// in a row), for channels where line breaks carry meaning.
func MultilineText(s string) string {
	s = normalizeNewlines(NFC(s))
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if strings.ContainsAny(line, "<&") {
			line = PlainText(line)
		}
		lines[i] = strings.TrimSpace(spacesRe.ReplaceAllString(line, " "))
	}
	out := strings.TrimSpace(strings.Join(lines, "\n"))
	out = blankLinesRe.ReplaceAllString(out, "\n\n")
	if !utf8.ValidString(out) {
		return strings.ToValidUTF8(out, "")
	}
	return out
}

// Package placeholder fills the text templates officers and administrators
// write for schedules and feed sources. A template is data, not a program:
// it may only substitute fields, apply a few bounded helpers and choose
// between branches, so expanding it takes time and memory in proportion to
// its own size and its data, and its output never passes a fixed cap.
//
// The syntax is Go's text/template (html/template for HTML bodies, which
// escapes values by context), restricted by an allow-list checked on the
// parse tree when the template is parsed. Allowed:
//
//   - text, and {{/* comments */}};
//   - fields the caller declares, one level deep: {{.Title}}, {{.Date}};
//   - {{.}} inside {{with}}, meaning the with's value;
//   - the helpers
//     date FIELD       – a time field as dd/mm/yyyy in the caller's zone
//     ("" for the zero time), e.g. {{date .Published}};
//     truncate N FIELD – at most N characters ("…" included), cut at a
//     space when possible; N is a number from 1 to MaxTruncate, e.g.
//     {{truncate 200 .Summary}};
//     both also at the end of a pipeline: {{.Summary | truncate 200}};
//   - {{if FIELD}} … {{else}} … {{end}} and {{with FIELD}} … {{end}},
//     with else if / else with.
//
// Everything else is refused with an error naming the template's field:
// range, template, block and define, variables, literals outside truncate's
// N, parenthesised pipelines, method calls and nested fields (.A.B), and
// every other function, including printf, print, println, len, index,
// slice, call, html, js, urlquery, and, or, not, eq and the other
// comparisons.
//
// Fields, as the callers declare them:
//
//   - schedules (title and summary of each occurrence's post): .Date
//     (23/11/2026), .Time (07:00), .Weekday (Thứ Hai), .Week (ISO week
//     number), .Month, .Year — see worker.OccurrenceFields;
//   - feed sources (title, summary and category as text, body as HTML):
//     .Title .Link .Summary .Published (a time, for date) .GUID .ImageURL
//     .FeedTitle — see sources.ItemFields.
//
// Expansion writes through a writer that refuses the write that would pass
// Options.MaxBytes, so nothing past the cap is ever buffered. Callers still
// pass the result through content.CleanPost, like any hand-written post.
package placeholder

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"strings"
	"text/template"
	"text/template/parse"
	"time"
	"unicode/utf8"

	"github.com/loa-vn/loa/content"
)

// MaxTruncate is the largest N truncate accepts.
const MaxTruncate = 10000

// Syntax says how a template's output is read.
type Syntax int

const (
	// Text is plain text: values are inserted as they are (text/template).
	Text Syntax = iota
	// HTML is an HTML fragment: values are escaped for their context
	// (html/template), so item text cannot add markup or scripts.
	HTML
)

// Options describe one template field.
type Options struct {
	// Field names the template in errors, e.g. "title".
	Field string
	// Syntax is Text or HTML.
	Syntax Syntax
	// Fields are the data fields the template may use, e.g. "Title".
	// The data given to Expand must have each of them.
	Fields []string
	// MaxBytes caps the expanded output; it must be positive.
	MaxBytes int
	// Zone is where date prints dates; nil means UTC.
	Zone *time.Location
}

// Template is a checked template, safe for concurrent use.
type Template struct {
	opt  Options
	src  string // set when the template has no action at all
	text *template.Template
	html *htmltemplate.Template
}

// ErrTooLong is wrapped by Expand's error when the output would pass the cap.
var ErrTooLong = errors.New("placeholder: output too long")

// Parse checks src against the allow-list; src may be at most MaxBytes
// long. Every error wraps a content.FieldError whose Field is o.Field.
func Parse(src string, o Options) (*Template, error) {
	if o.MaxBytes <= 0 {
		return nil, fmt.Errorf("placeholder: %s: MaxBytes must be positive", o.Field)
	}
	t := &Template{opt: o}
	if len(src) > o.MaxBytes {
		// A template is never longer than the text it may produce; this
		// also bounds the work of parsing it.
		return nil, t.fail(fmt.Sprintf("is longer than %d bytes", o.MaxBytes))
	}
	if !strings.Contains(src, "{{") {
		t.src = src
		return t, nil
	}
	var tree *parse.Tree
	var names []string
	var err error
	if o.Syntax == HTML {
		t.html, err = htmltemplate.New(o.Field).Funcs(t.funcs()).Parse(src)
		if err == nil {
			tree = t.html.Tree
			for _, d := range t.html.Templates() {
				names = append(names, d.Name())
			}
		}
	} else {
		t.text, err = template.New(o.Field).Funcs(t.funcs()).Parse(src)
		if err == nil {
			tree = t.text.Tree
			for _, d := range t.text.Templates() {
				names = append(names, d.Name())
			}
		}
	}
	if err != nil {
		return nil, t.fail(strings.TrimPrefix(err.Error(), "template: "))
	}
	for _, name := range names {
		if name != o.Field {
			return nil, t.fail("define and block are not allowed")
		}
	}
	if tree == nil || tree.Root == nil {
		t.src = ""
		t.text, t.html = nil, nil
		return t, nil
	}
	c := checker{tree: tree, fields: make(map[string]bool, len(o.Fields))}
	for _, f := range o.Fields {
		c.fields[f] = true
	}
	if err := c.list(tree.Root); err != nil {
		return nil, t.fail(err.Error())
	}
	return t, nil
}

// Expand fills the template with data. The error wraps ErrTooLong when the
// output would pass the cap, and a content.FieldError naming the field.
func (t *Template) Expand(data any) (string, error) {
	if t.text == nil && t.html == nil {
		if len(t.src) > t.opt.MaxBytes {
			return "", t.tooLong()
		}
		return t.src, nil
	}
	w := &cappedWriter{max: t.opt.MaxBytes}
	var err error
	if t.html != nil {
		err = t.html.Execute(w, data)
	} else {
		err = t.text.Execute(w, data)
	}
	if errors.Is(err, ErrTooLong) {
		return "", t.tooLong()
	}
	if err != nil {
		return "", t.fail(strings.TrimPrefix(err.Error(), "template: "))
	}
	return string(w.buf), nil
}

func (t *Template) tooLong() error {
	msg := fmt.Sprintf("expands to more than %d bytes", t.opt.MaxBytes)
	return fmt.Errorf("%w: %w", ErrTooLong, content.FieldError{Field: t.opt.Field, Message: msg})
}

func (t *Template) fail(msg string) error {
	return fmt.Errorf("placeholder: %w", content.FieldError{Field: t.opt.Field, Message: msg})
}

func (t *Template) funcs() map[string]any {
	zone := t.opt.Zone
	if zone == nil {
		zone = time.UTC
	}
	return map[string]any{
		"date":     func(at time.Time) string { return FormatDate(at, zone) },
		"truncate": Truncate,
	}
}

// cappedWriter keeps at most max bytes: the write that would pass the cap
// fails whole and nothing of it is kept. Both template packages stop at the
// first write error.
type cappedWriter struct {
	buf []byte
	max int
}

func (w *cappedWriter) Write(p []byte) (int, error) {
	if len(p) > w.max-len(w.buf) {
		return 0, ErrTooLong
	}
	if need := len(w.buf) + len(p); need > cap(w.buf) {
		grown := make([]byte, len(w.buf), min(max(2*cap(w.buf), need, 64), w.max))
		copy(grown, w.buf)
		w.buf = grown
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}

var _ io.Writer = (*cappedWriter)(nil)

// Output caps for the post fields, derived from content's limits: a
// character is at most utf8.UTFMax bytes, so text that fits the limit after
// cleaning always fits the cap.
const (
	MaxTitleBytes    = content.MaxTitleRunes * utf8.UTFMax
	MaxSummaryBytes  = content.MaxSummaryRunes * utf8.UTFMax
	MaxCategoryBytes = content.MaxCategoryRunes * utf8.UTFMax
	MaxBodyBytes     = content.MaxBodyBytes
)

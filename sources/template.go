package sources

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"strings"
	"text/template"
	"text/template/parse"
	"time"

	"github.com/loa-vn/loa/content"
)

// Templates used when a field of Template is empty. Category has no
// default: an empty category is valid.
const (
	DefaultTitleTemplate   = "{{.Title}}"
	DefaultSummaryTemplate = "{{.Summary}}"
	DefaultBodyTemplate    = `<p>{{.Summary}}</p><p>Xem chi tiết: <a href="{{.Link}}">{{.Link}}</a></p>`
)

// maxRenderBytes bounds each rendered field; it is the body limit posts are
// stored under, so nothing larger could be stored anyway.
const maxRenderBytes = content.MaxBodyBytes

// errOutputTooLarge stops a template as soon as its output passes
// maxRenderBytes, before it can fill memory.
var errOutputTooLarge = fmt.Errorf("output is longer than %d bytes", maxRenderBytes)

// Template holds the Go template sources that turn a feed item into a post.
// Title, Summary and Category are text/template; Body is html/template, so
// item values inserted into it are HTML-escaped and unsafe URLs neutralised.
//
// Available: .Title .Link .Summary .Published (time.Time) .GUID .ImageURL
// .FeedTitle, and the functions date (dd/mm/yyyy in Asia/Ho_Chi_Minh) and
// truncate N (at most N characters, "…" included), as in
// {{date .Published}} or {{truncate 200 .Summary}}.
type Template struct {
	Title    string
	Summary  string
	Body     string
	Category string
}

// Compiled is a validated Template, safe for concurrent use.
type Compiled struct {
	title    *template.Template
	summary  *template.Template
	category *template.Template
	body     *htmltemplate.Template
}

// Rendered is an item rendered into post fields. Plain fields are trimmed
// and NFC; the caller still passes them through content.CleanPost.
type Rendered struct {
	Title    string
	Summary  string
	Body     string
	Category string
}

// ParseTemplate validates t when the source is saved, so that a mistake is
// reported to the admin then, not when the first item arrives. Errors name
// the field ("body: template: …") and can be read with errors.As into a
// content.FieldError.
func ParseTemplate(t Template) (*Compiled, error) {
	funcs := templateFuncs(vietnamZone())
	c := &Compiled{}
	var err error
	if c.title, err = parseText("title", orDefault(t.Title, DefaultTitleTemplate), funcs); err != nil {
		return nil, err
	}
	if c.summary, err = parseText("summary", orDefault(t.Summary, DefaultSummaryTemplate), funcs); err != nil {
		return nil, err
	}
	if c.category, err = parseText("category", t.Category, funcs); err != nil {
		return nil, err
	}
	if c.body, err = parseHTML("body", orDefault(t.Body, DefaultBodyTemplate), funcs); err != nil {
		return nil, err
	}
	// Parsing cannot see a misspelt field such as .Titel; one render of a
	// complete sample item can.
	if _, err := c.Render(sampleItem()); err != nil {
		return nil, err
	}
	return c, nil
}

// Render fills the templates with it.
func (c *Compiled) Render(it Item) (Rendered, error) {
	var r Rendered
	var err error
	if r.Title, err = execute("title", c.title.Execute, it); err != nil {
		return Rendered{}, err
	}
	if r.Summary, err = execute("summary", c.summary.Execute, it); err != nil {
		return Rendered{}, err
	}
	if r.Body, err = execute("body", c.body.Execute, it); err != nil {
		return Rendered{}, err
	}
	if r.Category, err = execute("category", c.category.Execute, it); err != nil {
		return Rendered{}, err
	}
	return r, nil
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func templateFuncs(loc *time.Location) map[string]any {
	return map[string]any{
		"date":     func(t time.Time) string { return formatDate(t, loc) },
		"truncate": truncate,
	}
}

func parseText(field, src string, funcs map[string]any) (*template.Template, error) {
	t, err := template.New(field).Funcs(funcs).Parse(src)
	if err != nil {
		return nil, fieldError(field, err)
	}
	if err := checkBounded(t.Tree.Root); err != nil {
		return nil, fieldError(field, err)
	}
	return t, nil
}

func parseHTML(field, src string, funcs map[string]any) (*htmltemplate.Template, error) {
	t, err := htmltemplate.New(field).Funcs(funcs).Parse(src)
	if err != nil {
		return nil, fieldError(field, err)
	}
	if err := checkBounded(t.Tree.Root); err != nil {
		return nil, fieldError(field, err)
	}
	return t, nil
}

func fieldError(field string, err error) error {
	return fmt.Errorf("sources: %w", content.FieldError{Field: field, Message: err.Error()})
}

// checkBounded refuses loops and template calls. An item has nothing to
// loop over, and without them a template runs each of its actions at most
// once, so rendering time is bounded by the template's own size: text/template
// cannot be interrupted, and {{range 1000000000}} or a template calling
// itself twice would otherwise hang a worker.
func checkBounded(n parse.Node) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, child := range n.Nodes {
			if err := checkBounded(child); err != nil {
				return err
			}
		}
	case *parse.IfNode:
		return checkBranch(&n.BranchNode)
	case *parse.WithNode:
		return checkBranch(&n.BranchNode)
	case *parse.RangeNode:
		return errors.New("template: range is not allowed in item templates")
	case *parse.TemplateNode:
		return errors.New("template: calling other templates (template, block) is not allowed in item templates")
	}
	return nil
}

func checkBranch(b *parse.BranchNode) error {
	if err := checkBounded(b.List); err != nil {
		return err
	}
	return checkBounded(b.ElseList)
}

// execute runs one template into a bounded buffer. Plain and HTML templates
// share it through their Execute methods.
func execute(field string, run func(w io.Writer, data any) error, it Item) (string, error) {
	var buf limitedBuffer
	if err := run(&buf, it); err != nil {
		if errors.Is(err, errOutputTooLarge) {
			return "", fieldError(field, errOutputTooLarge)
		}
		return "", fieldError(field, err)
	}
	return content.NFC(strings.TrimSpace(buf.b.String())), nil
}

// limitedBuffer fails writes past maxRenderBytes; both template packages
// stop executing on the first write error.
type limitedBuffer struct {
	b bytes.Buffer
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if l.b.Len()+len(p) > maxRenderBytes {
		return 0, errOutputTooLarge
	}
	return l.b.Write(p)
}

// sampleItem has every field set so that a trial render exercises all of
// them.
func sampleItem() Item {
	return Item{
		GUID:      "https://tthc.example.gov.vn/tthc/1.001612.000.00.00.H01.html",
		Title:     "Công bố thủ tục hành chính mới 1.001612.000.00.00.H01",
		Link:      "https://tthc.example.gov.vn/tthc/1.001612.000.00.00.H01.html",
		Summary:   "Quyết định công bố thủ tục hành chính mới.",
		ImageURL:  "https://tthc.example.gov.vn/images/tthc.jpg",
		Published: time.Date(2026, 11, 20, 1, 30, 0, 0, time.UTC),
		Key:       "guid:https://tthc.example.gov.vn/tthc/1.001612.000.00.00.H01.html",
		FeedTitle: "Thủ tục hành chính",
	}
}

package sources

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/placeholder"
)

// Templates used when a field of Template is empty. Category has no
// default: an empty category is valid.
const (
	DefaultTitleTemplate   = "{{.Title}}"
	DefaultSummaryTemplate = "{{.Summary}}"
	DefaultBodyTemplate    = `<p>{{.Summary}}</p><p>Xem chi tiết: <a href="{{.Link}}">{{.Link}}</a></p>`
)

// ItemFields are the fields of Item a template may use.
var ItemFields = []string{"Title", "Link", "Summary", "Published", "GUID", "ImageURL", "FeedTitle"}

// Template holds the templates that turn a feed item into a post, in the
// placeholder package's restricted syntax. Title, Summary and Category are
// plain text; Body is HTML, so item values inserted into it are
// HTML-escaped and unsafe URLs neutralised.
//
// Available: .Title .Link .Summary .Published (a time) .GUID .ImageURL
// .FeedTitle, and the helpers date (dd/mm/yyyy in Asia/Ho_Chi_Minh) and
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
	title    *placeholder.Template
	summary  *placeholder.Template
	category *placeholder.Template
	body     *placeholder.Template
}

// Rendered is an item rendered into post fields, trimmed and NFC; Post
// cleans it as a post.
type Rendered struct {
	Title    string
	Summary  string
	Body     string
	Category string
}

// ParseTemplate validates t when the source is saved, so that a mistake is
// reported to the admin then, not when the first item arrives. Errors name
// the field ("body: …") and can be read with errors.As into a
// content.FieldError.
func ParseTemplate(t Template) (*Compiled, error) {
	zone := vietnamZone()
	parse := func(field, src string, syntax placeholder.Syntax, limit int) (*placeholder.Template, error) {
		p, err := placeholder.Parse(src, placeholder.Options{Field: field, Syntax: syntax, Fields: ItemFields,
			MaxBytes: limit, Zone: zone})
		if err != nil {
			return nil, fmt.Errorf("sources: %w", err)
		}
		return p, nil
	}
	c := &Compiled{}
	var err error
	if c.title, err = parse("title", orDefault(t.Title, DefaultTitleTemplate), placeholder.Text, placeholder.MaxTitleBytes); err != nil {
		return nil, err
	}
	if c.summary, err = parse("summary", orDefault(t.Summary, DefaultSummaryTemplate), placeholder.Text, placeholder.MaxSummaryBytes); err != nil {
		return nil, err
	}
	if c.category, err = parse("category", t.Category, placeholder.Text, placeholder.MaxCategoryBytes); err != nil {
		return nil, err
	}
	if c.body, err = parse("body", orDefault(t.Body, DefaultBodyTemplate), placeholder.HTML, placeholder.MaxBodyBytes); err != nil {
		return nil, err
	}
	// Parsing cannot see a helper given the wrong type, such as
	// date .Title, nor a post that breaks the limits; one render of a
	// complete sample item can.
	if _, err := c.Post(sampleItem()); err != nil {
		return nil, err
	}
	return c, nil
}

// Render fills the templates with it.
func (c *Compiled) Render(it Item) (Rendered, error) {
	var r Rendered
	var err error
	if r.Title, err = expand(c.title, it); err != nil {
		return Rendered{}, err
	}
	if r.Summary, err = expand(c.summary, it); err != nil {
		return Rendered{}, err
	}
	if r.Body, err = expand(c.body, it); err != nil {
		return Rendered{}, err
	}
	if r.Category, err = expand(c.category, it); err != nil {
		return Rendered{}, err
	}
	return r, nil
}

// Post renders it and cleans the result exactly as a hand-written post is
// cleaned, with the same limits. The error names the first field that
// fails.
func (c *Compiled) Post(it Item) (content.PostText, error) {
	r, err := c.Render(it)
	if err != nil {
		return content.PostText{}, err
	}
	text, errs := content.CleanPost(content.PostText{Title: r.Title, Summary: r.Summary, Body: r.Body, Category: r.Category})
	if len(errs) > 0 {
		return content.PostText{}, fmt.Errorf("sources: template gives an invalid post: %w", errs[0])
	}
	return text, nil
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func expand(t *placeholder.Template, it Item) (string, error) {
	out, err := t.Expand(it)
	if err != nil {
		var fe content.FieldError
		if errors.As(err, &fe) {
			return "", fmt.Errorf("sources: %w", fe)
		}
		return "", fmt.Errorf("sources: %w", err)
	}
	return content.NFC(strings.TrimSpace(out)), nil
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

package rss

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"time"
)

const (
	// pageZone is the zone readers expect dates in. The caller must import
	// time/tzdata so that it loads on hosts without a zone database.
	pageZone = "Asia/Ho_Chi_Minh"
	// pageDateLayout is the Vietnamese convention: dd/mm/yyyy HH:MM.
	pageDateLayout = "02/01/2006 15:04"

	// itemPageTemplate is parsed per call rather than kept in a package
	// variable; a page render is rare next to the cost of the request.
	itemPageTemplate = `<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} – {{.FeedTitle}}</title>
<link rel="canonical" href="{{.ItemURL}}">
<link rel="alternate" type="application/rss+xml" title="{{.FeedTitle}}" href="{{.FeedURL}}">
<style nonce="{{.StyleNonce}}">body{max-width:42rem;margin:2rem auto;padding:0 1rem;font-family:system-ui,sans-serif;line-height:1.6}.meta{color:#555}</style>
</head>
<body>
<header><a href="{{.FeedURL}}">{{.FeedTitle}}</a></header>
<main>
<article>
<h1>{{.Title}}</h1>
{{- if .Published}}
<p class="meta">Đăng lúc <time datetime="{{.PublishedISO}}">{{.Published}}</time>{{with .Category}} · Chuyên mục: {{.}}{{end}}</p>
{{- else if .Category}}
<p class="meta">Chuyên mục: {{.Category}}</p>
{{- end}}
{{- with .Summary}}
<p class="summary"><strong>{{.}}</strong></p>
{{- end}}
<div class="body">
{{.Body}}
</div>
</article>
</main>
<footer><p><a href="{{.FeedURL}}">Xem nguồn tin RSS</a></p></footer>
</body>
</html>
`
)

// pageData is what the item page template sees; every string is escaped by
// html/template except Body.
type pageData struct {
	FeedTitle    string
	FeedURL      string
	ItemURL      string
	Title        string
	Category     string
	Summary      string
	Published    string
	PublishedISO string
	Body         template.HTML
	// StyleNonce lets the page's own style through a Content-Security-Policy
	// that allows no other inline style or script.
	StyleNonce string
}

// RenderItemPage writes the public HTML page of one feed item: the page a
// receipt's ExternalURL and the feed's item links point at. styleNonce is
// the response's CSP nonce for the page's inline style.
func RenderItemPage(w io.Writer, f Feed, it Item, styleNonce string) error {
	loc, err := time.LoadLocation(pageZone)
	if err != nil {
		return fmt.Errorf("rss: item page: load time zone: %w", err)
	}
	tmpl, err := template.New("item").Parse(itemPageTemplate)
	if err != nil {
		return fmt.Errorf("rss: item page: parse template: %w", err)
	}
	// Render fully before writing so a template error never leaves half a
	// page in a response that already has status 200.
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, newPageData(writable(f), writableItem(it), loc, styleNonce)); err != nil {
		return fmt.Errorf("rss: item page: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("rss: item page: write: %w", err)
	}
	return nil
}

func newPageData(f Feed, it Item, loc *time.Location, styleNonce string) pageData {
	d := pageData{
		StyleNonce: styleNonce,
		FeedTitle:  f.Title,
		FeedURL:    FeedURL(f.PublicBaseURL, f.Slug, FormatRSS),
		ItemURL:    ItemURL(f.PublicBaseURL, f.Slug, it.DeliveryID),
		Title:      it.Title,
		Category:   it.Category,
		Summary:    it.Summary,
		// BodyHTML is sanitised upstream (no scripts, no event handlers), so
		// it is inserted as markup rather than shown as escaped source.
		Body: template.HTML(it.BodyHTML),
	}
	if !it.Published.IsZero() {
		local := it.Published.In(loc)
		d.Published = local.Format(pageDateLayout)
		d.PublishedISO = local.Format(time.RFC3339)
	}
	return d
}

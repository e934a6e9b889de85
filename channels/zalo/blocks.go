package zalo

import (
	"net/url"
	"strings"

	"github.com/loa-vn/loa/content"
	nethtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlBlocks converts sanitised post HTML into Zalo body blocks: each
// paragraph-like element becomes a text block of plain text, each <img>
// with an absolute http(s) src an image block. Zalo's text blocks carry no
// markup, so links keep their words and lose their targets.
func htmlBlocks(src string) []block {
	var b blockBuilder
	z := nethtml.NewTokenizer(strings.NewReader(src))
	for {
		tt := z.Next()
		switch tt {
		case nethtml.ErrorToken:
			// Input comes from a string, so the only error is EOF.
			b.flush()
			return b.blocks
		case nethtml.TextToken:
			if b.skip == 0 {
				// Source line breaks are plain whitespace in HTML; only <br> breaks a line.
				b.text.WriteString(strings.NewReplacer("\r", " ", "\n", " ").Replace(string(z.Text())))
			}
		case nethtml.StartTagToken, nethtml.SelfClosingTagToken:
			b.start(z.Token(), tt == nethtml.SelfClosingTagToken)
		case nethtml.EndTagToken:
			b.end(z.Token())
		}
	}
}

// blockBuilder collects the text of the current paragraph.
type blockBuilder struct {
	blocks []block
	text   strings.Builder
	skip   int // depth inside elements whose text is not content
}

func (b *blockBuilder) start(tok nethtml.Token, selfClosing bool) {
	switch {
	case tok.DataAtom == atom.Img:
		b.image(attr(tok, "src"), attr(tok, "alt"))
	case tok.DataAtom == atom.Br:
		b.text.WriteByte('\n')
	case hiddenElement(tok.DataAtom):
		if !selfClosing {
			b.skip++
		}
	case tok.DataAtom == atom.Li:
		b.flush()
		b.text.WriteString("• ")
	case tok.DataAtom == atom.Td || tok.DataAtom == atom.Th:
		b.text.WriteString(" ")
	case blockElement(tok.DataAtom):
		b.flush()
	}
}

func (b *blockBuilder) end(tok nethtml.Token) {
	switch {
	case hiddenElement(tok.DataAtom):
		if b.skip > 0 {
			b.skip--
		}
	case tok.DataAtom == atom.Li || blockElement(tok.DataAtom):
		b.flush()
	}
}

// flush ends the current paragraph, dropping it if it holds only whitespace.
func (b *blockBuilder) flush() {
	if p := cleanParagraph(b.text.String()); p != "" {
		b.blocks = append(b.blocks, block{Type: "text", Content: p})
	}
	b.text.Reset()
}

// image ends the paragraph before it so the picture keeps its place in the text.
func (b *blockBuilder) image(src, alt string) {
	u, err := url.Parse(strings.TrimSpace(src))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// Zalo fetches images itself; a relative or data: URL cannot work.
		return
	}
	b.flush()
	b.blocks = append(b.blocks, block{Type: "image", URL: u.String(), Caption: oneLine(alt)})
}

// cleanParagraph collapses whitespace within each line, keeps line breaks
// from <br> and trims the result.
func cleanParagraph(s string) string {
	var lines []string
	for _, line := range strings.Split(s, "\n") {
		if l := strings.Join(strings.Fields(line), " "); l != "" {
			lines = append(lines, l)
		}
	}
	return content.NFC(strings.Join(lines, "\n"))
}

func attr(tok nethtml.Token, key string) string {
	for _, a := range tok.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// hiddenElement: elements whose text a reader never sees. Sanitised HTML
// should hold none, but a stray one must not leak CSS into the article.
func hiddenElement(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Head, atom.Title, atom.Template, atom.Noscript:
		return true
	}
	return false
}

// blockElement: elements that start a new paragraph.
func blockElement(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Blockquote, atom.Pre, atom.Ul, atom.Ol, atom.Dl, atom.Dt, atom.Dd,
		atom.Table, atom.Tr, atom.Figure, atom.Figcaption, atom.Section, atom.Article,
		atom.Header, atom.Footer, atom.Aside, atom.Hr, atom.Address:
		return true
	}
	return false
}

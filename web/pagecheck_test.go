package web

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/loa-vn/loa/web/pagetext"
)

// reporter is the part of *testing.T the scan uses.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// recorder is a reporter that only records failure, to test the scan.
type recorder struct{ failed bool }

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }

// visibleText returns the text a reader sees or hears on the page: text
// nodes outside script and style, plus title, alt, placeholder,
// aria-label and the value of buttons.
func visibleText(t reporter, page string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatalf("parse page: %v", err)
	}
	var out []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style") {
			return
		}
		if n.Type == html.TextNode && strings.TrimSpace(n.Data) != "" {
			out = append(out, strings.TrimSpace(n.Data))
		}
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				switch a.Key {
				case "title", "alt", "placeholder", "aria-label":
					out = append(out, a.Val)
				case "value":
					if n.Data == "button" || attr(n, "type") == "submit" || attr(n, "type") == "button" {
						out = append(out, a.Val)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// checkVietnamesePage fails t unless page is <html lang="vi"> and its
// visible text holds no common English word outside pagetext's technical
// words. Data the test put in (names, titles) is passed as allowed too.
// Reuse it for every new page. (The browser test scans every rendered
// page more strictly: any ASCII word that is not Vietnamese.)
func checkVietnamesePage(t reporter, page string, allowed ...string) {
	t.Helper()
	if !regexp.MustCompile(`<html[^>]*\blang="vi"`).MatchString(page) {
		t.Errorf("page has no <html lang=\"vi\">")
	}
	scan := pagetext.Checker{}
	scan.Allow(allowed...)
	for _, text := range visibleText(t, page) {
		for _, w := range scan.Untranslated(text) {
			t.Errorf("English word %q in visible text %q", w, text)
		}
	}
}

func TestCheckVietnamesePageCatchesEnglish(t *testing.T) {
	ft := &recorder{}
	checkVietnamesePage(ft, `<html lang="vi"><body><button>Sign in</button></body></html>`)
	if !ft.failed {
		t.Error("an English button passed the scan")
	}
	ft = &recorder{}
	checkVietnamesePage(ft, `<html lang="en"><body><p>Đăng nhập</p></body></html>`)
	if !ft.failed {
		t.Error("lang=en passed the scan")
	}
	checkVietnamesePage(t, `<html lang="vi"><body><p>Đăng nhập vào Loa qua RSS</p><style>body{}</style></body></html>`)
}

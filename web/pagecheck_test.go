package web

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// englishAllowed are the words a page may show untranslated: product and
// platform names and technical terms Vietnamese offices use as they are.
var englishAllowed = map[string]bool{
	"loa": true, "rss": true, "atom": true, "zalo": true, "oa": true, "facebook": true,
	"wordpress": true, "webhook": true, "utc": true, "asia": true, "ho_chi_minh": true,
	"url": true, "email": true, "http": true, "https": true, "api": true, "id": true,
}

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

// word is a run of letters (any script) or underscores: "Chưa" is one
// word, not "Ch" and "a".
var word = regexp.MustCompile(`[\p{L}\p{M}_]+`)

// englishWords are common English words a forgotten label would contain.
// A word counts as English when it is in this list: the scan catches
// untranslated UI text, not every Latin-letter token.
var englishWords = map[string]bool{}

func init() {
	// Words that are also Vietnamese without diacritics ("a", "an", "to",
	// "in", "no", "ban") are left out.
	for _, w := range strings.Fields(`the and or of on for with by from at is are was be not yes
	sign log login logout out password name user users post posts new draft submit save cancel retry
	approve approval approvals reject delete edit create update dashboard calendar channel channels delivery
	deliveries schedule schedules source sources agency agencies settings home today next failed error
	please try again wrong invalid forbidden unauthorized not found page back welcome status pending
	scheduled sending delivered retrying unconfirmed canceled rejected more less all none empty list
	title summary body time date zone hello submit send sent open close menu skip content main`) {
		englishWords[w] = true
	}
}

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
// visible text holds no English word outside englishAllowed. Data the
// test put in (names, titles) is passed as allowed too. Reuse it for
// every new page.
func checkVietnamesePage(t reporter, page string, allowed ...string) {
	t.Helper()
	if !regexp.MustCompile(`<html[^>]*\blang="vi"`).MatchString(page) {
		t.Errorf("page has no <html lang=\"vi\">")
	}
	extra := map[string]bool{}
	for _, a := range allowed {
		for _, w := range word.FindAllString(a, -1) {
			extra[strings.ToLower(w)] = true
		}
	}
	for _, text := range visibleText(t, page) {
		for _, w := range word.FindAllString(text, -1) {
			lw := strings.ToLower(w)
			if englishWords[lw] && !englishAllowed[lw] && !extra[lw] {
				t.Errorf("English word %q in visible text %q", w, text)
			}
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

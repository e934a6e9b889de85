package rss_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/loa-vn/loa/channels/rss"
)

// dirty holds what XML 1.0 forbids (NUL, other C0 controls, U+FFFE,
// U+FFFF, bytes that are not UTF-8, an encoded surrogate) and what Loa
// refuses in text (C1 controls, a right-to-left override).
const dirty = "a\x00b\x01c\x1bd\uFFFEe\uFFFFf\x85g\u0090h\u202Ei\xffj\xed\xa0\x80k"

// clean is dirty with all of that removed.
const clean = "abcdefghijk"

func dirtyFeed() rss.Feed {
	return rss.Feed{
		Slug: "ubnd-hn", Title: "Tin " + dirty, Description: "Mô tả " + dirty, Language: "vi",
		PublicBaseURL: testBase,
		Items: []rss.Item{
			{DeliveryID: 1, Title: "Tiêu đề " + dirty, Summary: "Tóm tắt " + dirty, BodyHTML: "<p>Nội dung " + dirty + "</p>",
				Category: "Mục " + dirty, Published: time.Date(2025, 3, 10, 8, 0, 0, 0, time.UTC)},
			// No summary: the description is an excerpt of the body.
			{DeliveryID: 2, Title: "Hai", BodyHTML: "<p>" + dirty + "</p>", Published: time.Date(2025, 3, 9, 8, 0, 0, 0, time.UTC)},
		},
	}
}

// wellFormed parses body with encoding/xml, which refuses every character
// XML 1.0 forbids, down to the last token.
func wellFormed(t *testing.T, body []byte) {
	t.Helper()
	if !utf8.Valid(body) {
		t.Fatalf("output is not UTF-8")
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("encoding/xml: %v\n%q", err, body)
		}
	}
}

// TestRenderStripsCharactersXMLForbids: a NUL in one stored item used to
// make the whole feed unparseable until 50 newer items pushed it out.
func TestRenderStripsCharactersXMLForbids(t *testing.T) {
	f := dirtyFeed()
	for _, format := range []rss.Format{rss.FormatRSS, rss.FormatAtom} {
		t.Run(format.String(), func(t *testing.T) {
			body := render(t, f, format)
			wellFormed(t, body)
			parsed := parse(t, body)
			if parsed.Title != "Tin "+clean {
				t.Errorf("feed title = %q", parsed.Title)
			}
			if len(parsed.Items) != 2 {
				t.Fatalf("%d items, want 2", len(parsed.Items))
			}
			it := parsed.Items[0]
			if it.Title != "Tiêu đề "+clean || it.Content != "<p>Nội dung "+clean+"</p>" {
				t.Errorf("item title %q, content %q", it.Title, it.Content)
			}
			if !strings.Contains(it.Description, "Tóm tắt "+clean) || !strings.Contains(parsed.Items[1].Description, clean) {
				t.Errorf("descriptions %q, %q", it.Description, parsed.Items[1].Description)
			}
			if format == rss.FormatRSS && (len(it.Categories) != 1 || it.Categories[0] != "Mục "+clean) {
				t.Errorf("categories = %q", it.Categories)
			}
		})
	}
}

func TestItemPageStripsRefusedCharacters(t *testing.T) {
	f := dirtyFeed()
	page := renderPage(t, f, f.Items[0])
	if !utf8.ValidString(page) {
		t.Fatal("page is not UTF-8")
	}
	for _, want := range []string{"<h1>Tiêu đề " + clean + "</h1>", "<p>Nội dung " + clean + "</p>", "Mục " + clean} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.ContainsAny(page, "\x00\x01\x1b\uFFFE\uFFFF\u0085\u0090\u202E") {
		t.Errorf("page keeps a refused character: %q", page)
	}
}

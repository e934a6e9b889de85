package rss_test

import (
	"bytes"
	"encoding/xml"
	"html"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/loa-vn/loa/channels/rss"
)

const (
	viTitle = "Cải cách hành chính: công khai TTHC & dịch vụ công <mức độ 4>"
	viBody  = `<p>Từ ngày 01/7, người dân nộp hồ sơ <strong>trực tuyến</strong> &amp; nhận kết quả tại nhà.</p><p>Mã thủ tục: 1.001612.000.00.00.H01 &lt;xem thêm&gt;</p>`
)

// ict is Vietnam's offset, the zone publishers usually hand us.
func ict() *time.Location { return time.FixedZone("ICT", 7*3600) }

func testFeed() rss.Feed {
	return rss.Feed{
		Slug:          "ubnd-hn",
		Title:         "UBND Thành phố Hà Nội & Sở <Nội vụ>",
		Description:   "Tin tức chính thức",
		Language:      "vi",
		PublicBaseURL: testBase,
		Items: []rss.Item{
			{
				DeliveryID: 42,
				Title:      viTitle,
				Summary:    `Người dân "không" phải đến trụ sở & chờ <lâu>`,
				BodyHTML:   viBody,
				Category:   "Thủ tục hành chính",
				Published:  time.Date(2025, 3, 10, 8, 15, 30, 0, ict()),
			},
			{
				DeliveryID: 17,
				Title:      "Thông báo lịch tiếp công dân",
				BodyHTML:   "<p>Đoạn một.</p><p>Đoạn <em>h</em>ai &amp; ba.</p>",
				Published:  time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC),
			},
		},
	}
}

func render(t *testing.T, f rss.Feed, format rss.Format) []byte {
	t.Helper()
	b, err := rss.Render(f, format)
	if err != nil {
		t.Fatalf("Render(%v): %v", format, err)
	}
	return b
}

func parse(t *testing.T, body []byte) *gofeed.Feed {
	t.Helper()
	parsed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("gofeed: %v\n%s", err, body)
	}
	return parsed
}

func TestRenderRoundTrip(t *testing.T) {
	f := testFeed()
	for _, format := range []rss.Format{rss.FormatRSS, rss.FormatAtom} {
		t.Run(format.String(), func(t *testing.T) {
			parsed := parse(t, render(t, f, format))
			if parsed.FeedType != format.String() {
				t.Fatalf("FeedType = %q", parsed.FeedType)
			}
			if parsed.Title != f.Title {
				t.Fatalf("feed title = %q, want %q", parsed.Title, f.Title)
			}
			if parsed.Link != testBase+"/" {
				t.Fatalf("feed link = %q", parsed.Link)
			}
			if parsed.Language != "vi" {
				t.Fatalf("language = %q", parsed.Language)
			}
			if len(parsed.Items) != len(f.Items) {
				t.Fatalf("%d items, want %d", len(parsed.Items), len(f.Items))
			}
			for i, want := range f.Items {
				checkItem(t, parsed.Items[i], f, want)
			}
		})
	}
}

func checkItem(t *testing.T, got *gofeed.Item, f rss.Feed, want rss.Item) {
	t.Helper()
	// Byte-exact: Vietnamese diacritics and & < > survive unchanged.
	if got.Title != want.Title {
		t.Errorf("title = %q, want %q", got.Title, want.Title)
	}
	if wantID := rss.ItemID(f.Slug, want.DeliveryID); got.GUID != wantID {
		t.Errorf("id = %q, want %q", got.GUID, wantID)
	}
	if wantURL := rss.ItemURL(f.PublicBaseURL, f.Slug, want.DeliveryID); got.Link != wantURL {
		t.Errorf("link = %q, want %q", got.Link, wantURL)
	}
	if got.Content != want.BodyHTML {
		t.Errorf("content = %q, want %q", got.Content, want.BodyHTML)
	}
	if got.PublishedParsed == nil || !got.PublishedParsed.Equal(want.Published) {
		t.Errorf("published = %v, want %v", got.PublishedParsed, want.Published)
	}
	// The description is HTML, so plain text arrives escaped once.
	wantText := want.Summary
	if wantText == "" {
		wantText = "Đoạn một. Đoạn hai & ba."
	}
	if text := html.UnescapeString(got.Description); text != wantText {
		t.Errorf("description text = %q (raw %q), want %q", text, got.Description, wantText)
	}
}

func TestRenderRSSDetails(t *testing.T) {
	parsed := parse(t, render(t, testFeed(), rss.FormatRSS))
	if got := parsed.Items[0].Categories; len(got) != 1 || got[0] != "Thủ tục hành chính" {
		t.Fatalf("categories = %q", got)
	}
	if parsed.Description != "Tin tức chính thức" {
		t.Fatalf("description = %q", parsed.Description)
	}
}

func TestRenderAtomDetails(t *testing.T) {
	f := testFeed()
	parsed := parse(t, render(t, f, rss.FormatAtom))
	if want := rss.FeedURL(testBase, f.Slug, rss.FormatAtom); parsed.FeedLink != want {
		t.Fatalf("self link = %q, want %q", parsed.FeedLink, want)
	}
	if parsed.UpdatedParsed == nil || !parsed.UpdatedParsed.Equal(f.Items[0].Published) {
		t.Fatalf("updated = %v, want newest item %v", parsed.UpdatedParsed, f.Items[0].Published)
	}
}

func TestRenderIDsStable(t *testing.T) {
	f := testFeed()
	for _, format := range []rss.Format{rss.FormatRSS, rss.FormatAtom} {
		first := parse(t, render(t, f, format))
		// Another host must not change ids: readers would show old items as new.
		moved := f
		moved.PublicBaseURL = "https://tin.hanoi.gov.vn"
		second := parse(t, render(t, moved, format))
		for i := range first.Items {
			if first.Items[i].GUID != second.Items[i].GUID {
				t.Fatalf("%v: id changed across renders: %q vs %q", format, first.Items[i].GUID, second.Items[i].GUID)
			}
		}
	}
}

func TestRenderDeterministic(t *testing.T) {
	for _, format := range []rss.Format{rss.FormatRSS, rss.FormatAtom} {
		a := render(t, testFeed(), format)
		b := render(t, testFeed(), format)
		if !bytes.Equal(a, b) {
			t.Fatalf("%v: renders differ:\n%s\n---\n%s", format, a, b)
		}
		// The same instant in another zone is the same input.
		utc := testFeed()
		for i := range utc.Items {
			utc.Items[i].Published = utc.Items[i].Published.UTC()
		}
		if c := render(t, utc, format); !bytes.Equal(a, c) {
			t.Fatalf("%v: render depends on the time zone of Published", format)
		}
	}
}

func TestRenderOrderKept(t *testing.T) {
	f := testFeed()
	parsed := parse(t, render(t, f, rss.FormatRSS))
	if parsed.Items[0].GUID != rss.ItemID(f.Slug, 42) || parsed.Items[1].GUID != rss.ItemID(f.Slug, 17) {
		t.Fatalf("order = %q, %q", parsed.Items[0].GUID, parsed.Items[1].GUID)
	}
}

func TestRenderEscaping(t *testing.T) {
	f := testFeed()
	f.Items[0].Title = `A & B <script>alert("x")</script> ]]> 'q'`
	f.Items[0].BodyHTML = `<p>x ]]> y &amp; <b>z</b></p>`
	for _, format := range []rss.Format{rss.FormatRSS, rss.FormatAtom} {
		body := render(t, f, format)
		if bytes.Contains(body, []byte("<script>")) {
			t.Fatalf("%v: raw <script> in output", format)
		}
		checkWellFormed(t, body)
		parsed := parse(t, body)
		if parsed.Items[0].Title != f.Items[0].Title {
			t.Fatalf("%v: title = %q, want %q", format, parsed.Items[0].Title, f.Items[0].Title)
		}
		if parsed.Items[0].Content != f.Items[0].BodyHTML {
			t.Fatalf("%v: content = %q, want %q", format, parsed.Items[0].Content, f.Items[0].BodyHTML)
		}
	}
}

func TestRenderExcerptIsBounded(t *testing.T) {
	f := testFeed()
	f.Items[0].Summary = ""
	f.Items[0].BodyHTML = "<p>" + strings.Repeat("thủ tục hành chính ", 100) + "</p>"
	parsed := parse(t, render(t, f, rss.FormatRSS))
	desc := parsed.Items[0].Description
	if n := len([]rune(desc)); n > 301 || !strings.HasSuffix(desc, "…") || !strings.HasPrefix(desc, "thủ tục") {
		t.Fatalf("excerpt (%d runes) = %q", n, desc)
	}
}

func TestRenderEmptyFeed(t *testing.T) {
	f := testFeed()
	f.Items = nil
	for _, format := range []rss.Format{rss.FormatRSS, rss.FormatAtom} {
		a := render(t, f, format)
		checkWellFormed(t, a)
		if parsed := parse(t, a); len(parsed.Items) != 0 || parsed.Title != f.Title {
			t.Fatalf("%v: parsed empty feed = %+v", format, parsed)
		}
		if b := render(t, f, format); !bytes.Equal(a, b) {
			t.Fatalf("%v: empty feed renders differ", format)
		}
	}
	if !rss.LastModified(f).IsZero() {
		t.Fatal("LastModified of an empty feed is not zero")
	}
}

func TestRenderRejects(t *testing.T) {
	cases := map[string]func(*rss.Feed){
		"bad slug":    func(f *rss.Feed) { f.Slug = "Bad Slug" },
		"no base":     func(f *rss.Feed) { f.PublicBaseURL = "" },
		"zero id":     func(f *rss.Feed) { f.Items[1].DeliveryID = 0 },
		"negative id": func(f *rss.Feed) { f.Items[0].DeliveryID = -1 },
	}
	for name, mutate := range cases {
		f := testFeed()
		mutate(&f)
		if _, err := rss.Render(f, rss.FormatRSS); err == nil || !strings.HasPrefix(err.Error(), "rss: ") {
			t.Errorf("%s: Render error = %v", name, err)
		}
	}
	if _, err := rss.Render(testFeed(), rss.Format(0)); err == nil {
		t.Error("Render with format 0 succeeded")
	}
}

func TestETag(t *testing.T) {
	body := render(t, testFeed(), rss.FormatRSS)
	tag := rss.ETag(body)
	if len(tag) != 34 || tag[0] != '"' || tag[33] != '"' || strings.Trim(tag[1:33], "0123456789abcdef") != "" {
		t.Fatalf("ETag = %s", tag)
	}
	if again := rss.ETag(render(t, testFeed(), rss.FormatRSS)); again != tag {
		t.Fatalf("ETag changed across renders: %s vs %s", tag, again)
	}
	changed := testFeed()
	changed.Items[1].Title += "."
	if other := rss.ETag(render(t, changed, rss.FormatRSS)); other == tag {
		t.Fatal("ETag did not change when an item changed")
	}
}

func TestLastModified(t *testing.T) {
	f := testFeed()
	f.Items[0].Published = time.Date(2025, 3, 10, 8, 15, 30, 999, ict())
	got := rss.LastModified(f)
	want := time.Date(2025, 3, 10, 1, 15, 30, 0, time.UTC)
	if !got.Equal(want) || got.Location() != time.UTC {
		t.Fatalf("LastModified = %v, want %v", got, want)
	}
}

func TestFormat(t *testing.T) {
	if rss.FormatRSS.ContentType() != "application/rss+xml; charset=utf-8" ||
		rss.FormatAtom.ContentType() != "application/atom+xml; charset=utf-8" {
		t.Fatal("unexpected content types")
	}
	if rss.FormatRSS.Extension() != ".rss" || rss.FormatAtom.Extension() != ".atom" {
		t.Fatal("unexpected extensions")
	}
}

// checkWellFormed parses body with encoding/xml, which is stricter about
// well-formedness than the lenient feed parser.
func checkWellFormed(t *testing.T, body []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, body)
		}
	}
}

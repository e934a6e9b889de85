package sources

import (
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loa-vn/loa/content"
)

func templateItem() Item {
	return Item{
		GUID:      "TTHC-2026-0042",
		Title:     "Công bố thủ tục hành chính mới 1.001612.000.00.00.H01",
		Link:      "https://tthc.tinhmau.gov.vn/tthc/1.001612.000.00.00.H01.html?id=1&cat=2",
		Summary:   "Quyết định số 1234/QĐ-UBND công bố thủ tục đăng ký thành lập hộ kinh doanh.",
		ImageURL:  "https://tthc.tinhmau.gov.vn/images/tthc/ho-kinh-doanh.jpg",
		Published: time.Date(2026, 11, 19, 17, 30, 0, 0, time.UTC), // 20/11 00:30 in Hà Nội
		FeedTitle: "Cổng Dịch vụ công tỉnh Mẫu",
	}
}

func TestRender(t *testing.T) {
	tests := []struct {
		name string
		tmpl Template
		item Item
		want Rendered
	}{
		{
			name: "defaults",
			item: templateItem(),
			want: Rendered{
				Title:   "Công bố thủ tục hành chính mới 1.001612.000.00.00.H01",
				Summary: "Quyết định số 1234/QĐ-UBND công bố thủ tục đăng ký thành lập hộ kinh doanh.",
				Body:    `<p>Quyết định số 1234/QĐ-UBND công bố thủ tục đăng ký thành lập hộ kinh doanh.</p><p>Xem chi tiết: <a href="https://tthc.tinhmau.gov.vn/tthc/1.001612.000.00.00.H01.html?id=1&amp;cat=2">https://tthc.tinhmau.gov.vn/tthc/1.001612.000.00.00.H01.html?id=1&amp;cat=2</a></p>`,
			},
		},
		{
			name: "custom with date and truncate",
			tmpl: Template{
				Title:    "[{{.FeedTitle}}] {{.Title}}",
				Summary:  "{{truncate 40 .Summary}}",
				Body:     "\n{{with .ImageURL}}<img src=\"{{.}}\" alt=\"\">{{end}}\n<p>Ngày {{date .Published}}: {{.Summary}}</p>\n",
				Category: "  Thủ tục hành chính  ",
			},
			item: templateItem(),
			want: Rendered{
				Title:    "[Cổng Dịch vụ công tỉnh Mẫu] Công bố thủ tục hành chính mới 1.001612.000.00.00.H01",
				Summary:  "Quyết định số 1234/QĐ-UBND công bố thủ…",
				Body:     "<img src=\"https://tthc.tinhmau.gov.vn/images/tthc/ho-kinh-doanh.jpg\" alt=\"\">\n<p>Ngày 20/11/2026: Quyết định số 1234/QĐ-UBND công bố thủ tục đăng ký thành lập hộ kinh doanh.</p>",
				Category: "Thủ tục hành chính",
			},
		},
		{
			name: "missing date and image",
			tmpl: Template{Body: `{{with .ImageURL}}<img src="{{.}}">{{end}}<p>{{date .Published}}|{{.GUID}}</p>`},
			item: Item{Title: "A", GUID: "g"},
			want: Rendered{Title: "A", Body: "<p>|g</p>"},
		},
		{
			name: "values escaped in body only",
			item: Item{
				Title:   `<script>alert("x")</script> & Co`,
				Summary: `<b>đậm</b> & <img src=x onerror=alert(1)>`,
				Link:    "javascript:alert(1)",
			},
			tmpl: Template{Body: `<h1>{{.Title}}</h1>` + DefaultBodyTemplate},
			want: Rendered{
				Title:   `<script>alert("x")</script> & Co`,
				Summary: `<b>đậm</b> & <img src=x onerror=alert(1)>`,
				Body:    `<h1>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co</h1><p>&lt;b&gt;đậm&lt;/b&gt; &amp; &lt;img src=x onerror=alert(1)&gt;</p><p>Xem chi tiết: <a href="#ZgotmplZ">javascript:alert(1)</a></p>`,
			},
		},
		{
			name: "NFD item text comes out NFC",
			tmpl: Template{Body: "<p>{{.Title}}</p>"},
			item: Item{Title: "Ca\u0309i ca\u0301ch"},
			want: Rendered{Title: "C\u1ea3i c\u00e1ch", Body: "<p>C\u1ea3i c\u00e1ch</p>"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseTemplate(tt.tmpl)
			if err != nil {
				t.Fatalf("ParseTemplate: %v", err)
			}
			got, err := c.Render(tt.item)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if got != tt.want {
				t.Fatalf("Render =\n%#v\nwant\n%#v", got, tt.want)
			}
		})
	}
}

func TestParseTemplateErrorsNameTheField(t *testing.T) {
	tests := []struct {
		name  string
		tmpl  Template
		field string
		want  string
	}{
		{"syntax", Template{Title: "{{.Title"}, "title", "sources: placeholder: title: title:1: unclosed action"},
		{"unknown function", Template{Summary: "{{upper .Summary}}"}, "summary", `sources: placeholder: summary: summary:1: function "upper" not defined`},
		{"unknown field", Template{Body: "<p>{{.Titel}}</p>"}, "body", "sources: placeholder: body: body:1:5: unknown field .Titel"},
		{"undeclared field", Template{Title: "{{.Key}}"}, "title", "sources: placeholder: title: title:1:2: unknown field .Key"},
		{"wrong argument", Template{Category: "{{truncate .Title 10}}"}, "category", "sources: placeholder: category: category:1:11: truncate's length must be a number from 1 to 10000"},
		{"wrong type", Template{Category: "{{date .Title}}"}, "category", "sources: category: category:1:7: executing \"category\" at <.Title>: wrong type for value; expected time.Time; got string"},
		{"range", Template{Body: "{{range 1000000000}}{{end}}"}, "body", "sources: placeholder: body: body:1:8: range is not allowed: templates do not loop"},
		{"range in else", Template{Title: "{{if .Title}}x{{else}}{{range 3}}y{{end}}{{end}}"}, "title", "sources: placeholder: title: title:1:30: range is not allowed: templates do not loop"},
		{"template call", Template{Body: `{{define "x"}}{{template "x" .}}{{end}}{{template "x" .}}`}, "body", "sources: placeholder: body: define and block are not allowed"},
		{"block", Template{Summary: `{{block "s" .}}{{.Summary}}{{end}}`}, "summary", "sources: placeholder: summary: define and block are not allowed"},
		{"printf width", Template{Category: `{{printf "%0999999d" 1}}`}, "category", "sources: placeholder: category: category:1:2: printf is not allowed; use fields and the helpers date and truncate"},
		{"output too large", Template{Body: strings.Repeat("{{.Title}}", 4000)}, "body", "sources: body: expands to more than 200000 bytes"},
		{"post too long", Template{Title: strings.Repeat("{{.Title}}", 5)}, "title", "sources: template gives an invalid post: title: title is longer than 250 characters"},
		{"unsafe body only", Template{Body: "<script>{{.Title}}</script>"}, "body", "sources: template gives an invalid post: body: body has no content left after removing unsafe HTML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTemplate(tt.tmpl)
			if err == nil {
				t.Fatal("ParseTemplate succeeded, want an error")
			}
			if err.Error() != tt.want {
				t.Errorf("err = %q\nwant  %q", err, tt.want)
			}
			var fe content.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Errorf("field = %q, want %q", fe.Field, tt.field)
			}
		})
	}
}

// Items are bounded too: a huge summary cannot make a huge post.
func TestRenderOutputBound(t *testing.T) {
	c, err := ParseTemplate(Template{Body: "{{.GUID}} {{.GUID}}"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Render(Item{Title: "A", GUID: strings.Repeat("á", 60000)}) // 120 KB each
	if err == nil || err.Error() != "sources: body: expands to more than 200000 bytes" {
		t.Fatalf("err = %v", err)
	}
}

func TestRenderConcurrent(t *testing.T) {
	c, err := ParseTemplate(Template{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Go(func() {
			if _, err := c.Render(templateItem()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// A category template of a few kilobytes made of printf widths once took
// the process to 2 GB before the output cap was checked: each width verb
// made fmt build a megabyte in memory. Such a template is now refused when
// parsed, before anything is expanded. The attack is scaled down (40
// verbs, about 40 MB on the old code) to keep the test light.
func TestPrintfWidthTemplateIsRefusedWithoutAllocating(t *testing.T) {
	const verbs = 40
	attack := `{{printf "` + strings.Repeat("%0999999d", verbs) + `"` + strings.Repeat(" 1", verbs) + `}}`
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := ParseTemplate(Template{Category: attack})
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d-byte category template: err = %v; allocated %d KB (heap %d KB → %d KB)",
		len(attack), err, allocated>>10, before.HeapAlloc>>10, after.HeapAlloc>>10)
	var fe content.FieldError
	if !errors.As(err, &fe) || fe.Field != "category" {
		t.Errorf("err = %v, want an error on category", err)
	}
	if allocated > 4<<20 {
		t.Fatalf("parsing the template allocated %d MB, want under 4 MB", allocated>>20)
	}
}

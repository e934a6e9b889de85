package sources

import (
	"errors"
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
		{"syntax", Template{Title: "{{.Title"}, "title", "sources: title: template: title:1: unclosed action"},
		{"unknown function", Template{Summary: "{{upper .Summary}}"}, "summary", `sources: summary: template: summary:1: function "upper" not defined`},
		{"unknown field", Template{Body: "<p>{{.Titel}}</p>"}, "body", "sources: body: template: body:1:5: executing \"body\" at <.Titel>: can't evaluate field Titel in type sources.Item"},
		{"wrong argument", Template{Category: "{{truncate .Title 10}}"}, "category", "sources: category: template: category:1:11: executing \"category\" at <.Title>: wrong type for value; expected int; got string"},
		{"range", Template{Body: "{{range 1000000000}}{{end}}"}, "body", "sources: body: template: range is not allowed in item templates"},
		{"range in else", Template{Title: "{{if .Title}}x{{else}}{{range 3}}y{{end}}{{end}}"}, "title", "sources: title: template: range is not allowed in item templates"},
		{"template call", Template{Body: `{{define "x"}}{{template "x" .}}{{end}}{{template "x" .}}`}, "body", "sources: body: template: calling other templates (template, block) is not allowed in item templates"},
		{"block", Template{Summary: `{{block "s" .}}{{.Summary}}{{end}}`}, "summary", "sources: summary: template: calling other templates (template, block) is not allowed in item templates"},
		{"output too large", Template{Body: `{{printf "%0150000d" 1}}{{printf "%0150000d" 1}}`}, "body", "sources: body: output is longer than 200000 bytes"},
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
	c, err := ParseTemplate(Template{Summary: "{{.Summary}} {{.Summary}}"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Render(Item{Title: "A", Summary: strings.Repeat("á", 60000)}) // 120 KB each
	if err == nil || err.Error() != "sources: summary: output is longer than 200000 bytes" {
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

func TestTruncate(t *testing.T) {
	tests := []struct {
		name string
		n    int
		in   string
		want string
	}{
		{"short", 10, "Công bố", "Công bố"},
		{"exact", 7, "Công bố", "Công bố"},
		{"cut at space", 12, "Công bố thủ tục mới", "Công bố thủ…"},
		{"cut before a space", 9, "Công bố thủ tục", "Công bố…"},
		{"one long word", 5, "1.001612.000.00.00.H01", "1.00…"},
		{"NFD counted as NFC", 3, "Ca\u0309i", "C\u1ea3i"},
		{"zero", 0, "abc", ""},
		{"negative", -1, "abc", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := truncate(tt.n, tt.in); got != tt.want {
				t.Fatalf("truncate(%d, %q) = %q, want %q", tt.n, tt.in, got, tt.want)
			}
		})
	}
}

func TestFormatDate(t *testing.T) {
	loc := vietnamZone()
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"zero", time.Time{}, ""},
		{"UTC evening is next day", time.Date(2026, 11, 19, 17, 30, 0, 0, time.UTC), "20/11/2026"},
		{"+0700 kept", time.Date(2026, 11, 20, 8, 30, 0, 0, time.FixedZone("", 7*3600)), "20/11/2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatDate(tt.in, loc); got != tt.want {
				t.Fatalf("formatDate = %q, want %q", got, tt.want)
			}
		})
	}
}

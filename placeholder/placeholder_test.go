package placeholder

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/content"
)

type sample struct {
	Title     string
	Summary   string
	Link      string
	Published time.Time
	Week      int
	Secret    string // present in the data but not declared
}

func sampleData() sample {
	return sample{Title: "Công bố thủ tục", Summary: "Quyết định số 12 công bố thủ tục mới", Link: "https://a.gov.vn/x?a=1&b=2",
		Published: time.Date(2026, 11, 19, 17, 30, 0, 0, time.UTC), Week: 48, Secret: "s3cret"}
}

func options(syntax Syntax) Options {
	zone, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	return Options{Field: "title", Syntax: syntax, Fields: []string{"Title", "Summary", "Link", "Published", "Week"},
		MaxBytes: 1000, Zone: zone}
}

func TestExpandAllowed(t *testing.T) {
	tests := []struct {
		name, src, want string
		syntax          Syntax
	}{
		{"plain text", "Bản tin không đổi", "Bản tin không đổi", Text},
		{"fields", "{{.Title}} – tuần {{.Week}}", "Công bố thủ tục – tuần 48", Text},
		{"date", "Ngày {{date .Published}}", "Ngày 20/11/2026", Text},
		{"truncate", "{{truncate 15 .Summary}}", "Quyết định số…", Text},
		{"pipeline", "{{.Summary | truncate 15}}", "Quyết định số…", Text},
		{"date pipeline", "{{.Published | date}}", "20/11/2026", Text},
		{"if else", "{{if .Link}}có{{else}}không{{end}}", "có", Text},
		{"else if", "{{if .Title}}a{{else if .Week}}b{{end}}", "a", Text},
		{"with dot", `{{with .Link}}<a href="{{.}}">{{.}}</a>{{end}}`, `<a href="https://a.gov.vn/x?a=1&amp;b=2">https://a.gov.vn/x?a=1&amp;b=2</a>`, HTML},
		{"else with", "{{with .Link}}{{.}}{{else with .Title}}{{.}}{{end}}", "https://a.gov.vn/x?a=1&b=2", Text},
		{"comment", "{{/* ghi chú */}}{{.Week}}", "48", Text},
		{"html escapes values", "<p>{{.Title}} {{.Link}}</p>", "<p>Công bố thủ tục https://a.gov.vn/x?a=1&amp;b=2</p>", HTML},
		{"text does not", "{{.Link}}", "https://a.gov.vn/x?a=1&b=2", Text},
		{"empty", "", "", Text},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.src, options(tt.syntax))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, err := p.Expand(sampleData())
			if err != nil || got != tt.want {
				t.Fatalf("Expand = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestParseRefusesEverythingElse(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"range", "{{range 100000}}{{printf \"%01000d\" 1}}{{end}}", "range is not allowed"},
		{"printf", `{{printf "%c" 60}}`, "printf is not allowed"},
		{"printf width", `{{printf "%0999999d" 1}}`, "printf is not allowed"},
		{"print", `{{print .Title}}`, "print is not allowed"},
		{"println", `{{println .Title}}`, "println is not allowed"},
		{"len", `{{len .Title}}`, "len is not allowed"},
		{"index", `{{index .Title 0}}`, "index is not allowed"},
		{"slice", `{{slice .Title 0 1}}`, "slice is not allowed"},
		{"html", `{{html .Title}}`, "html is not allowed"},
		{"js", `{{js .Title}}`, "js is not allowed"},
		{"call", `{{call .Title}}`, "call is not allowed"},
		{"eq", `{{if eq .Week 1}}x{{end}}`, "eq is not allowed"},
		{"not", `{{if not .Week}}x{{end}}`, "not is not allowed"},
		{"define", `{{define "x"}}{{.Title}}{{end}}`, "define and block are not allowed"},
		{"template", `{{template "title" .}}`, "template and block are not allowed"},
		{"block", `{{block "b" .}}{{.Title}}{{end}}`, "define and block are not allowed"},
		{"variable", `{{$x := .Title}}{{$x}}`, "variables are not allowed"},
		{"variable in range", `{{range $i, $v := .Title}}{{end}}`, "range is not allowed"},
		{"undeclared field", `{{.Secret}}`, "unknown field .Secret"},
		{"nested field", `{{.Published.Year}}`, "is not allowed: use a field"},
		{"method with args", `{{.Published.Format "2006"}}`, "takes no arguments"},
		{"field with args", `{{.Title "x"}}`, "takes no arguments"},
		{"parentheses", `{{(.Title)}}`, "is not allowed"},
		{"literal", `{{"x"}}`, "literal values are not allowed"},
		{"number", `{{1000000}}`, "literal values are not allowed"},
		{"dot outside with", `{{.}}`, "{{.}} is allowed only inside {{with}}"},
		{"truncate too long", `{{truncate 10001 .Title}}`, "truncate's length must be a number from 1 to 10000"},
		{"truncate zero", `{{truncate 0 .Title}}`, "truncate's length"},
		{"truncate float", `{{truncate 1.5 .Title}}`, "truncate's length"},
		{"truncate field length", `{{truncate .Week .Title}}`, "truncate's length"},
		{"truncate nested", `{{truncate 10 (truncate 5 .Title)}}`, "is not allowed"},
		{"date two args", `{{date .Published .Title}}`, "date takes 1 argument(s) here, not 2"},
		{"pipe into field", `{{.Title | .Summary}}`, "only date and truncate can follow |"},
		{"pipe into printf", `{{.Title | printf "%s"}}`, "printf is not allowed"},
		{"if with printf", `{{if .Title}}{{printf "%d" 1}}{{end}}`, "printf is not allowed"},
		{"else with range", `{{if .Title}}x{{else}}{{range .Title}}{{end}}{{end}}`, "range is not allowed"},
		{"syntax", `{{.Title`, "unclosed action"},
	}
	for _, syntax := range []Syntax{Text, HTML} {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := Parse(tt.src, options(syntax))
				var fe content.FieldError
				if !errors.As(err, &fe) || fe.Field != "title" {
					t.Fatalf("Parse(%q) err = %v, want a field error on title", tt.src, err)
				}
				if !strings.Contains(fe.Message, tt.want) {
					t.Fatalf("Parse(%q) message %q, want %q in it", tt.src, fe.Message, tt.want)
				}
			})
		}
	}
}

// The writer refuses the write that would pass the cap and keeps nothing
// beyond it.
func TestCappedWriterStopsAtTheCap(t *testing.T) {
	w := &cappedWriter{max: 10}
	if n, err := w.Write([]byte("123456")); n != 6 || err != nil {
		t.Fatalf("first write = %d, %v", n, err)
	}
	if n, err := w.Write([]byte("78901")); n != 0 || !errors.Is(err, ErrTooLong) {
		t.Fatalf("write past the cap = %d, %v; want 0, ErrTooLong", n, err)
	}
	if n, err := w.Write([]byte("7890")); n != 4 || err != nil {
		t.Fatalf("write up to the cap = %d, %v", n, err)
	}
	if string(w.buf) != "1234567890" || cap(w.buf) > 10 {
		t.Fatalf("buffer %q with capacity %d, want exactly 10 bytes", w.buf, cap(w.buf))
	}
}

func TestExpandCap(t *testing.T) {
	for _, syntax := range []Syntax{Text, HTML} {
		o := options(syntax)
		o.MaxBytes = 100
		p, err := Parse(strings.Repeat("{{.Summary}}", 8), o)
		if err != nil {
			t.Fatal(err)
		}
		out, err := p.Expand(sampleData())
		var fe content.FieldError
		if !errors.Is(err, ErrTooLong) || !errors.As(err, &fe) || fe.Field != "title" || out != "" {
			t.Fatalf("Expand = %q, %v; want ErrTooLong on title", out, err)
		}
		if _, err := Parse(strings.Repeat("x", 101), o); !errors.As(err, &fe) || !strings.Contains(fe.Message, "longer than 100 bytes") {
			t.Fatalf("template over the cap: %v", err)
		}
	}
}

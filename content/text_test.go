package content

import (
	"strings"
	"testing"
)

func TestCheckText(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		multiline bool
		wantErr   string // substring of the message; "" means accepted
	}{
		{"plain Vietnamese", "Thông báo về thủ tục hành chính", false, ""},
		{"empty", "", false, ""},
		{"NUL", "a\x00b", true, "control character (U+0000) at character 2"},
		{"bell", "a\x07", true, "control character (U+0007)"},
		{"escape", "\x1b[31m", true, "control character (U+001B) at character 1"},
		{"DEL", "a\x7f", true, "control character (U+007F)"},
		{"C1 NEL", "a\u0085b", true, "control character (U+0085)"},
		{"C1 CSI", "a\u009b", true, "control character (U+009B)"},
		{"RLO", "abc\u202Egpj.exe", false, "bidi override or isolate character (U+202E) at character 4"},
		{"LRE", "\u202A", false, "U+202A"},
		{"PDF", "\u202C", false, "U+202C"},
		{"LRI", "\u2066x", false, "U+2066"},
		{"PDI", "x\u2069", false, "U+2069"},
		{"FFFE", "a\uFFFE", true, "noncharacter (U+FFFE)"},
		{"FFFF", "a\uFFFF", true, "noncharacter (U+FFFF)"},
		{"FDD0", "\uFDD0", true, "noncharacter (U+FDD0)"},
		{"plane 1 noncharacter", "\U0001FFFF", true, "noncharacter (U+1FFFF)"},
		{"invalid UTF-8", "ab\xff", true, "is not valid UTF-8 (at character 3)"},
		{"encoded surrogate", "a\xed\xa0\x80", true, "is not valid UTF-8"},
		{"tab in single-line", "a\tb", false, "line break or tab (U+0009)"},
		{"newline in single-line", "a\nb", false, "line break or tab (U+000A)"},
		{"CR in single-line", "a\rb", false, "line break or tab (U+000D)"},
		{"tab, newline, CR in multi-line", "a\tb\nc\r\nd", true, ""},
		{"bidi marks allowed", "\u200E\u200F\u061C", false, ""},
		{"replacement character allowed", "\uFFFD", false, ""},
		{"zero-width joiner allowed", "\u200D", false, ""},
		{"emoji allowed", "🇻🇳", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckText("f", tt.in, tt.multiline)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("CheckText(%q) = %v, want nil", tt.in, err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("CheckText(%q) = nil, want error containing %q", tt.in, tt.wantErr)
			case err != nil && (err.Field != "f" || !strings.Contains(err.Message, tt.wantErr)):
				t.Fatalf("CheckText(%q) = %+v, want field f and message containing %q", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestStripRefused(t *testing.T) {
	tests := []struct{ in, want string }{
		{"clean text", "clean text"},
		{"a\x00b\x01c\x7fd\u0085e\u009ff", "abcdef"},
		{"x\uFFFEy\uFFFFz", "xyz"},
		{"bad \xff\xfe utf8", "bad  utf8"},
		{"keep\ttab\nand\r\nlines", "keep\ttab\nand\r\nlines"},
		{"\u202Eevil\u2066", "evil"},
	}
	for _, tt := range tests {
		if got := StripRefused(tt.in); got != tt.want {
			t.Errorf("StripRefused(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if CheckText("f", StripRefused(tt.in), true) != nil {
			t.Errorf("StripRefused(%q) leaves a refused character", tt.in)
		}
	}
}

// TestCleanPostRefusesForbiddenCharacters: NUL bytes used to be stored and
// broke the RSS feed; a right-to-left override used to be kept in titles.
func TestCleanPostRefusesForbiddenCharacters(t *testing.T) {
	ok := PostText{Title: "Thông báo", Summary: "Tóm tắt", Body: "<p>Nội dung</p>", Category: "Tin"}
	tests := []struct {
		name  string
		edit  func(p *PostText)
		field string
		msg   string
	}{
		{"NUL in title", func(p *PostText) { p.Title = "Thông\x00báo" }, "title", "U+0000"},
		{"NUL in body", func(p *PostText) { p.Body = "<p>a\x00b</p>" }, "body", "U+0000"},
		{"NUL inside a tag of the body", func(p *PostText) { p.Body = `<p title="a` + "\x00" + `">x</p>` }, "body", "U+0000"},
		{"RLO in title", func(p *PostText) { p.Title = "Quyết định \u202Efdp.exe" }, "title", "U+202E"},
		{"RLO as a reference", func(p *PostText) { p.Title = "Quyết định &#x202E;fdp" }, "title", "U+202E"},
		{"RLO as a reference in the body", func(p *PostText) { p.Body = "<p>&#8238;x</p>" }, "body", "U+202E"},
		{"isolate in summary", func(p *PostText) { p.Summary = "a\u2067b" }, "summary", "U+2067"},
		{"C1 in category", func(p *PostText) { p.Category = "Tin\u0090" }, "category", "U+0090"},
		{"noncharacter in body", func(p *PostText) { p.Body = "x\uFFFE" }, "body", "U+FFFE"},
		{"invalid UTF-8 in title", func(p *PostText) { p.Title = "a\xc3" }, "title", "UTF-8"},
		{"escape in body", func(p *PostText) { p.Body = "\x1b[2J" }, "body", "U+001B"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok
			tt.edit(&in)
			_, errs := CleanPost(in)
			if len(errs) != 1 || errs[0].Field != tt.field || !strings.Contains(errs[0].Message, tt.msg) {
				t.Fatalf("CleanPost errors = %+v, want one for %s mentioning %s", errs, tt.field, tt.msg)
			}
		})
	}
}

func TestCleanPostKeepsLineBreaksAndTabs(t *testing.T) {
	out, errs := CleanPost(PostText{Title: "Thông báo\nmới\t2026", Body: "<p>a\r\nb\tc</p>\r<p>d</p>", Category: "Tin\r\n"})
	if len(errs) > 0 {
		t.Fatalf("errors: %+v", errs)
	}
	if out.Title != "Thông báo mới 2026" {
		t.Errorf("title = %q", out.Title)
	}
	if strings.Contains(out.Body, "\r") || !strings.Contains(out.Body, "a\nb\tc") {
		t.Errorf("body = %q, want CR normalised to LF and the tab kept", out.Body)
	}
}

func TestCleanVariantRefusesForbiddenCharacters(t *testing.T) {
	tests := []struct {
		name  string
		v     Variant
		field string
	}{
		{"title", Variant{Title: "a\u202Eb"}, "title"},
		{"text", Variant{Text: "line\x00"}, "text"},
		{"body", Variant{Body: "<p>\u0081</p>"}, "body"},
		{"link", Variant{Link: "https://example.com/\u202Eexe"}, "link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := CleanVariant(tt.v)
			if len(errs) != 1 || errs[0].Field != tt.field {
				t.Fatalf("errors = %+v, want one for %s", errs, tt.field)
			}
		})
	}
	if _, errs := CleanVariant(Variant{Text: "dòng 1\ndòng 2\tx"}); len(errs) != 0 {
		t.Fatalf("multi-line text refused: %+v", errs)
	}
}

// TestCleanPostIsIdempotent: cleaning a cleaned post changes nothing. Text
// whose references decode to markup used to lose it on the next cleaning
// (every edit re-cleans the stored fields): "A &lt;b" was stored as "A <b"
// and became "A" when the post was edited.
func TestCleanPostIsIdempotent(t *testing.T) {
	for _, in := range []PostText{
		{Title: "a &lt; b &amp; c", Summary: "AT&amp;T", Body: "<p>&amp;lt;b&amp;gt;</p>", Category: "x &gt; y"},
		{Title: "Thông báo\u0301 <b>mới</b>", Body: "<p>a</p>\u0338"},
	} {
		out, errs := CleanPost(in)
		if len(errs) > 0 {
			t.Fatalf("CleanPost(%+q): %v", in, errs)
		}
		if again, errs := CleanPost(out); again != out || len(errs) > 0 {
			t.Errorf("CleanPost(%+q) = %+q, cleaned again %+q, %v", in, out, again, errs)
		}
	}
	for _, tt := range []struct{ field, title, summary, category string }{
		{"title", "A &lt;b", "", ""},
		{"title", "&lt;script&gt;x&lt;/script&gt;", "", ""},
		{"summary", "T", "&amp;amp;", ""},
		{"category", "T", "", "&amp;lt;"},
	} {
		_, errs := CleanPost(PostText{Title: tt.title, Summary: tt.summary, Category: tt.category})
		if len(errs) != 1 || errs[0].Field != tt.field || !strings.Contains(errs[0].Message, "plain text") {
			t.Errorf("CleanPost(%q, %q, %q) errors = %+v, want one for %s", tt.title, tt.summary, tt.category, errs, tt.field)
		}
	}
}

package content

import (
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// "Cải cách" written with combining marks, as Word and macOS often send it.
const (
	caiCachNFD = "Ca\u0309i ca\u0301ch"
	caiCachNFC = "C\u1ea3i c\u00e1ch"
)

func TestNFC(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"decomposed becomes composed", caiCachNFD, caiCachNFC},
		{"composed stays", caiCachNFC, caiCachNFC},
		{"ascii unchanged", "Loa 2025", "Loa 2025"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NFC(tt.in)
			if got != tt.want {
				t.Fatalf("NFC(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !norm.NFC.IsNormalString(got) {
				t.Fatalf("NFC(%q) = %q is not NFC", tt.in, got)
			}
		})
	}
}

func TestNFCAppliedByCleaners(t *testing.T) {
	tests := []struct {
		name, in, want string
		fn             func(string) string
	}{
		{"PlainText", caiCachNFD, caiCachNFC, PlainText},
		{"SanitizeHTML", "<p>" + caiCachNFD + "</p>", "<p>" + caiCachNFC + "</p>", SanitizeHTML},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.fn(tt.in); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSanitizeHTMLRemovesUnsafe(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		forbidden []string
		want      string
	}{
		{
			name:      "scripts, handlers and javascript URLs",
			in:        `<script>alert(1)</script><p onclick="x">Hi <a href="javascript:alert(1)">x</a></p><img src=x onerror=alert(1)>`,
			forbidden: []string{"<script", "alert(1)", "onclick", "onerror", "javascript:"},
		},
		{
			name:      "style and iframe",
			in:        `<style>p{color:red}</style><iframe src="https://evil.example"></iframe><p style="color:red">ok</p>`,
			forbidden: []string{"<style", "color:red", "<iframe", "evil.example"},
			want:      "<p>ok</p>",
		},
		{
			name:      "mixed-case javascript URL",
			in:        `<a href="JaVaScRiPt:alert(1)">x</a>`,
			forbidden: []string{"javascript", "JaVaScRiPt", "href"},
		},
		{
			// Written raw, U+0338 after "<p>" would merge with ">" under a
			// later NFC pass and turn the text into attributes.
			name:      "combining mark after a tag stays escaped",
			in:        "<p>&#824; onmouseover=alert(1)</p>",
			forbidden: []string{"\u0338", "\u226f"},
			want:      "<p>&#824; onmouseover=alert(1)</p>",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SanitizeHTML(tt.in)
			for _, f := range tt.forbidden {
				if strings.Contains(got, f) {
					t.Errorf("SanitizeHTML output %q contains %q", got, f)
				}
			}
			if tt.want != "" && got != tt.want {
				t.Errorf("SanitizeHTML = %q, want %q", got, tt.want)
			}
			// Normalising the stored HTML again must not change it.
			if again := SanitizeHTML(got); again != got {
				t.Errorf("not idempotent: %q then %q", got, again)
			}
		})
	}
}

func TestSanitizeHTMLKeepsAllowed(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"paragraph and strong", "<p>Thủ tục <strong>mới</strong></p>", "<p>Thủ tục <strong>mới</strong></p>"},
		{
			"https link gets nofollow noopener",
			`<a href="https://dichvucong.gov.vn/p?a=1&amp;b=2">DVC</a>`,
			`<a href="https://dichvucong.gov.vn/p?a=1&amp;b=2" rel="nofollow noopener">DVC</a>`,
		},
		{"relative link gets nofollow noopener", `<a href="/tin/1">tin</a>`, `<a href="/tin/1" rel="nofollow noopener">tin</a>`},
		{"list", "<ul><li>một</li><li>hai</li></ul>", "<ul><li>một</li><li>hai</li></ul>"},
		{"https image", `<img src="https://loa.vn/a.png" alt="ảnh">`, `<img src="https://loa.vn/a.png" alt="ảnh">`},
		{"table", "<table><tr><td>1</td></tr></table>", "<table><tr><td>1</td></tr></table>"},
		{"entities stay escaped", "<p>1 &lt; 2 &amp; 3</p>", "<p>1 &lt; 2 &amp; 3</p>"},
		{"trimmed", "  \n<p>x</p>\n  ", "<p>x</p>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SanitizeHTML(tt.in); got != tt.want {
				t.Fatalf("SanitizeHTML(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"tags removed", "<b>Cải cách</b> <i>hành chính</i>", "Cải cách hành chính"},
		{"block tags leave a space", "<p>một</p><p>hai</p>", "một hai"},
		{"script content dropped", "Tin<script>alert(1)</script> mới", "Tin mới"},
		{"entities unescaped", "A &amp; B &quot;C&quot;", `A & B "C"`},
		{"nbsp and newlines collapse", "a&nbsp;&nbsp;b\n\n\tc  ", "a b c"},
		{"escaped markup becomes literal text", "&lt;b&gt;", "<b>"},
		{"entity combining mark is normalised", "Ca&#769;ch", "Cách"},
		{"empty", "   ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PlainText(tt.in); got != tt.want {
				t.Fatalf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFieldErrorError(t *testing.T) {
	err := FieldError{Field: "title", Message: "title is required"}
	if got, want := err.Error(), "title: title is required"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}

func TestCleanPostCleansFields(t *testing.T) {
	in := PostText{
		Title:    "  <h1>" + caiCachNFD + "</h1> <b>hành chính</b> ",
		Summary:  "<p>Tóm tắt</p>",
		Body:     `<p onclick="x">Nội dung</p><script>alert(1)</script>`,
		Category: " <i>Thủ tục</i> ",
		Audience: " Officials ",
	}
	want := PostText{
		Title:    caiCachNFC + " hành chính",
		Summary:  "Tóm tắt",
		Body:     "<p>Nội dung</p>",
		Category: "Thủ tục",
		Audience: "officials",
	}
	got, errs := CleanPost(in)
	if len(errs) != 0 {
		t.Fatalf("unexpected errors: %v", errs)
	}
	if got != want {
		t.Fatalf("CleanPost = %+v, want %+v", got, want)
	}
}

func TestCleanPostAudience(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"", "all", false},
		{"  ", "all", false},
		{"all", "all", false},
		{"PUBLIC", "public", false},
		{"officials", "officials", false},
		{"everyone", "everyone", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, errs := CleanPost(PostText{Title: "t", Audience: tt.in})
			if got.Audience != tt.want {
				t.Errorf("Audience = %q, want %q", got.Audience, tt.want)
			}
			if (len(errs) > 0) != tt.wantErr {
				t.Errorf("errors = %v, wantErr %v", errs, tt.wantErr)
			}
		})
	}
}

func TestCleanPostErrors(t *testing.T) {
	valid := func(mod func(*PostText)) PostText {
		p := PostText{Title: "Tiêu đề", Body: "<p>x</p>"}
		mod(&p)
		return p
	}
	tests := []struct {
		name string
		in   PostText
		want []FieldError
	}{
		{
			name: "title missing",
			in:   valid(func(p *PostText) { p.Title = "" }),
			want: []FieldError{{"title", "title is required"}},
		},
		{
			name: "title only markup",
			in:   valid(func(p *PostText) { p.Title = "<b> </b><script>x</script>" }),
			want: []FieldError{{"title", "title is required"}},
		},
		{
			name: "title at limit",
			in:   valid(func(p *PostText) { p.Title = strings.Repeat("ă", MaxTitleRunes) }),
		},
		{
			name: "title one over",
			in:   valid(func(p *PostText) { p.Title = strings.Repeat("ă", MaxTitleRunes+1) }),
			want: []FieldError{{"title", "title is longer than 250 characters"}},
		},
		{
			name: "summary at limit",
			in:   valid(func(p *PostText) { p.Summary = strings.Repeat("ơ", MaxSummaryRunes) }),
		},
		{
			name: "summary one over",
			in:   valid(func(p *PostText) { p.Summary = strings.Repeat("ơ", MaxSummaryRunes+1) }),
			want: []FieldError{{"summary", "summary is longer than 1000 characters"}},
		},
		{
			name: "body at limit",
			in:   valid(func(p *PostText) { p.Body = bodyOfBytes(MaxBodyBytes) }),
		},
		{
			name: "body one over",
			in:   valid(func(p *PostText) { p.Body = bodyOfBytes(MaxBodyBytes + 1) }),
			want: []FieldError{{"body", "body is longer than 200000 bytes"}},
		},
		{
			name: "body empty is allowed",
			in:   valid(func(p *PostText) { p.Body = "" }),
		},
		{
			name: "body only unsafe",
			in:   valid(func(p *PostText) { p.Body = "<script>alert(1)</script><iframe></iframe>" }),
			want: []FieldError{{"body", "body has no content left after removing unsafe HTML"}},
		},
		{
			name: "category at limit",
			in:   valid(func(p *PostText) { p.Category = strings.Repeat("đ", MaxCategoryRunes) }),
		},
		{
			name: "category one over",
			in:   valid(func(p *PostText) { p.Category = strings.Repeat("đ", MaxCategoryRunes+1) }),
			want: []FieldError{{"category", "category is longer than 100 characters"}},
		},
		{
			name: "audience unknown",
			in:   valid(func(p *PostText) { p.Audience = "press" }),
			want: []FieldError{{"audience", "audience must be one of all, officials, public"}},
		},
		{
			name: "all errors in field order",
			in: PostText{
				Title:    "",
				Summary:  strings.Repeat("a", MaxSummaryRunes+1),
				Body:     "<script>x</script>",
				Category: strings.Repeat("b", MaxCategoryRunes+1),
				Audience: "nobody",
			},
			want: []FieldError{
				{"title", "title is required"},
				{"summary", "summary is longer than 1000 characters"},
				{"body", "body has no content left after removing unsafe HTML"},
				{"category", "category is longer than 100 characters"},
				{"audience", "audience must be one of all, officials, public"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := CleanPost(tt.in)
			if !reflect.DeepEqual(errs, tt.want) {
				t.Fatalf("errors = %v, want %v", errs, tt.want)
			}
		})
	}
}

// bodyOfBytes returns HTML that is exactly n bytes both before and after
// sanitising.
func bodyOfBytes(n int) string {
	const open, closing = "<p>", "</p>"
	return open + strings.Repeat("x", n-len(open)-len(closing)) + closing
}

func TestBodyOfBytesSurvivesSanitising(t *testing.T) {
	b := bodyOfBytes(MaxBodyBytes)
	if got := SanitizeHTML(b); len(got) != MaxBodyBytes {
		t.Fatalf("sanitised length = %d, want %d", len(got), MaxBodyBytes)
	}
}

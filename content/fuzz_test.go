package content

import (
	"testing"
	"unicode/utf8"
)

// FuzzCleanPost checks, for any text: CleanPost never panics; a post it
// accepts is within the limits, holds no character CheckText refuses, and
// comes back unchanged and accepted when cleaned again (so an edit that
// re-cleans stored text changes nothing). The seed corpus is in
// testdata/fuzz/FuzzCleanPost.
func FuzzCleanPost(f *testing.F) {
	f.Add("Thông báo", "Tóm tắt", "<p>Nội dung</p>", "Tin tức")
	f.Fuzz(func(t *testing.T, title, summary, body, category string) {
		out, errs := CleanPost(PostText{Title: title, Summary: summary, Body: body, Category: category})
		if len(errs) > 0 {
			return
		}
		checkCleanPost(t, out)
		again, errs := CleanPost(out)
		if len(errs) > 0 {
			t.Fatalf("cleaned post refused when cleaned again: %v\nfirst: %+q", errs, out)
		}
		if again != out {
			t.Fatalf("cleaning is not idempotent:\nonce:  %+q\ntwice: %+q", out, again)
		}
	})
}

func checkCleanPost(t *testing.T, p PostText) {
	t.Helper()
	switch {
	case p.Title == "" || utf8.RuneCountInString(p.Title) > MaxTitleRunes:
		t.Fatalf("title of %d characters accepted", utf8.RuneCountInString(p.Title))
	case utf8.RuneCountInString(p.Summary) > MaxSummaryRunes:
		t.Fatalf("summary of %d characters accepted", utf8.RuneCountInString(p.Summary))
	case utf8.RuneCountInString(p.Category) > MaxCategoryRunes:
		t.Fatalf("category of %d characters accepted", utf8.RuneCountInString(p.Category))
	case len(p.Body) > MaxBodyBytes:
		t.Fatalf("body of %d bytes accepted", len(p.Body))
	}
	for _, c := range []struct {
		field, s  string
		multiline bool
	}{{"title", p.Title, false}, {"summary", p.Summary, false}, {"body", p.Body, true}, {"category", p.Category, false}} {
		if err := CheckText(c.field, c.s, c.multiline); err != nil {
			t.Fatalf("accepted post holds a refused character: %v: %+q", err, c.s)
		}
	}
}

// FuzzCheckText checks that CheckText and StripRefused agree: whatever
// StripRefused returns passes CheckText, and text CheckText accepts is left
// as it is.
func FuzzCheckText(f *testing.F) {
	f.Add("a\x00b\u202E\t\n", true)
	f.Fuzz(func(t *testing.T, s string, multiline bool) {
		stripped := StripRefused(s)
		if err := CheckText("f", stripped, true); err != nil {
			t.Fatalf("StripRefused(%+q) = %+q, refused: %v", s, stripped, err)
		}
		if CheckText("f", s, true) == nil && stripped != s {
			t.Fatalf("StripRefused changed accepted text %+q to %+q", s, stripped)
		}
		if CheckText("f", s, multiline) == nil && !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 accepted: %+q", s)
		}
	})
}

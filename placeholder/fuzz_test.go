package placeholder

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// fuzzCap is small so that the fuzzer reaches the cap easily.
const fuzzCap = 512

// FuzzExpand checks that any template either fails to parse or expands
// without panicking to at most the cap, whatever the data holds. The seed
// corpus is in testdata/fuzz/FuzzExpand: the attacks of issue 7 and the
// templates Loa ships.
func FuzzExpand(f *testing.F) {
	f.Add(`{{range 100000}}{{printf "%01000d" 1}}{{end}}`, false, "x")
	f.Add(`{{.Title}} {{date .Published}} {{truncate 20 .Summary}}`, true, "Công bố thủ tục")
	zone := time.FixedZone("ICT", 7*3600)
	f.Fuzz(func(t *testing.T, src string, html bool, value string) {
		syntax := Text
		if html {
			syntax = HTML
		}
		p, err := Parse(src, Options{Field: "body", Syntax: syntax, Fields: []string{"Title", "Summary", "Link", "Published", "Week"},
			MaxBytes: fuzzCap, Zone: zone})
		if err != nil {
			return
		}
		data := sample{Title: value, Summary: strings.Repeat(value, 3), Link: value,
			Published: time.Date(2026, 11, 20, 1, 30, 0, 0, time.UTC), Week: utf8.RuneCountInString(value), Secret: "s3cret"}
		out, err := p.Expand(data)
		if len(out) > fuzzCap {
			t.Fatalf("Expand(%q) gave %d bytes, over the %d-byte cap", src, len(out), fuzzCap)
		}
		if err != nil && out != "" {
			t.Fatalf("Expand(%q) gave output %q with error %v", src, out, err)
		}
		if err == nil && strings.Contains(out, "s3cret") && !strings.Contains(src, "s3cret") && !strings.Contains(value, "s3cret") {
			t.Fatalf("Expand(%q) printed an undeclared field: %q", src, out)
		}
		if err != nil && !strings.Contains(src, "{{") {
			t.Fatalf("plain text within the cap refused: %v", err)
		}
	})
}

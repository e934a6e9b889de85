package platform

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestMarshalUnescaped(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{name: "markup kept", v: map[string]string{"body_html": "<p>A & B</p>"}, want: `{"body_html":"<p>A & B</p>"}`},
		{name: "no trailing newline", v: []int{1, 2}, want: `[1,2]`},
		{name: "other escapes kept", v: "a\"b\\c\n", want: `"a\"b\\c\n"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MarshalUnescaped(tt.v)
			if err != nil {
				t.Fatalf("MarshalUnescaped: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("MarshalUnescaped = %s, want %s", got, tt.want)
			}
		})
	}
	if _, err := MarshalUnescaped(func() {}); err == nil {
		t.Error("MarshalUnescaped accepted a func")
	}
}

func TestDecodeNumbersAndStringOrNumber(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{name: "large number keeps its digits", body: `{"id":1234567890123456789}`, want: "1234567890123456789"},
		{name: "string trimmed", body: `{"id":" 42_7 "}`, want: "42_7"},
		{name: "bool", body: `{"id":true}`, want: ""},
		{name: "object", body: `{"id":{"x":1}}`, want: ""},
		{name: "null", body: `{"id":null}`, want: ""},
		{name: "absent", body: `{}`, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v struct {
				ID any `json:"id"`
			}
			if err := DecodeNumbers([]byte(tt.body), &v); err != nil {
				t.Fatalf("DecodeNumbers: %v", err)
			}
			if got := StringOrNumber(v.ID); got != tt.want {
				t.Errorf("StringOrNumber = %q, want %q", got, tt.want)
			}
		})
	}
	var v any
	if err := DecodeNumbers([]byte(`{"id":`), &v); err == nil {
		t.Error("DecodeNumbers accepted a cut-off body")
	}
	var n any
	if err := DecodeNumbers([]byte(`7`), &n); err != nil {
		t.Fatalf("DecodeNumbers: %v", err)
	}
	if _, ok := n.(json.Number); !ok {
		t.Errorf("DecodeNumbers gave %T for a number, want json.Number", n)
	}
}

// The first cases moved from the webhook adapter, whose snippet this was.
func TestSnippet(t *testing.T) {
	const secret = "s3cr3t-s3cr3t-s3cr3t"
	tests := []struct {
		name    string
		body    string
		secrets []string
		want    string
	}{
		{name: "empty", body: "", secrets: []string{secret}, want: ""},
		{name: "multi-line", body: "line one\r\n\tline two\x00\x1b[31m", secrets: []string{secret}, want: "line one line two [31m"},
		{name: "cut at 200 bytes", body: strings.Repeat("x", 300), secrets: []string{secret}, want: strings.Repeat("x", 200)},
		{name: "half a character dropped", body: strings.Repeat("a", 199) + "ệ", secrets: []string{secret}, want: strings.Repeat("a", 199)},
		{name: "secret redacted", body: "your secret " + secret + " is wrong", secrets: []string{secret}, want: "your secret [redacted] is wrong"},
		{name: "every secret redacted", body: "a=tok-A b=tok-B", secrets: []string{"tok-A", "", "tok-B"}, want: "a=[redacted] b=[redacted]"},
		{name: "no secrets", body: "plain", want: "plain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Snippet([]byte(tt.body), 200, tt.secrets...); got != tt.want {
				t.Errorf("Snippet = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct {
		name    string
		s       string
		secrets []string
		want    string
	}{
		{name: "spaces collapsed", s: "  a \t b\r\nc  ", want: "a b c"},
		{name: "control characters become spaces", s: "a\x00b\x7fc\u0085d", want: "a b c d"},
		{name: "never cut", s: strings.Repeat("ệ", 500), want: strings.Repeat("ệ", 500)},
		{name: "secrets redacted, empty ones ignored", s: "token=abc key=xyz", secrets: []string{"", "abc", "xyz"}, want: "token=[redacted] key=[redacted]"},
		{name: "secret split by a line break stays split", s: "ab\nc", secrets: []string{"abc"}, want: "ab c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OneLine(tt.s, tt.secrets...); got != tt.want {
				t.Errorf("OneLine = %q, want %q", got, tt.want)
			}
		})
	}
}

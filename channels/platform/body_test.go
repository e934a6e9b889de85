package platform

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
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
		{name: "cut at 200 characters", s: strings.Repeat("ệ", 500), want: strings.Repeat("ệ", 200) + "…"},
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

// TestRedactEchoedCredentials: before, only a secret's verbatim form was
// redacted, so a remote echoing the Authorization header (Basic base64 of
// user:password) put the credential into last_error and the log.
func TestRedactEchoedCredentials(t *testing.T) {
	const (
		user   = "loa-admin"
		secret = "abcd EFGH/ijkl+MNOP"
	)
	pair := user + ":" + secret
	basic := base64.StdEncoding.EncodeToString([]byte(pair))
	tests := []struct {
		name    string
		s       string
		secrets []string
		want    string
	}{
		{name: "verbatim", s: "got " + secret, secrets: []string{secret}, want: "got [redacted]"},
		{name: "query-escaped", s: "pw=" + url.QueryEscape(secret) + "&x=1", secrets: []string{secret}, want: "pw=[redacted]&x=1"},
		{name: "path-escaped", s: "/u/" + url.PathEscape(secret) + "/x", secrets: []string{secret}, want: "/u/[redacted]/x"},
		{name: "base64", s: "k " + base64.StdEncoding.EncodeToString([]byte(secret)), secrets: []string{secret}, want: "k [redacted]"},
		{name: "url base64 unpadded", s: "k " + base64.RawURLEncoding.EncodeToString([]byte(secret)) + " x", secrets: []string{secret}, want: "k [redacted] x"},
		{name: "echoed Basic header", s: `{"headers":{"Authorization":"Basic ` + basic + `"}}`, secrets: []string{secret, pair},
			want: `{"headers":{"Authorization":"[redacted]"}}`},
		{name: "Basic pair alone", s: "seen " + basic, secrets: []string{secret, pair}, want: "seen [redacted]"},
		{name: "Basic credential with no secret given", s: "auth was Basic " + basic + " ok", want: "auth was Basic [redacted] ok"},
		{name: "Bearer token with no secret given", s: "Authorization: Bearer EAAB.x-1_2 rejected", want: "Authorization: [redacted] rejected"},
		{name: "bearer in prose", s: "bearer eyJhbGciOiJIUzI1NiJ9.e30 is expired", want: "bearer [redacted] is expired"},
		{name: "token pair in a form", s: "echo: access_token=EAABzz123&fields=id", want: "echo: access_token=[redacted]&fields=id"},
		{name: "token pair in JSON", s: `{"refresh_token": "zrt-123", "ok":1}`, want: `{"refresh_token": "[redacted]", "ok":1}`},
		{name: "prose kept", s: "Basic authentication failed: Invalid OAuth access token.", want: "Basic authentication failed: Invalid OAuth access token."},
		{name: "bidi and control characters", s: "a\u202eb\u2066c\x1bd", want: "a b c d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := OneLine(tt.s, tt.secrets...)
			if got != tt.want {
				t.Errorf("OneLine = %q, want %q", got, tt.want)
			}
			for _, leak := range []string{secret, basic, "EAAB", "zrt-123"} {
				if strings.Contains(got, leak) {
					t.Errorf("%q leaked into %q", leak, got)
				}
			}
		})
	}
}

// TestSnippetRedactsASecretCutAtTheLimit: the cut must not leave the start
// of a secret that was only recognised whole.
func TestSnippetRedactsASecretCutAtTheLimit(t *testing.T) {
	secret := strings.Repeat("S", 4096)
	body := strings.Repeat("x", 150) + base64.StdEncoding.EncodeToString([]byte(secret)) + "\x00\x01 end"
	got := Snippet([]byte(body), 200, secret)
	if want := strings.Repeat("x", 150) + "[redacted] end"; got != want {
		t.Fatalf("Snippet = %q, want %q", got, want)
	}
	long := Snippet([]byte(strings.Repeat("é", 1000)), 1<<20)
	if n := utf8.RuneCountInString(long); n > MaxExcerptRunes+1 {
		t.Fatalf("excerpt of %d characters", n)
	}
}

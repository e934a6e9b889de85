package platform

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// MarshalUnescaped encodes v like json.Marshal but leaves <, > and & as
// they are: platforms decode either form, and plain HTML keeps logged
// bodies readable.
func MarshalUnescaped(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// DecodeNumbers decodes the JSON value at the start of data into v with
// numbers kept as json.Number, so that a large numeric id never loses
// digits through float64.
func DecodeNumbers(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

// StringOrNumber renders an id or address a platform may send as a JSON
// string or number (decoded by DecodeNumbers); anything else gives "".
func StringOrNumber(v any) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case json.Number:
		return v.String()
	}
	return ""
}

// MaxExcerptRunes is the longest excerpt of a remote answer shown to
// people (in an error, a delivery's last_error, a log line at info level).
const MaxExcerptRunes = 200

// redactWindow is how far past the excerpt Snippet reads, so that a secret
// (at most 4,096 bytes, longer once encoded) straddling the cut is still
// recognised and redacted whole rather than shown in part.
const redactWindow = 16 << 10

// Snippet turns the start of a body, at most maxBytes of it, into one
// printable line for an error message (see OneLine).
func Snippet(body []byte, maxBytes int, secrets ...string) string {
	if len(body) > maxBytes+redactWindow {
		body = body[:maxBytes+redactWindow]
	}
	s := Redact(strings.ToValidUTF8(string(body), ""), secrets...)
	if len(s) > maxBytes {
		// Drops a character cut in half at the limit.
		s = strings.ToValidUTF8(s[:maxBytes], "")
	}
	return OneLine(s, secrets...)
}

// OneLine turns text from a platform into one short printable line: every
// secret redacted (see Redact), control and bidi-control characters and
// runs of spaces collapsed to one space, and cut at MaxExcerptRunes.
func OneLine(s string, secrets ...string) string {
	s = Redact(strings.ToValidUTF8(s, ""), secrets...)
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	// Again: a secret split by a control character is whole now.
	s = Redact(s, secrets...)
	if r := []rune(s); len(r) > MaxExcerptRunes {
		s = string(r[:MaxExcerptRunes]) + "…"
	}
	return s
}

const redacted = "[redacted]"

var (
	// authValue matches a scheme-prefixed credential anywhere: "Basic
	// dXNlcjpwdw==", "Bearer eyJ…"; credentialLike tells it from prose.
	authValue = regexp.MustCompile(`(?i)\b(basic|bearer)(?:\s+|%20|\+)([A-Za-z0-9._~+/=-]{8,})`)
	// authHeader matches the value of an echoed credential header whatever its scheme.
	authHeader = regexp.MustCompile(`(?i)\b((?:proxy-)?authorization|x-api-key|cookie)(["']?\s*[:=]\s*["']?)(?:[A-Za-z]+\s+)?[^"'\s,;}]+`)
	// namedSecret matches name=value and "name":"value" pairs whose name says secret.
	namedSecret = regexp.MustCompile(`(?i)\b(access_token|refresh_token|secret_key|app_secret|client_secret|password|app_password|page_token)(["']?\s*[:=]\s*["']?)[^"'&\s,;}]+`)
)

// Redact returns s with every non-empty secret replaced by "[redacted]"
// in each form a remote might echo it: as it is, URL-encoded, in standard
// and URL-safe base64 (with or without padding). Pass a user name and
// password also joined as "user:password", so that their HTTP Basic form
// is recognised. Whatever the secrets, the value of an echoed
// Authorization header, a "Basic …"/"Bearer …" credential and a
// token=… / "password":"…" pair are redacted too. Full bodies logged at
// debug level go through it as well.
func Redact(s string, secrets ...string) string {
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		for _, form := range secretForms(secret) {
			s = strings.ReplaceAll(s, form, redacted)
		}
	}
	s = authHeader.ReplaceAllString(s, "${1}${2}"+redacted)
	s = authValue.ReplaceAllStringFunc(s, func(m string) string {
		parts := authValue.FindStringSubmatch(m)
		if !credentialLike(parts[1], parts[2]) {
			return m
		}
		return parts[1] + " " + redacted
	})
	return namedSecret.ReplaceAllString(s, "${1}${2}"+redacted)
}

// BasicSecrets lists what to redact for a user name and password sent
// with HTTP Basic auth: the password and the user:password pair the header
// encodes (Redact then knows its base64). A user name without a password,
// as in https://token@host, is itself the secret.
func BasicSecrets(user, password string) []string {
	switch {
	case password != "":
		return []string{password, user + ":" + password}
	case user != "":
		return []string{user, user + ":"}
	}
	return nil
}

// credentialLike tells "Basic dXNlcjpwdw==" from "Basic authentication":
// a Basic credential is base64 of user:password, a bearer token has digits
// or punctuation in it.
func credentialLike(scheme, value string) bool {
	if strings.EqualFold(scheme, "basic") {
		decoded, err := base64.StdEncoding.DecodeString(value)
		if err != nil {
			decoded, err = base64.RawStdEncoding.DecodeString(value)
		}
		return err == nil && bytes.Contains(decoded, []byte(":"))
	}
	return strings.ContainsFunc(value, func(r rune) bool { return !unicode.IsLetter(r) })
}

// secretForms lists the ways secret may appear in a body, longest first
// so that a longer form is not half-replaced through a shorter one.
func secretForms(secret string) []string {
	b := []byte(secret)
	forms := []string{
		secret,
		url.QueryEscape(secret),
		url.PathEscape(secret),
		base64.StdEncoding.EncodeToString(b),
		base64.RawStdEncoding.EncodeToString(b),
		base64.URLEncoding.EncodeToString(b),
		base64.RawURLEncoding.EncodeToString(b),
	}
	slices.SortStableFunc(forms, func(a, b string) int { return len(b) - len(a) })
	return slices.Compact(forms)
}

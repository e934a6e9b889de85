package platform

import (
	"bytes"
	"encoding/json"
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

// Snippet turns the start of a body, at most maxBytes of it, into one
// printable line for an error message (see OneLine).
func Snippet(body []byte, maxBytes int, secrets ...string) string {
	if len(body) > maxBytes {
		body = body[:maxBytes]
	}
	// Drops a character cut in half at the limit, and any other invalid bytes.
	return OneLine(strings.ToValidUTF8(string(body), ""), secrets...)
}

// OneLine turns text from a platform into one printable line, with runs of
// spaces and control characters collapsed and every non-empty secret
// replaced: a misconfigured platform might echo a credential.
func OneLine(s string, secrets ...string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}

package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/content"
)

// decodeJSON reads the request body into dst strictly: malformed JSON is
// 400, wrong types and unknown fields are 422 naming the field, a body over
// the limit is 413. Every string of the body, keys included, must then pass
// checkStrings, so no handler can forget the text rules for a field.
func decodeJSON(c echo.Context, dst any) error {
	if ct := c.Request().Header.Get(echo.HeaderContentType); ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != echo.MIMEApplicationJSON {
			return &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
				Message: "send the body as application/json"}
		}
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var httpErr *echo.HTTPError
		if errors.As(err, &httpErr) {
			return httpErr
		}
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return echo.ErrStatusRequestEntityTooLarge
		}
		return badRequest("unreadable_body", "the request body could not be read")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("malformed_json", "the request body is empty; send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	// Not dec.More: it reports false for a trailing "}" or "]".
	if rest := bytes.Trim(body[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return badRequest("malformed_json", "the request body has data after the JSON object")
	}
	return checkStrings(body)
}

func decodeError(err error) error {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("malformed_json", "the request body is not valid JSON")
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return badRequest("malformed_json", "the request body must be a JSON object")
		}
		return invalid(field, "must be "+jsonTypeName(typeErr.Type.Kind().String())+", not "+typeErr.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return invalid(field, "unknown field")
	}
	return badRequest("malformed_json", "the request body is not valid JSON")
}

func jsonTypeName(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return "of another type"
}

// multilineKeys are the request keys whose string values may hold tabs and
// line breaks (compared case-insensitively: source templates use "Body").
// In every other string, keys included, they are refused like the other
// characters content.CheckText refuses.
var multilineKeys = map[string]bool{
	"body":        true, // post, variant and template bodies (HTML)
	"text":        true, // a variant's plain text for line-oriented channels
	"summary":     true, // cleaned to one line, but typed in a text area
	"description": true, // an RSS channel's description
	"reason":      true, // why an editor rejected a post
}

// maxRequestString is the longest string any request field may hold, in
// bytes. Each field has its own, lower limit where it is cleaned (see the
// README); this one stops anything that escaped them, before any handler
// looks at the value.
const maxRequestString = content.MaxBodyBytes

// jsonLevel is an open object or array while checkStrings walks a body.
type jsonLevel struct {
	object bool
	path   string // of the object or array itself
	key    string // object: the current member's key; array: the array's own key
	index  int    // array: the current element
}

// checkStrings walks body, which has already decoded, and refuses the first
// string or key that is too long or holds a refused character, with a 422
// naming it by its JSON path ("variants.3.title", "config.secret").
func checkStrings(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []jsonLevel
	expectKey := false
	for start := int64(0); ; start = dec.InputOffset() {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return badRequest("malformed_json", "the request body is not valid JSON")
		}
		var top *jsonLevel
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			expectKey = endValue(stack)
			continue
		}
		if expectKey {
			key := tok.(string) // json.Decoder allows only strings as keys
			top.key = key
			if err := checkKey(top.path, key, body[start:dec.InputOffset()]); err != nil {
				return err
			}
			expectKey = false
			continue
		}
		path, key := valuePath(top)
		switch v := tok.(type) {
		case json.Delim: // '{' or '['
			stack = append(stack, jsonLevel{object: v == '{', path: path, key: key})
			expectKey = v == '{'
			continue
		case string:
			if err := checkString(path, v, multilineKeys[strings.ToLower(key)], body[start:dec.InputOffset()]); err != nil {
				return err
			}
		}
		expectKey = endValue(stack)
	}
}

// valuePath names the value about to be read in top (nil at the top
// level), and the key it is under.
func valuePath(top *jsonLevel) (path, key string) {
	switch {
	case top == nil:
		return "", ""
	case top.object:
		return joinPath(top.path, top.key), top.key
	}
	return joinPath(top.path, strconv.Itoa(top.index)), top.key
}

// endValue moves past a finished value; it reports whether a key comes next.
func endValue(stack []jsonLevel) bool {
	if len(stack) == 0 {
		return false
	}
	top := &stack[len(stack)-1]
	if !top.object {
		top.index++
	}
	return top.object
}

func joinPath(parent, child string) string {
	if parent == "" {
		return child
	}
	return parent + "." + child
}

// maxRequestKey is the longest object key a request may hold, in bytes.
// Keys are field names, channel ids (variants) or abbreviations (radio).
const maxRequestKey = 200

// checkKey applies checkString's rules to an object key, and a shorter
// limit. The error names the key only as far as it is printable and short.
func checkKey(parent, key string, raw []byte) error {
	shown := content.StripRefused(key)
	if len(shown) > 40 {
		shown = strings.ToValidUTF8(shown[:40], "") + "…"
	}
	path := joinPath(parent, shown)
	if len(key) > maxRequestKey {
		return invalid(path, fmt.Sprintf("is a key longer than %d bytes", maxRequestKey))
	}
	return checkString(path, key, false, raw)
}

// checkString applies the length ceiling and content.CheckText to one
// decoded string. raw is its JSON source (with any separators before it):
// the decoder turns invalid UTF-8 and lone surrogate escapes into U+FFFD
// silently, so only the source shows them.
func checkString(path, s string, multiline bool, raw []byte) error {
	if path == "" {
		path = "(body)"
	}
	if len(s) > maxRequestString {
		return invalid(path, fmt.Sprintf("is longer than %d bytes", maxRequestString))
	}
	if !utf8.Valid(raw) || hasLoneSurrogate(raw) {
		return invalid(path, "is not valid UTF-8")
	}
	if fe := content.CheckText(path, s, multiline); fe != nil {
		return invalid(fe.Field, fe.Message)
	}
	return nil
}

// hasLoneSurrogate reports whether a JSON string literal (well-formed, as
// the decoder has accepted it) escapes half of a UTF-16 surrogate pair.
func hasLoneSurrogate(lit []byte) bool {
	for i := 0; i < len(lit); i++ {
		if lit[i] != '\\' {
			continue
		}
		if lit[i+1] != 'u' {
			i++
			continue
		}
		r := hex4(lit[i+2:])
		switch {
		case r >= 0xD800 && r <= 0xDBFF:
			if i+12 > len(lit) || lit[i+6] != '\\' || lit[i+7] != 'u' {
				return true
			}
			if low := hex4(lit[i+8:]); low < 0xDC00 || low > 0xDFFF {
				return true
			}
			i += 11
		case r >= 0xDC00 && r <= 0xDFFF:
			return true
		default:
			i += 5
		}
	}
	return false
}

func hex4(b []byte) rune {
	v, _ := strconv.ParseUint(string(b[:4]), 16, 32)
	return rune(v)
}

package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// decodeJSON reads the request body into dst strictly: malformed JSON is
// 400, wrong types and unknown fields are 422 naming the field, a body over
// the limit is 413.
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
	return nil
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

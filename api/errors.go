package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/plans"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/reports"
	"github.com/loa-vn/loa/storage"
)

// Error is an API error: Message is safe to show a client; the wrapped
// error, if any, goes only to the log.
type Error struct {
	Status  int
	Code    string
	Message string
	Field   string
	// RetryAfter, when set, is sent as Retry-After (whole seconds, rounded up).
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

func badRequest(code, msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Message: msg}
}

// invalid is a 422 naming the field that is wrong.
func invalid(field, msg string) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid_field", Field: field, Message: field + ": " + msg}
}

func notFound(what string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "not_found", Message: what + " not found"}
}

func forbidden(msg string) *Error {
	return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: msg}
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// RequestID is the request's X-Request-Id, to find its log lines.
	RequestID string `json:"request_id,omitempty"`
}

// handleError is the one place errors become HTTP responses.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	apiErr := s.toAPIError(err)
	if apiErr.Status >= 500 {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Path(), "request_id", RequestID(c), "err", err)
	}
	if apiErr.RetryAfter > 0 {
		secs := (apiErr.RetryAfter + time.Second - 1) / time.Second
		c.Response().Header().Set("Retry-After", strconv.FormatInt(int64(secs), 10))
	}
	var sendErr error
	if c.Request().Method == http.MethodHead {
		sendErr = c.NoContent(apiErr.Status)
	} else {
		sendErr = c.JSON(apiErr.Status, errorBody{Error: errorDetail{Code: apiErr.Code, Message: apiErr.Message, Field: apiErr.Field,
			RequestID: RequestID(c)}})
	}
	if sendErr != nil {
		s.log.Warn("cannot send error response", "err", sendErr)
	}
}

func (s *Server) toAPIError(err error) *Error {
	var apiErr *Error
	var httpErr *echo.HTTPError
	var agencyErr *storage.AgencyError
	var missing *publishing.NotFoundError
	var bad *publishing.InvalidError
	var refused *publishing.NotAllowedError
	var state *publishing.StateError
	var tooLarge *plans.TooLargeError
	switch {
	case errors.As(err, &apiErr):
		return apiErr
	case errors.As(err, &httpErr):
		return fromEchoError(httpErr)
	case errors.As(err, &agencyErr):
		return invalid(agencyErr.Field, agencyErr.Reason)
	case errors.As(err, &missing):
		return notFound(missing.What)
	case errors.As(err, &bad):
		return invalid(bad.Field, bad.Message)
	case errors.As(err, &refused):
		return forbidden(refused.Reason)
	case errors.As(err, &tooLarge):
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: "attachment_too_large", Field: "attachment",
			Message: fmt.Sprintf("attachment: a file may be at most %d MiB", tooLarge.Limit>>20)}
	case errors.As(err, &state):
		return &Error{Status: http.StatusConflict, Code: state.Code, Message: state.Message, Err: err}
	case errors.Is(err, storage.ErrNotFound):
		return notFound("resource")
	case errors.Is(err, errHashersBusy):
		return &Error{Status: http.StatusTooManyRequests, Code: "too_many_requests",
			Message: "the server is busy checking passwords; try again in a few seconds", RetryAfter: 2 * time.Second}
	case errors.Is(err, reports.ErrBusy):
		return &Error{Status: http.StatusTooManyRequests, Code: "too_many_requests",
			Message: "too many reports are being made; try again in a few seconds", RetryAfter: 5 * time.Second}
	case errors.Is(err, storage.ErrConflict):
		return &Error{Status: http.StatusConflict, Code: "conflict", Message: "the request conflicts with the current state"}
	}
	return &Error{Status: http.StatusInternalServerError, Code: "internal_error", Message: "internal error; see the server log", Err: err}
}

func fromEchoError(e *echo.HTTPError) *Error {
	code := map[int]string{
		http.StatusRequestEntityTooLarge: "body_too_large",
		http.StatusNotFound:              "not_found",
		http.StatusMethodNotAllowed:      "method_not_allowed",
		http.StatusUnauthorized:          "unauthorized",
		http.StatusUnsupportedMediaType:  "unsupported_media_type",
		http.StatusTooManyRequests:       "too_many_requests",
	}[e.Code]
	if code == "" {
		code = "http_error"
	}
	msg := http.StatusText(e.Code)
	if e.Code == http.StatusRequestEntityTooLarge {
		msg = "request body is larger than the limit"
	}
	return &Error{Status: e.Code, Code: code, Message: msg}
}

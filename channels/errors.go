package channels

import (
	"errors"
	"fmt"
	"time"
)

// Class says what the worker should do with a failed attempt.
type Class int

const (
	// ClassRetryable: the platform did not take the message; try again later.
	ClassRetryable Class = iota + 1
	// ClassPermanent: trying again cannot succeed (bad credentials, rejected content).
	ClassPermanent
	// ClassAmbiguous: the platform may have received the message (timeout after sending).
	ClassAmbiguous
)

func (c Class) String() string {
	switch c {
	case ClassRetryable:
		return "retryable"
	case ClassPermanent:
		return "permanent"
	case ClassAmbiguous:
		return "ambiguous"
	}
	return "unknown"
}

// Error is a classified publishing failure.
type Error struct {
	Class Class
	// RetryAfter is the platform's requested wait, zero if none.
	RetryAfter time.Duration
	// HTTPStatus is the platform's response status, zero if none arrived.
	HTTPStatus int
	// NeedsReauth is set when the channel's credentials must be renewed by a person.
	NeedsReauth bool
	Err         error
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %v", e.Class, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// Retryable wraps err as a failure worth retrying after retryAfter (zero: use backoff).
func Retryable(err error, retryAfter time.Duration) *Error {
	return &Error{Class: ClassRetryable, RetryAfter: retryAfter, Err: err}
}

// Permanent wraps err as a failure that no retry can fix.
func Permanent(err error) *Error {
	return &Error{Class: ClassPermanent, Err: err}
}

// Ambiguous wraps err as a failure after which the platform may hold the message.
func Ambiguous(err error) *Error {
	return &Error{Class: ClassAmbiguous, Err: err}
}

// WithStatus records the platform's HTTP status on e and returns e.
func (e *Error) WithStatus(status int) *Error {
	e.HTTPStatus = status
	return e
}

// ClassOf returns the class of err. Unclassified errors count as ambiguous:
// without knowing whether the request left, the safe answer is "maybe".
func ClassOf(err error) Class {
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Class
	}
	return ClassAmbiguous
}

// AsError returns err's *Error, or an ambiguous one wrapping err.
func AsError(err error) *Error {
	var ce *Error
	if errors.As(err, &ce) {
		return ce
	}
	return Ambiguous(err)
}

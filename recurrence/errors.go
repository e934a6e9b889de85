package recurrence

// FieldError says which field of a Spec is wrong, so the API can answer 422
// naming it. Message is a plain sentence that is safe to show to the user.
type FieldError struct {
	Field   string // "rule", "timezone", "starts_at", "ends_at" or "count"
	Message string
	err     error // the underlying cause, if any, for errors.Is/As
}

func newFieldError(field, message string, cause error) *FieldError {
	return &FieldError{Field: field, Message: message, err: cause}
}

func (e *FieldError) Error() string { return e.Message }

// Unwrap returns the library or time zone error behind e, if any.
func (e *FieldError) Unwrap() error { return e.err }

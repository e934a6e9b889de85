package publishing

// The layer's errors say what went wrong in terms a person can act on; the
// API maps each type to a status in one place (api/errors.go).

// NotFoundError: the object does not exist, or lies outside the actor's
// agencies, which must look the same.
type NotFoundError struct{ What string }

func (e *NotFoundError) Error() string { return e.What + " not found" }

// InvalidError: a field of the request breaks a rule. Err, when set, is
// the typed cause (a *channels.ConfigError, an *outbound.BlockedError), so
// a page can say it in its own words.
type InvalidError struct {
	Field   string
	Message string
	// Rule names the broken rule for callers that say it in their own
	// words (the pages, in Vietnamese); empty when there is no such name.
	Rule string
	// Err is the underlying refusal (a channel config or guard error), for
	// callers that tell them apart.
	Err error
}

// Rules an InvalidError may name.
const (
	RuleInPast   = "in_past"
	RuleTooFar   = "too_far_ahead"
	RuleBadValue = "bad_value"
)

func (e *InvalidError) Error() string { return e.Field + ": " + e.Message }
func (e *InvalidError) Unwrap() error { return e.Err }

func invalid(field, msg string) error { return &InvalidError{Field: field, Message: msg} }

// StateError: the object is not in a state that allows the action. Code is
// a stable name for clients ("wrong_state", "nothing_to_cancel", ...).
type StateError struct {
	Code    string
	Message string
	Err     error
}

func (e *StateError) Error() string {
	if e.Err != nil {
		return e.Code + ": " + e.Message + ": " + e.Err.Error()
	}
	return e.Code + ": " + e.Message
}

func (e *StateError) Unwrap() error { return e.Err }

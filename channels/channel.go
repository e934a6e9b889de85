// Package channels declares what every publishing adapter implements and the
// three classes of failure the worker acts on.
package channels

import (
	"context"
	"time"
)

// Channel publishes one message to one platform account.
type Channel interface {
	// Kind is the adapter's registered kind, e.g. "webhook".
	Kind() string
	// Publish sends msg once. A nil error means the platform accepted it.
	// Failures are returned as *Error values (see Retryable, Permanent, Ambiguous).
	Publish(ctx context.Context, msg Message) (Receipt, error)
	// Close releases what the adapter holds (idle connections, files).
	Close() error
}

// Idempotent is implemented by channels whose platform de-duplicates by
// Message.IdempotencyKey, so that repeating an attempt whose outcome is
// unknown can never post twice.
type Idempotent interface {
	Idempotent() bool
}

// Finder is implemented by channels that can look up whether an earlier
// attempt whose outcome is unknown actually landed on the platform.
type Finder interface {
	// Find reports the receipt of msg if the platform already has it.
	Find(ctx context.Context, msg Message) (receipt Receipt, found bool, err error)
}

// Message is the plain content handed to adapters; it is not a database row.
type Message struct {
	DeliveryID     int64
	PostID         int64
	ChannelID      int64
	IdempotencyKey string
	Title          string
	Summary        string
	// BodyHTML is sanitised HTML: it never contains scripts or event handlers.
	BodyHTML    string
	Category    string
	Audience    string
	ScheduledAt time.Time
	// Attempt is 1 for the first try.
	Attempt int
}

// Receipt is what the platform returned for an accepted message.
type Receipt struct {
	ExternalID  string
	ExternalURL string
	// HTTPStatus is the status of the final platform response, if any.
	HTTPStatus int
}

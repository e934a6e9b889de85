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
// The post's per-channel variant, if any, has already been applied: every
// field is what this channel should publish.
type Message struct {
	DeliveryID     int64
	PostID         int64
	ChannelID      int64
	IdempotencyKey string
	// Title and Summary are plain text, NFC.
	Title   string
	Summary string
	// BodyHTML is sanitised HTML: it never contains scripts or event handlers.
	BodyHTML string
	// Text is plain text written for this channel (a social post, a radio
	// script); empty means the adapter derives it from the fields above.
	Text string
	// Link is an absolute http(s) URL to point readers to; may be empty.
	Link string
	// ImageURL is an absolute http(s) URL of an illustration; may be empty.
	ImageURL    string
	Category    string
	Audience    string
	Priority    string
	ScheduledAt time.Time
	// Attempt is 1 for the first try.
	Attempt int
}

// Bulletin priorities (Thông tư 39/2020/TT-BTTTT): thông thường, ưu tiên, khẩn cấp.
const (
	PriorityNormal    = "normal"
	PriorityHigh      = "priority"
	PriorityEmergency = "emergency"
)

// Checker is implemented by channels that can verify their credentials
// against the platform without publishing anything.
type Checker interface {
	Check(ctx context.Context) CheckResult
}

// CheckResult is the outcome of a connection check.
type CheckResult struct {
	OK bool
	// Account names what the credentials reach, e.g. the page or site name.
	Account string
	// Reason explains a failure in Vietnamese, for the person fixing it.
	Reason string
	// Detail is the technical cause (platform code and message), never a secret.
	Detail string
	// NeedsReauth is set when a person must renew the credentials.
	NeedsReauth bool
}

// Previewer is implemented by channels that can show exactly what they
// would send for a message, without sending it.
type Previewer interface {
	Preview(msg Message) Preview
}

// Preview is what an adapter would send.
type Preview struct {
	// Text is the main text as the platform will show it.
	Text string `json:"text"`
	// Length is Text's length in the platform's unit (characters unless Unit says otherwise).
	Length int    `json:"length"`
	Limit  int    `json:"limit,omitempty"`
	Unit   string `json:"unit"`
	// Fields are the other values sent (title, link, cover…), by the platform's names.
	Fields map[string]string `json:"fields,omitempty"`
	// Warnings are in Vietnamese: text cut, missing cover image, outside sending hours…
	Warnings []string `json:"warnings"`
}

// Receipt is what the platform returned for an accepted message.
type Receipt struct {
	ExternalID  string
	ExternalURL string
	// HTTPStatus is the status of the final platform response, if any.
	HTTPStatus int
}

package storage

import (
	"time"

	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/sources"
)

// Roles, highest first.
const (
	RoleAdmin   = "admin"
	RoleEditor  = "editor"
	RoleOfficer = "officer"
)

// Delivery statuses.
const (
	// DeliveryPendingApproval deliveries wait for their post's approval and are not queued.
	DeliveryPendingApproval = "pending_approval"
	DeliveryScheduled       = "scheduled"
	DeliverySending         = "sending"
	DeliveryDelivered       = "delivered"
	DeliveryRetrying        = "retrying"
	DeliveryFailed          = "failed"
	DeliveryUnconfirmed     = "unconfirmed"
	DeliveryCanceled        = "canceled"
)

// Post statuses, derived from the post's deliveries; a draft has none.
const (
	// PostDraft posts have no deliveries until their author submits them.
	PostDraft           = "draft"
	PostPendingApproval = "pending_approval"
	PostRejected        = "rejected"
	PostScheduled       = "scheduled"
	PostPublished       = "published"
	PostPartial         = "partial"
	PostFailed          = "failed"
	PostCanceled        = "canceled"
)

// Channel statuses.
const (
	ChannelActive      = "active"
	ChannelNeedsReauth = "needs_reauth"
	ChannelDisabled    = "disabled"
)

// User is a person (or automation) that acts through API tokens.
type User struct {
	ID   int64
	Name string
	// NameKey is NameKey(Name): unique, so names differing only in case or
	// Unicode form cannot both exist; log-in looks users up by it.
	NameKey string
	Role    string
	// PasswordHash is an argon2id hash ("" when the user logs in only by token).
	PasswordHash string
	DisabledAt   *time.Time
	CreatedAt    time.Time
	// AgencyID is the agency the user belongs to; their role holds there
	// and beneath it. 0 on a new user means the root agency.
	AgencyID int64
	// Email is where notifications are mailed; "" for none.
	Email string
}

// APIToken authenticates a user; only the SHA-256 of the token is kept.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	TokenHash  string
	CreatedAt  time.Time
	RevokedAt  *time.Time
	LastUsedAt *time.Time
}

// Channel is one account on one platform. Its config (with credentials) is
// stored sealed; the store never sees it in the clear.
type Channel struct {
	ID           int64
	Name         string
	Kind         string
	ConfigSealed []byte
	// FeedSlug is set for kinds served publicly (rss); NULL otherwise.
	FeedSlug     *string
	Status       string
	StatusReason string
	// Slots are local "HH:MM" posting times, nil when none.
	Slots Slots
	// AgencyID owns the channel; 0 on a new channel means the root agency.
	AgencyID  int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Post is content written once and sent to several channels.
type Post struct {
	ID        int64
	Title     string
	Summary   string
	Body      string
	Category  string
	Audience  string
	Link      string
	ImageURL  string
	Priority  string
	Status    string
	PublishAt time.Time
	CreatedBy int64
	// ApprovedBy is the editor who approved the post (or its author when no
	// approval was needed); 0 while it waits.
	ApprovedBy   int64
	ApprovedAt   *time.Time
	RejectReason string
	// ScheduleID and OccurrenceAt are set on posts a schedule created.
	ScheduleID   *int64
	OccurrenceAt *time.Time
	// SourceID is set on posts made from a feed source; DigestAt on its digests.
	SourceID *int64
	DigestAt *time.Time
	// AgencyID owns the post; 0 on a new post means the root agency.
	AgencyID int64
	// Selector is the selector the post's channels were chosen by, nil
	// when it named its channels only.
	Selector *Selector `gorm:"column:targets;serializer:json"`
	// DraftPlan is set while the post is a draft (and kept if the draft is
	// canceled): what its author chose so far, applied at submission.
	DraftPlan *DraftPlan `gorm:"serializer:json"`
	Classification
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Delivery is one post sent to one channel.
type Delivery struct {
	ID        int64
	PostID    int64
	ChannelID int64
	// AgencyID is the channel's agency, copied when the delivery is made.
	AgencyID    int64
	Status      string
	ScheduledAt time.Time
	// Variant is the post's content for this channel, nil when the channel
	// gets the post as it is; "not null" makes the serializer store nil as
	// "", as the column always held.
	Variant *content.Variant `gorm:"serializer:json;not null"`
	// NextAttemptAt is when the next attempt is due (scheduled or retrying).
	NextAttemptAt time.Time
	Attempts      int
	// AttemptsBase is Attempts when a person last re-queued the delivery; the
	// attempt limit counts from there.
	AttemptsBase int
	// Uncertain is set while an earlier attempt may have reached the platform
	// without Loa learning so; the next attempt must not blindly re-post.
	Uncertain   bool
	LastError   string
	ExternalID  string
	ExternalURL string
	DeliveredAt *time.Time
	// LeaseToken and LeaseUntil belong to the worker currently sending.
	LeaseToken string
	LeaseUntil *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Attempt is one try at a delivery and what came of it.
type Attempt struct {
	ID         int64
	DeliveryID int64
	Number     int
	StartedAt  time.Time
	FinishedAt *time.Time
	Outcome    string
	HTTPStatus int
	Error      string
	DurationMS int64
}

// Attempt outcomes.
const (
	OutcomeSending     = "sending"
	OutcomeDelivered   = "delivered"
	OutcomeRetry       = "retry"
	OutcomeFailed      = "failed"
	OutcomeUnconfirmed = "unconfirmed"
	// OutcomeInterrupted marks an attempt whose worker died mid-send.
	OutcomeInterrupted = "interrupted"
)

// AuditEvent records who changed what, when.
type AuditEvent struct {
	ID         int64
	At         time.Time
	Actor      string
	EntityType string
	EntityID   int64
	Action     string
	FromStatus string
	ToStatus   string
	Detail     string
}

// Schedule statuses.
const (
	ScheduleActive = "active"
	SchedulePaused = "paused"
)

// Schedule creates a post at every occurrence of an RRULE.
type Schedule struct {
	ID       int64
	Name     string
	Rule     string
	Timezone string
	StartsAt time.Time
	EndsAt   *time.Time
	Count    int
	// Template is the post each occurrence creates; Targets its channels and variants.
	Template          PostTemplate `gorm:"serializer:json"`
	Targets           Targets      `gorm:"serializer:json"`
	Status            string
	CreatedBy         int64
	MaterializedUntil time.Time
	// AgencyID owns the schedule; 0 on a new schedule means the root agency.
	AgencyID int64
	// Classification is given to every post the schedule creates.
	Classification
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Source modes and statuses.
const (
	SourceReview = "review"
	SourceAuto   = "auto"
	SourceActive = "active"
	SourcePaused = "paused"
)

// Source is a feed polled for new administrative-procedure items.
type Source struct {
	ID   int64
	Name string
	// URL is the feed's address, any credentials inside it masked
	// (secrets.MaskURL); URLSealed then holds it whole, sealed.
	URL        string
	URLSealed  []byte
	PollEvery  int64
	Mode       string
	Template   sources.Template `gorm:"serializer:json"`
	Targets    Targets          `gorm:"serializer:json"`
	DigestRule string
	MaxAgeDays int
	Status     string
	CreatedBy  int64
	ETag       string `gorm:"column:etag"`
	// AgencyID owns the source; 0 on a new source means the root agency.
	AgencyID     int64
	LastModified string
	NextPollAt   time.Time
	LeaseUntil   *time.Time
	Failures     int
	LastError    string
	LastPolledAt *time.Time
	DigestUntil  time.Time
	// Classification is given to every post the source creates.
	Classification
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SourceItem is a feed item Loa has seen, kept to never post it twice.
type SourceItem struct {
	ID          int64
	SourceID    int64
	Key         string
	GUID        string
	Title       string
	Link        string
	Summary     string
	ImageURL    string
	PublishedAt *time.Time
	FirstSeenAt time.Time
	PostID      int64
	// Skipped says why no post was made ("older than 30 days"), "" otherwise.
	Skipped string
}

// SourcePoll is the record of one poll.
type SourcePoll struct {
	ID         int64
	SourceID   int64
	At         time.Time
	Outcome    string
	HTTPStatus int
	ItemsSeen  int
	ItemsNew   int
	Error      string
	DurationMS int64
}

// Poll outcomes.
const (
	PollOK          = "ok"
	PollNotModified = "not_modified"
	PollError       = "error"
)

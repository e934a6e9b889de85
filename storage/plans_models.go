package storage

import "time"

// Vocabulary kinds: the installation-wide lists posts and activities are
// classified by.
const (
	VocabContentArea = "content_area"
	VocabAudience    = "audience"
)

// VocabTerm is an entry of a list. Code is fixed once made (posts and
// activities hold it); Label may change; a term no longer offered is
// disabled, and what already holds it keeps it.
type VocabTerm struct {
	ID         int64
	Kind       string
	Code       string
	Label      string
	Position   int
	DisabledAt *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Classification is what a post, schedule or source carries out: a
// content area's and an audience's code ("" for none) and the plan
// activity (nil for none). Schedules and sources give theirs to the
// posts they create.
type Classification struct {
	ContentArea string
	// AudienceCode is an audience term's code; Post.Audience is the older
	// all/officials/public sent to channels, unrelated.
	AudienceCode string
	ActivityID   *int64
}

// Plan is an agency's yearly communication plan.
type Plan struct {
	ID       int64
	AgencyID int64
	Title    string
	Year     int
	// Reference is the plan's document line, e.g. "Kế hoạch số 25/KH-UBND ngày 03/3/2021".
	Reference string
	CreatedBy int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Activity timing kinds.
const (
	TimingRegular = "thuong_xuyen" // continuously
	TimingAllYear = "ca_nam"
	TimingQ1      = "Q1"
	TimingQ2      = "Q2"
	TimingQ3      = "Q3"
	TimingQ4      = "Q4"
	TimingEvent   = "event" // when something happens (a decision is announced)
	TimingRange   = "range" // TimingFrom..TimingTo
)

// PlanActivity is one activity of a plan. Its AgencyID is the plan's.
type PlanActivity struct {
	ID       int64
	PlanID   int64
	AgencyID int64
	// Position orders the plan's activities as the plan lists them.
	Position    int
	Code        string // the plan's numbering, "2.4"
	Title       string
	ContentArea string // a content area's code, "" for none
	Audience    string // an audience's code, "" for none
	// Forms are form codes (publishing.Forms lists them).
	Forms Forms
	// TimingKind is one of the Timing constants; a range's days are
	// TimingFrom and TimingTo, YYYY-MM-DD, "" otherwise.
	TimingKind, TimingFrom, TimingTo string
	Unit                             string
	// Target is the planned count, nil when the plan gives none; TargetText
	// is the plan's own words for it.
	Target     *int64
	TargetText string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// ActivityRecord is offline work done for an activity.
type ActivityRecord struct {
	ID         int64
	ActivityID int64
	// AgencyID is the activity's.
	AgencyID int64
	// OccurredOn is the local day it happened, YYYY-MM-DD.
	OccurredOn   string
	Form         string
	Description  string
	Count        int64
	AttachmentID *int64
	CreatedBy    int64
	CreatedAt    time.Time
}

// Attachment is a file kept with a record. Lists never load Data.
type Attachment struct {
	ID          int64
	AgencyID    int64
	FileName    string
	ContentType string
	Size        int64
	Data        []byte
	SHA256      string `gorm:"column:sha256"`
	CreatedBy   int64
	CreatedAt   time.Time
}

package storage

import (
	"time"

	"gorm.io/gorm"
)

// Frozen shapes of the tables and columns added by migration 5.

type m0005Source struct {
	ID           int64     `gorm:"primaryKey"`
	Name         string    `gorm:"size:200;not null"`
	URL          string    `gorm:"size:2000;not null"`
	PollEvery    int64     `gorm:"not null"` // seconds
	Mode         string    `gorm:"size:20;not null"`
	Template     string    `gorm:"type:text;not null"`
	Targets      string    `gorm:"type:text;not null"`
	DigestRule   string    `gorm:"size:1000;not null;default:''"`
	MaxAgeDays   int       `gorm:"not null;default:0"`
	Status       string    `gorm:"size:20;not null"`
	CreatedBy    int64     `gorm:"not null"`
	ETag         string    `gorm:"column:etag;size:400;not null;default:''"`
	LastModified string    `gorm:"size:100;not null;default:''"`
	NextPollAt   time.Time `gorm:"index"`
	LeaseUntil   *time.Time
	Failures     int    `gorm:"not null;default:0"`
	LastError    string `gorm:"size:2000;not null;default:''"`
	LastPolledAt *time.Time
	DigestUntil  time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (m0005Source) TableName() string { return "sources" }

type m0005SourceItem struct {
	ID          int64  `gorm:"primaryKey"`
	SourceID    int64  `gorm:"not null;uniqueIndex:idx_source_items_key,priority:1;index:idx_source_items_seen,priority:1"`
	Key         string `gorm:"size:600;not null;uniqueIndex:idx_source_items_key,priority:2"`
	GUID        string `gorm:"size:2000;not null;default:''"`
	Title       string `gorm:"size:2000;not null"`
	Link        string `gorm:"size:2000;not null;default:''"`
	Summary     string `gorm:"type:text;not null"`
	ImageURL    string `gorm:"size:2000;not null;default:''"`
	PublishedAt *time.Time
	FirstSeenAt time.Time `gorm:"index:idx_source_items_seen,priority:2"`
	PostID      int64     `gorm:"not null;default:0"`
	Skipped     string    `gorm:"size:200;not null;default:''"`
}

func (m0005SourceItem) TableName() string { return "source_items" }

type m0005SourcePoll struct {
	ID         int64 `gorm:"primaryKey"`
	SourceID   int64 `gorm:"not null;index"`
	At         time.Time
	Outcome    string `gorm:"size:20;not null"`
	HTTPStatus int    `gorm:"not null;default:0"`
	ItemsSeen  int    `gorm:"not null;default:0"`
	ItemsNew   int    `gorm:"not null;default:0"`
	Error      string `gorm:"size:2000;not null;default:''"`
	DurationMS int64  `gorm:"not null;default:0"`
}

func (m0005SourcePoll) TableName() string { return "source_polls" }

type m0005Post struct {
	SourceID *int64     `gorm:"uniqueIndex:idx_posts_digest,priority:1"`
	DigestAt *time.Time `gorm:"uniqueIndex:idx_posts_digest,priority:2"`
}

func (m0005Post) TableName() string { return "posts" }

func migrate0005(tx *gorm.DB) error {
	m := tx.Migrator()
	if err := m.CreateTable(&m0005Source{}, &m0005SourceItem{}, &m0005SourcePoll{}); err != nil {
		return err
	}
	for _, col := range []string{"SourceID", "DigestAt"} {
		if err := m.AddColumn(&m0005Post{}, col); err != nil {
			return err
		}
	}
	// One digest post per source and digest time, whichever process makes it.
	return m.CreateIndex(&m0005Post{}, "idx_posts_digest")
}

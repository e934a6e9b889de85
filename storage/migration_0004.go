package storage

import (
	"time"

	"gorm.io/gorm"
)

// Frozen shapes of the tables and columns added by migration 4.

type m0004Schedule struct {
	ID        int64  `gorm:"primaryKey"`
	Name      string `gorm:"size:200;not null"`
	Rule      string `gorm:"size:1000;not null"`
	Timezone  string `gorm:"size:64;not null"`
	StartsAt  time.Time
	EndsAt    *time.Time
	Count     int    `gorm:"not null;default:0"`
	Template  string `gorm:"type:text;not null"`
	Targets   string `gorm:"type:text;not null"`
	Status    string `gorm:"size:20;not null;index"`
	CreatedBy int64  `gorm:"not null"`
	// MaterializedUntil is how far ahead occurrences have been created.
	MaterializedUntil time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

func (m0004Schedule) TableName() string { return "schedules" }

type m0004Post struct {
	ScheduleID   *int64     `gorm:"uniqueIndex:idx_posts_occurrence,priority:1"`
	OccurrenceAt *time.Time `gorm:"uniqueIndex:idx_posts_occurrence,priority:2"`
}

func (m0004Post) TableName() string { return "posts" }

func migrate0004(tx *gorm.DB) error {
	m := tx.Migrator()
	if err := m.CreateTable(&m0004Schedule{}); err != nil {
		return err
	}
	for _, col := range []string{"ScheduleID", "OccurrenceAt"} {
		if err := m.AddColumn(&m0004Post{}, col); err != nil {
			return err
		}
	}
	// One post per schedule occurrence, whichever process creates it first.
	return m.CreateIndex(&m0004Post{}, "idx_posts_occurrence")
}

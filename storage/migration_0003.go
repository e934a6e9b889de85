package storage

import (
	"time"

	"gorm.io/gorm"
)

// Frozen shapes of the columns added by migration 3.

type m0003User struct {
	Name         string `gorm:"size:200;not null;uniqueIndex:idx_users_name"`
	PasswordHash string `gorm:"size:200;not null;default:''"`
	DisabledAt   *time.Time
}

func (m0003User) TableName() string { return "users" }

type m0003APIToken struct {
	LastUsedAt *time.Time
}

func (m0003APIToken) TableName() string { return "api_tokens" }

type m0003Post struct {
	ApprovedBy   int64 `gorm:"not null;default:0"`
	ApprovedAt   *time.Time
	RejectReason string `gorm:"size:2000;not null;default:''"`
}

func (m0003Post) TableName() string { return "posts" }

func migrate0003(tx *gorm.DB) error {
	m := tx.Migrator()
	steps := []struct {
		model any
		field string
	}{
		{&m0003User{}, "PasswordHash"}, {&m0003User{}, "DisabledAt"},
		{&m0003APIToken{}, "LastUsedAt"},
		{&m0003Post{}, "ApprovedBy"}, {&m0003Post{}, "ApprovedAt"}, {&m0003Post{}, "RejectReason"},
	}
	for _, s := range steps {
		if err := m.AddColumn(s.model, s.field); err != nil {
			return err
		}
	}
	// Names become log-in names, so they must be unique.
	return m.CreateIndex(&m0003User{}, "idx_users_name")
}

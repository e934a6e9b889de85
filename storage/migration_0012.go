package storage

import (
	"time"

	"gorm.io/gorm"
)

// Frozen shapes of the tables created by migration 12.

// m0012Session is a web UI session: the SHA-256 of its random id, never
// the id itself, and the CSRF token its forms carry.
type m0012Session struct {
	ID         int64
	IDHash     string `gorm:"size:64;not null;uniqueIndex:idx_web_sessions_hash"`
	UserID     int64  `gorm:"not null;index:idx_web_sessions_user"`
	CSRFToken  string `gorm:"column:csrf_token;size:64;not null"`
	CreatedAt  time.Time
	ExpiresAt  time.Time `gorm:"not null"`
	LastSeenAt time.Time `gorm:"not null"`
	RevokedAt  *time.Time
}

func (m0012Session) TableName() string { return "web_sessions" }

// m0012SetupLink is a one-time link that lets a user set a password.
type m0012SetupLink struct {
	ID        int64
	TokenHash string `gorm:"size:64;not null;uniqueIndex:idx_setup_links_hash"`
	UserID    int64  `gorm:"not null"`
	CreatedAt time.Time
	ExpiresAt time.Time `gorm:"not null"`
	UsedAt    *time.Time
}

func (m0012SetupLink) TableName() string { return "setup_links" }

// migrate0012 adds web sessions and one-time set-password links.
func migrate0012(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&m0012Session{}, &m0012SetupLink{})
}

package storage

import (
	"time"

	"gorm.io/gorm"
)

// Frozen shapes of the tables and column added by migration 13.

// m0014User gets an e-mail address, where notifications are mailed.
type m0014User struct {
	Email string `gorm:"size:254;not null;default:''"`
}

func (m0014User) TableName() string { return "users" }

// m0014Notification is something a user needs to see. One event gives a
// user at most one notification: (user, kind, subject, event) is unique,
// so a scan that runs twice over the same events adds nothing.
type m0014Notification struct {
	ID        int64
	UserID    int64  `gorm:"not null;uniqueIndex:idx_notifications_event,priority:1;index:idx_notifications_user,priority:1"`
	Kind      string `gorm:"size:40;not null;uniqueIndex:idx_notifications_event,priority:2"`
	SubjectID int64  `gorm:"not null;uniqueIndex:idx_notifications_event,priority:3"`
	Event     string `gorm:"size:80;not null;uniqueIndex:idx_notifications_event,priority:4"`
	Text      string `gorm:"size:1000;not null"`
	CreatedAt time.Time
	ReadAt    *time.Time
	// EmailedAt is when the notification was e-mailed; EmailAttempts and
	// EmailLeaseUntil let one mailer at a time try, a bounded number of times.
	EmailedAt       *time.Time `gorm:"index:idx_notifications_unsent"`
	EmailAttempts   int        `gorm:"not null;default:0"`
	EmailLeaseUntil *time.Time
}

func (m0014Notification) TableName() string { return "notifications" }

// m0014NotifierMark is how far the notifier has read one source of events
// (attempts by finished_at, audit events by at), with the id of the last
// row read at that time.
type m0014NotifierMark struct {
	Source string `gorm:"primaryKey;size:40"`
	At     time.Time
	LastID int64 `gorm:"not null;default:0"`
}

func (m0014NotifierMark) TableName() string { return "notifier_marks" }

// m0014Attempt and m0014AuditEvent index the times the notifier reads
// its events by.
type m0014Attempt struct {
	FinishedAt *time.Time `gorm:"index:idx_attempts_finished"`
}

func (m0014Attempt) TableName() string { return "attempts" }

type m0014AuditEvent struct {
	At time.Time `gorm:"index:idx_audit_at"`
}

func (m0014AuditEvent) TableName() string { return "audit_events" }

// migrate0014 adds notifications, the notifier's marks and users' e-mail.
func migrate0014(tx *gorm.DB) error {
	m := tx.Migrator()
	if err := m.AddColumn(&m0014User{}, "Email"); err != nil {
		return err
	}
	if err := m.CreateIndex(&m0014Attempt{}, "idx_attempts_finished"); err != nil {
		return err
	}
	if err := m.CreateIndex(&m0014AuditEvent{}, "idx_audit_at"); err != nil {
		return err
	}
	return m.CreateTable(&m0014Notification{}, &m0014NotifierMark{})
}

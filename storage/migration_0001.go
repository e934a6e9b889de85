package storage

import (
	"time"

	"gorm.io/gorm"
)

// Frozen shapes of the tables created by migration 1.

type m0001User struct {
	ID        int64  `gorm:"primaryKey"`
	Name      string `gorm:"size:200;not null"`
	Role      string `gorm:"size:20;not null"`
	CreatedAt time.Time
}

func (m0001User) TableName() string { return "users" }

type m0001APIToken struct {
	ID        int64  `gorm:"primaryKey"`
	UserID    int64  `gorm:"not null;index"`
	Name      string `gorm:"size:200;not null"`
	TokenHash string `gorm:"size:64;not null;uniqueIndex"`
	CreatedAt time.Time
	RevokedAt *time.Time
}

func (m0001APIToken) TableName() string { return "api_tokens" }

type m0001Channel struct {
	ID           int64   `gorm:"primaryKey"`
	Name         string  `gorm:"size:200;not null;uniqueIndex"`
	Kind         string  `gorm:"size:40;not null"`
	ConfigSealed []byte  `gorm:"not null"`
	FeedSlug     *string `gorm:"size:64;uniqueIndex"`
	Status       string  `gorm:"size:20;not null"`
	StatusReason string  `gorm:"size:1000;not null;default:''"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (m0001Channel) TableName() string { return "channels" }

type m0001Post struct {
	ID        int64  `gorm:"primaryKey"`
	Title     string `gorm:"size:1000;not null"`
	Summary   string `gorm:"type:text;not null"`
	Body      string `gorm:"type:text;not null"`
	Category  string `gorm:"size:400;not null"`
	Audience  string `gorm:"size:20;not null"`
	Status    string `gorm:"size:20;not null;index"`
	PublishAt time.Time
	CreatedBy int64 `gorm:"not null"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (m0001Post) TableName() string { return "posts" }

type m0001Delivery struct {
	ID            int64  `gorm:"primaryKey"`
	PostID        int64  `gorm:"not null;index"`
	ChannelID     int64  `gorm:"not null;index:idx_deliveries_channel_status,priority:1"`
	Status        string `gorm:"size:20;not null;index:idx_deliveries_channel_status,priority:2;index:idx_deliveries_status_due,priority:1"`
	ScheduledAt   time.Time
	NextAttemptAt time.Time `gorm:"index:idx_deliveries_status_due,priority:2"`
	Attempts      int       `gorm:"not null;default:0"`
	AttemptsBase  int       `gorm:"not null;default:0"`
	Uncertain     bool      `gorm:"not null;default:false"`
	LastError     string    `gorm:"size:2000;not null;default:''"`
	ExternalID    string    `gorm:"size:400;not null;default:''"`
	ExternalURL   string    `gorm:"size:2000;not null;default:''"`
	DeliveredAt   *time.Time
	LeaseToken    string `gorm:"size:64;not null;default:''"`
	LeaseUntil    *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (m0001Delivery) TableName() string { return "deliveries" }

type m0001Attempt struct {
	ID         int64 `gorm:"primaryKey"`
	DeliveryID int64 `gorm:"not null;index"`
	Number     int   `gorm:"not null"`
	StartedAt  time.Time
	FinishedAt *time.Time
	Outcome    string `gorm:"size:20;not null"`
	HTTPStatus int    `gorm:"not null;default:0"`
	Error      string `gorm:"size:2000;not null;default:''"`
	DurationMS int64  `gorm:"not null;default:0"`
}

func (m0001Attempt) TableName() string { return "attempts" }

type m0001AuditEvent struct {
	ID         int64 `gorm:"primaryKey"`
	At         time.Time
	Actor      string `gorm:"size:200;not null"`
	EntityType string `gorm:"size:40;not null;index:idx_audit_entity,priority:1"`
	EntityID   int64  `gorm:"not null;index:idx_audit_entity,priority:2"`
	Action     string `gorm:"size:40;not null"`
	FromStatus string `gorm:"size:20;not null;default:''"`
	ToStatus   string `gorm:"size:20;not null;default:''"`
	Detail     string `gorm:"size:2000;not null;default:''"`
}

func (m0001AuditEvent) TableName() string { return "audit_events" }

func migrate0001(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(
		&m0001User{}, &m0001APIToken{}, &m0001Channel{}, &m0001Post{},
		&m0001Delivery{}, &m0001Attempt{}, &m0001AuditEvent{},
	)
}

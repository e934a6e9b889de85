package storage

import (
	"time"

	"gorm.io/gorm"
)

// Frozen shape of the columns added by migration 9.

type m0009Channel struct {
	// ConfigLease names the process changing the config (rotating tokens)
	// until ConfigLeaseUntil; "" when nobody is.
	ConfigLease      string `gorm:"size:64;not null;default:''"`
	ConfigLeaseUntil *time.Time
}

func (m0009Channel) TableName() string { return "channels" }

func migrate0009(tx *gorm.DB) error {
	m := tx.Migrator()
	if err := m.AddColumn(&m0009Channel{}, "ConfigLease"); err != nil {
		return err
	}
	return m.AddColumn(&m0009Channel{}, "ConfigLeaseUntil")
}

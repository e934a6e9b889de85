package storage

import "gorm.io/gorm"

// Frozen shape of the column added by migration 6.

type m0006Channel struct {
	// Slots are the channel's preferred local posting times as a JSON array ("" for none).
	Slots string `gorm:"size:1000;not null;default:''"`
}

func (m0006Channel) TableName() string { return "channels" }

func migrate0006(tx *gorm.DB) error {
	return tx.Migrator().AddColumn(&m0006Channel{}, "Slots")
}

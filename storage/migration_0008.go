package storage

import "gorm.io/gorm"

// Frozen shape of the column added by migration 8.

type m0008Source struct {
	// URLSealed is the feed URL with the credentials inside it
	// (https://user:pass@host), sealed; nil when it has none.
	URLSealed []byte
}

func (m0008Source) TableName() string { return "sources" }

func migrate0008(tx *gorm.DB) error {
	return tx.Migrator().AddColumn(&m0008Source{}, "URLSealed")
}

package storage

import "gorm.io/gorm"

// Frozen shape of the column added by migration 11.

// m0011Post is the post's target selector as JSON, NULL when the post
// named its channels only.
type m0011Post struct {
	Targets *string `gorm:"type:text"`
}

func (m0011Post) TableName() string { return "posts" }

// migrate0011 keeps on each post the selector its channels were chosen by.
func migrate0011(tx *gorm.DB) error {
	return tx.Migrator().AddColumn(&m0011Post{}, "Targets")
}

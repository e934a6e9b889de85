package storage

import "gorm.io/gorm"

// Frozen shape of the column added by migration 13.

// m0013Post is a draft's plan as JSON: the channels it will go to and the
// publish time as its author asked for it; NULL on every post that is not
// a draft.
type m0013Post struct {
	DraftPlan *string `gorm:"type:text"`
}

func (m0013Post) TableName() string { return "posts" }

// migrate0013 lets a post be a draft: no deliveries yet, its plan kept on it.
func migrate0013(tx *gorm.DB) error {
	return tx.Migrator().AddColumn(&m0013Post{}, "DraftPlan")
}

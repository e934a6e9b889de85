package storage

import "gorm.io/gorm"

// Frozen shapes of the columns added by migration 2.

type m0002Post struct {
	Link     string `gorm:"size:2000;not null;default:''"`
	ImageURL string `gorm:"size:2000;not null;default:''"`
	Priority string `gorm:"size:20;not null;default:'normal'"`
}

func (m0002Post) TableName() string { return "posts" }

type m0002Delivery struct {
	// Variant is the post's per-channel content for this delivery, as JSON ("" when none).
	Variant string `gorm:"type:text;not null;default:''"`
}

func (m0002Delivery) TableName() string { return "deliveries" }

func migrate0002(tx *gorm.DB) error {
	m := tx.Migrator()
	for _, col := range []string{"Link", "ImageURL", "Priority"} {
		if err := m.AddColumn(&m0002Post{}, col); err != nil {
			return err
		}
	}
	return m.AddColumn(&m0002Delivery{}, "Variant")
}

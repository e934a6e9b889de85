package storage

import (
	"time"

	"gorm.io/gorm"
)

// m0018Delivery indexes what the delivery list filters by beside the
// agency: a status newest first (failed or unconfirmed deliveries are a
// few percent, which newest first across every delivery reads past), and
// the scheduled time for a date range over every agency (the root's list;
// a subtree's range uses idx_deliveries_agency_scheduled).
type m0018Delivery struct {
	ID          int64     `gorm:"index:idx_deliveries_status_id,priority:2"`
	Status      string    `gorm:"index:idx_deliveries_status_id,priority:1"`
	ScheduledAt time.Time `gorm:"index:idx_deliveries_scheduled_at"`
}

func (m0018Delivery) TableName() string { return "deliveries" }

// migrate0018 adds the indexes the delivery list reads by.
func migrate0018(tx *gorm.DB) error {
	for _, name := range []string{"idx_deliveries_status_id", "idx_deliveries_scheduled_at"} {
		if err := tx.Migrator().CreateIndex(&m0018Delivery{}, name); err != nil {
			return err
		}
	}
	return nil
}

package storage

import (
	"time"

	"gorm.io/gorm"
)

// m0017Delivery indexes deliveries by agency and scheduled time: a
// report reads one agency's (or a subtree's) deliveries of a period as
// index ranges instead of scanning every delivery of the agency.
type m0017Delivery struct {
	AgencyID    int64     `gorm:"index:idx_deliveries_agency_scheduled,priority:1"`
	ScheduledAt time.Time `gorm:"index:idx_deliveries_agency_scheduled,priority:2"`
}

func (m0017Delivery) TableName() string { return "deliveries" }

// migrate0017 adds the index reports read deliveries by.
func migrate0017(tx *gorm.DB) error {
	return tx.Migrator().CreateIndex(&m0017Delivery{}, "idx_deliveries_agency_scheduled")
}

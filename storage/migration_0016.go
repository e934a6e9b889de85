package storage

import (
	"time"

	"gorm.io/gorm"
)

// Frozen shapes of the tables and index added by migration 16.

// m0016DeliveryReach is the latest value a platform reported for one
// metric of one delivery, and when it was read. A metric never reported
// has no row: absent, never zero.
type m0016DeliveryReach struct {
	DeliveryID int64     `gorm:"primaryKey;autoIncrement:false"`
	Metric     string    `gorm:"primaryKey;size:40"`
	Value      int64     `gorm:"not null"`
	ReadAt     time.Time `gorm:"not null"`
}

func (m0016DeliveryReach) TableName() string { return "delivery_reach" }

// m0016ReachCheck is the reach reader's bookkeeping for one delivery: which
// read of the slow schedule is next and when (NULL: never again), when it
// last read (reach_checked_at), why the platform reports nothing, the last
// error, and the lease that gives each read to one worker.
type m0016ReachCheck struct {
	DeliveryID     int64      `gorm:"primaryKey;autoIncrement:false"`
	Slot           int        `gorm:"not null;default:0"`
	NextAt         *time.Time `gorm:"index:idx_reach_checks_next"`
	ReachCheckedAt *time.Time
	Unavailable    string `gorm:"size:500;not null;default:''"`
	LastError      string `gorm:"size:1000;not null;default:''"`
	LeaseToken     string `gorm:"size:64;not null;default:''"`
	LeaseUntil     *time.Time
}

func (m0016ReachCheck) TableName() string { return "reach_checks" }

// m0016Delivery indexes delivered_at, by which new deliveries become due
// for their first read and reports sum reach over a period.
type m0016Delivery struct {
	DeliveredAt *time.Time `gorm:"index:idx_deliveries_delivered_at"`
}

func (m0016Delivery) TableName() string { return "deliveries" }

// migrate0016 adds delivery reach and its reader's bookkeeping.
func migrate0016(tx *gorm.DB) error {
	if err := tx.Migrator().CreateIndex(&m0016Delivery{}, "idx_deliveries_delivered_at"); err != nil {
		return err
	}
	return tx.Migrator().CreateTable(&m0016DeliveryReach{}, &m0016ReachCheck{})
}

package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// migration is one step of the schema. Steps are append-only: a released
// step is never edited, and each freezes the structs it creates so later
// model changes cannot alter it.
type migration struct {
	version int
	name    string
	up      func(tx *gorm.DB) error
}

// migrations lists every step; rootAgency names the root agency that
// migration 10 creates (LOA_AGENCY_NAME).
func migrations(rootAgency string) []migration {
	return []migration{
		{1, "core tables: users, tokens, channels, posts, deliveries, attempts, audit", migrate0001},
		{2, "post link, image and priority; per-channel variants on deliveries", migrate0002},
		{3, "approvals; user passwords, disabling and token use", migrate0003},
		{4, "recurring schedules; posts know their occurrence", migrate0004},
		{5, "feed sources, seen items and poll log; posts know their source", migrate0005},
		{6, "posting slots per channel", migrate0006},
		{7, "user names unique up to case and Unicode form", migrate0007},
		{8, "feed URLs' credentials sealed", migrate0008},
		{9, "channel config leases, so credentials refresh outside transactions", migrate0009},
		{10, "agencies; every user, channel, post, schedule, source and delivery in one",
			func(tx *gorm.DB) error { return migrate0010(tx, rootAgency) }},
		{11, "posts keep their target selector", migrate0011},
		{12, "web sessions and one-time set-password links", migrate0012},
		{13, "drafts: a post may wait unsubmitted, its plan kept on it", migrate0013},
		{14, "notifications, the notifier's marks and users' e-mail addresses", migrate0014},
		{15, "content areas and audiences; plans, activities, offline records and attachments", migrate0015},
		{16, "delivery reach and the reach reader's schedule", migrate0016},
		{17, "deliveries indexed by agency and scheduled time, for reports", migrate0017},
		{18, "deliveries indexed by status and by scheduled time, for the delivery list", migrate0018},
	}
}

type schemaMigration struct {
	Version   int `gorm:"primaryKey;autoIncrement:false"`
	Name      string
	AppliedAt time.Time
}

func (schemaMigration) TableName() string { return "schema_migrations" }

// MigrateTo applies the migrations up to version and no further: a
// database as an older Loa left it, for upgrade tests.
func (s *Store) MigrateTo(ctx context.Context, version int) error {
	if err := s.db.WithContext(ctx).Migrator().AutoMigrate(&schemaMigration{}); err != nil {
		return fmt.Errorf("storage: create version table: %w", err)
	}
	all := migrations(s.rootAgency)
	if version < 0 || version > len(all) {
		return fmt.Errorf("storage: no migration %d", version)
	}
	for _, m := range all[:version] {
		if _, err := s.applyMigration(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// Migrate applies every pending migration, each in its own transaction, and
// returns the names of those it applied.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	db := s.db.WithContext(ctx)
	if err := db.Migrator().AutoMigrate(&schemaMigration{}); err != nil {
		return nil, fmt.Errorf("storage: create version table: %w", err)
	}
	var applied []string
	for _, m := range migrations(s.rootAgency) {
		done, err := s.applyMigration(ctx, m)
		if err != nil {
			return applied, err
		}
		if done {
			applied = append(applied, fmt.Sprintf("%04d %s", m.version, m.name))
		}
	}
	return applied, nil
}

func (s *Store) applyMigration(ctx context.Context, m migration) (bool, error) {
	applied := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if s.dialect == dialectPostgres {
			// Several processes may start at once; one migrates, the others wait.
			if err := tx.Exec("SELECT pg_advisory_xact_lock(7261001)").Error; err != nil {
				return err
			}
		}
		var count int64
		if err := tx.Model(&schemaMigration{}).Where("version = ?", m.version).Count(&count).Error; err != nil {
			return err
		}
		if count > 0 {
			return nil
		}
		if err := m.up(tx); err != nil {
			return err
		}
		applied = true
		return tx.Create(&schemaMigration{Version: m.version, Name: m.name, AppliedAt: time.Now().UTC()}).Error
	})
	if err != nil {
		return false, fmt.Errorf("storage: migration %04d (%s): %w", m.version, m.name, err)
	}
	return applied, nil
}

// PendingMigrations counts migrations not yet applied; a process that is not
// allowed to migrate refuses to start while it is above zero.
func (s *Store) PendingMigrations(ctx context.Context) (int, error) {
	db := s.db.WithContext(ctx)
	if !db.Migrator().HasTable(&schemaMigration{}) {
		return len(migrations(s.rootAgency)), nil
	}
	var versions []int
	if err := db.Model(&schemaMigration{}).Pluck("version", &versions).Error; err != nil {
		return 0, fmt.Errorf("storage: read schema version: %w", err)
	}
	have := make(map[int]bool, len(versions))
	for _, v := range versions {
		have[v] = true
	}
	pending := 0
	for _, m := range migrations(s.rootAgency) {
		if !have[m.version] {
			pending++
		}
	}
	return pending, nil
}

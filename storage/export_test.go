package storage

import (
	"context"

	"gorm.io/gorm"
)

// MigrateTo applies the migrations up to version, as a database made by
// an older Loa.
func (s *Store) MigrateTo(ctx context.Context, version int) error {
	if err := s.db.WithContext(ctx).Migrator().AutoMigrate(&schemaMigration{}); err != nil {
		return err
	}
	for _, m := range migrations(s.rootAgency)[:version] {
		if _, err := s.applyMigration(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// DB is the store's database handle, for tests writing rows as an older
// Loa did.
func (s *Store) DB() *gorm.DB { return s.db }

// InSubtree exposes inSubtree to tests.
func (s *Store) InSubtree(q *gorm.DB, column string, id int64) *gorm.DB {
	return s.inSubtree(q, column, id)
}

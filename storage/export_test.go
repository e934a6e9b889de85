package storage

import (
	"gorm.io/gorm"
)

// DB is the store's database handle, for tests writing rows as an older
// Loa did.
func (s *Store) DB() *gorm.DB { return s.db }

// InSubtree exposes inSubtree to tests.
func (s *Store) InSubtree(q *gorm.DB, column string, id int64) *gorm.DB {
	return s.inSubtree(q, column, id)
}

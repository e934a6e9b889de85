package storage

import (
	"context"
	"errors"

	"gorm.io/gorm"
)

// maxNamedSubtree is the largest subtree withinSubtree names agency by
// agency, one bound parameter each (PostgreSQL takes 65,535 and SQLite
// 32,766 in a statement); a larger one is read through the agencies table
// in the query, as scoped does. A province of 5,000 communes is named.
const maxNamedSubtree = 20_000

// withinSubtree limits q to rows whose agency_id lies in the agency's
// subtree, as scoped does (agency 0: every row), for lists of large
// tables (deliveries). It reads the subtree first and names its
// agencies in the query, so the planner knows which rows they are: behind
// scoped's subquery over paths PostgreSQL cannot tell a commune from a
// province and, at 1,000,000 deliveries, walked the table newest first
// testing each row against the subtree's list (100–200 ms for a page).
// The root's subtree is every agency, and every row has an agency (they
// are never deleted), so the root adds no condition. An unknown agency
// matches nothing.
func (s *Store) withinSubtree(ctx context.Context, q *gorm.DB, agency int64) (*gorm.DB, error) {
	if agency == 0 {
		return q, nil
	}
	var top Agency
	err := s.db.WithContext(ctx).Select("id", "parent_id", "path").First(&top, agency).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return q.Where("1 = 0"), nil
	case err != nil:
		return nil, translate(err, "read subtree")
	case top.ParentID == nil:
		return q, nil
	}
	var ids []int64
	lo, hi := subtreeRange(top.Path)
	err = s.db.WithContext(ctx).Model(&Agency{}).Where("path >= ? AND path < ?", lo, hi).
		Limit(maxNamedSubtree+1).Pluck("id", &ids).Error
	if err != nil {
		return nil, translate(err, "read subtree")
	}
	if len(ids) > maxNamedSubtree {
		return s.scoped(q, agency), nil
	}
	return q.Where("agency_id IN ?", ids), nil
}

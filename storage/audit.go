package storage

import (
	"context"

	"gorm.io/gorm"
)

// Audit entity types.
const (
	EntityPost     = "post"
	EntityDelivery = "delivery"
	EntityChannel  = "channel"
	EntityUser     = "user"
)

func (s *Store) audit(tx *gorm.DB, e AuditEvent) error {
	if e.At.IsZero() {
		e.At = s.nowUTC()
	}
	e.Detail = truncate(e.Detail, 2000)
	return tx.Create(&e).Error
}

// History returns the audit trail of one entity, oldest first.
func (s *Store) History(ctx context.Context, entityType string, id int64) ([]AuditEvent, error) {
	var events []AuditEvent
	err := s.db.WithContext(ctx).
		Where("entity_type = ? AND entity_id = ?", entityType, id).
		Order("id").Find(&events).Error
	return events, translate(err, "read history")
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

package storage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// EntityVocabTerm is the audit log's name for a list entry.
const EntityVocabTerm = "vocab_term"

// ListVocab returns the terms of kind ("" for both kinds) in list order,
// the disabled ones too when withDisabled.
func (s *Store) ListVocab(ctx context.Context, kind string, withDisabled bool) ([]VocabTerm, error) {
	q := s.db.WithContext(ctx).Order("kind, position, id")
	if kind != "" {
		q = q.Where("kind = ?", kind)
	}
	if !withDisabled {
		q = q.Where("disabled_at IS NULL")
	}
	var out []VocabTerm
	return out, translate(q.Find(&out).Error, "list vocabulary")
}

// GetVocabTerm returns the term id.
func (s *Store) GetVocabTerm(ctx context.Context, id int64) (VocabTerm, error) {
	var t VocabTerm
	return t, translate(s.db.WithContext(ctx).First(&t, id).Error, "get vocabulary term")
}

// VocabTermByCode returns the term of kind with code, disabled or not.
func (s *Store) VocabTermByCode(ctx context.Context, kind, code string) (VocabTerm, error) {
	var t VocabTerm
	err := s.db.WithContext(ctx).Where("kind = ? AND code = ?", kind, code).First(&t).Error
	return t, translate(err, "get vocabulary term")
}

// CountVocab counts the terms of kind, disabled ones included.
func (s *Store) CountVocab(ctx context.Context, kind string) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&VocabTerm{}).Where("kind = ?", kind).Count(&n).Error
	return n, translate(err, "count vocabulary")
}

// CreateVocabTerm adds t at the end of its list unless t.Position is set;
// a code its kind already has is ErrConflict.
func (s *Store) CreateVocabTerm(ctx context.Context, t *VocabTerm, actor string) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if t.Position == 0 {
			var last *int
			if err := tx.Model(&VocabTerm{}).Where("kind = ?", t.Kind).Select("MAX(position)").Scan(&last).Error; err != nil {
				return err
			}
			if last != nil {
				t.Position = *last + 1
			} else {
				t.Position = 1
			}
		}
		if err := tx.Create(t).Error; err != nil {
			return err
		}
		return s.audit(tx, AuditEvent{Actor: actor, EntityType: EntityVocabTerm, EntityID: t.ID, Action: "created",
			Detail: fmt.Sprintf("%s %s: %s", t.Kind, t.Code, t.Label)})
	})
	return translate(err, "create vocabulary term")
}

// VocabChange changes a term; nil fields stay. Its code never changes.
type VocabChange struct {
	Label    *string
	Position *int
	Disabled *bool
}

// UpdateVocabTerm applies c to term id.
func (s *Store) UpdateVocabTerm(ctx context.Context, id int64, c VocabChange, actor string) (VocabTerm, error) {
	var t VocabTerm
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.forUpdate(tx).First(&t, id).Error; err != nil {
			return err
		}
		up := map[string]any{"updated_at": s.nowUTC()}
		detail := ""
		if c.Label != nil {
			up["label"], t.Label = *c.Label, *c.Label
			detail += "label: " + *c.Label + "; "
		}
		if c.Position != nil {
			up["position"], t.Position = *c.Position, *c.Position
			detail += "position: " + strconv.Itoa(*c.Position) + "; "
		}
		if c.Disabled != nil {
			var at *time.Time
			if *c.Disabled {
				now := s.nowUTC()
				at = &now
			}
			up["disabled_at"], t.DisabledAt = at, at
			detail += "disabled: " + strconv.FormatBool(*c.Disabled)
		}
		if err := tx.Model(&VocabTerm{}).Where("id = ?", id).Updates(up).Error; err != nil {
			return err
		}
		return s.audit(tx, AuditEvent{Actor: actor, EntityType: EntityVocabTerm, EntityID: id, Action: "changed", Detail: detail})
	})
	return t, translate(err, "update vocabulary term")
}

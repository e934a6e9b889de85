package storage

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"
)

// Frozen shapes of the table and columns added by migration 10.

type m0010Agency struct {
	ID       int64  `gorm:"primaryKey"`
	Name     string `gorm:"size:200;not null"`
	Code     string `gorm:"size:64;not null;uniqueIndex"`
	ParentID *int64 `gorm:"index"`
	// Path is the materialised path of ids from the root, "/1/7/12/"; its
	// index (bytewise order, see migrate0010) makes a subtree one range.
	Path       string `gorm:"size:1000;not null"`
	DisabledAt *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (m0010Agency) TableName() string { return "agencies" }

// m0010Owned is the column added to every table whose rows belong to an
// agency; 0 never stays in it (the migration fills it, the store sets it).
type m0010Owned struct {
	AgencyID int64 `gorm:"not null;default:0"`
}

// m0010OwnedTables are the tables given agency_id; deliveries carry their
// channel's agency so that listing them by subtree needs no join.
var m0010OwnedTables = []string{"users", "channels", "posts", "schedules", "sources", "deliveries"}

// migrate0010 creates the agencies table with one root agency named
// rootName and puts every existing row in it.
func migrate0010(tx *gorm.DB, rootName string) error {
	m := tx.Migrator()
	if err := m.CreateTable(&m0010Agency{}); err != nil {
		return err
	}
	if tx.Dialector.Name() == "postgres" {
		// A subtree is the range [path, path-with-last-"/"-as-"0"); that is
		// only a range under bytewise order, whatever the database's locale.
		if err := tx.Exec(`ALTER TABLE agencies ALTER COLUMN path TYPE varchar(1000) COLLATE "C"`).Error; err != nil {
			return err
		}
	}
	if err := tx.Exec("CREATE UNIQUE INDEX idx_agencies_path ON agencies (path)").Error; err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	root := m0010Agency{Name: rootName, Code: m0010Code(rootName), CreatedAt: now, UpdatedAt: now}
	if err := tx.Create(&root).Error; err != nil {
		return err
	}
	if err := tx.Model(&m0010Agency{}).Where("id = ?", root.ID).
		UpdateColumn("path", fmt.Sprintf("/%d/", root.ID)).Error; err != nil {
		return err
	}
	for _, table := range m0010OwnedTables {
		if err := tx.Table(table).Migrator().AddColumn(&m0010Owned{}, "AgencyID"); err != nil {
			return fmt.Errorf("add %s.agency_id: %w", table, err)
		}
		if err := tx.Exec("UPDATE "+table+" SET agency_id = ?", root.ID).Error; err != nil {
			return err
		}
		// (agency_id, id): a subtree's rows newest first, page by page.
		if err := tx.Exec(fmt.Sprintf("CREATE INDEX idx_%s_agency ON %s (agency_id, id)", table, table)).Error; err != nil {
			return err
		}
	}
	return nil
}

// m0010Code makes the root agency's code from its name: "Cơ quan" gives
// "co-quan"; a name with no Latin letter or digit gives "root".
func m0010Code(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(strings.ToLower(name)) {
		switch {
		case r == 'đ':
			r = 'd'
		case unicode.Is(unicode.Mn, r):
			continue
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	code := b.String()
	if len(code) > 64 {
		code = strings.TrimRight(code[:64], "-")
	}
	if code == "" {
		return "root"
	}
	return code
}

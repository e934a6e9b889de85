package storage

import (
	"fmt"
	"sort"
	"time"

	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"
)

// Frozen shapes of the column added and the rows written by migration 7.

type m0007User struct {
	ID   int64
	Name string
	// NameKey is NameKey(Name); folding can lengthen a name, hence 400.
	NameKey string `gorm:"size:400;not null;default:'';uniqueIndex:idx_users_name_key"`
}

func (m0007User) TableName() string { return "users" }

type m0007AuditEvent struct {
	ID         int64 `gorm:"primaryKey"`
	At         time.Time
	Actor      string
	EntityType string
	EntityID   int64
	Action     string
	Detail     string
}

func (m0007AuditEvent) TableName() string { return "audit_events" }

// migrate0007 makes user names unique up to case and Unicode form. Names
// become NFC. Where older versions let two names share a key (`officer1`
// and `OFFICER1`), the user "admin" (LOA_ADMIN_TOKEN's) or else the oldest
// keeps the name; each other one is renamed with a suffix (`OFFICER1 (2)`)
// and the rename is audited, so start-up never fails on old data. Renamed
// users keep their tokens; they log in with the new name. Keys are made by
// today's NameKey: should that rule ever change, a later migration must
// recompute them.
func migrate0007(tx *gorm.DB) error {
	if err := tx.Migrator().AddColumn(&m0007User{}, "NameKey"); err != nil {
		return err
	}
	var users []m0007User
	if err := tx.Select("id", "name").Order("id").Find(&users).Error; err != nil {
		return err
	}
	sort.SliceStable(users, func(i, j int) bool { return users[i].Name == "admin" && users[j].Name != "admin" })
	taken := map[string]bool{}
	var keep, rename []m0007User
	for _, u := range users {
		u.Name = norm.NFC.String(u.Name)
		u.NameKey = NameKey(u.Name)
		if taken[u.NameKey] {
			rename = append(rename, u)
			continue
		}
		taken[u.NameKey] = true
		keep = append(keep, u)
	}
	// Renamed rows first: their new names collide with nothing, and after
	// them a kept name turned NFC cannot collide with a renamed one.
	for _, u := range rename {
		from := u.Name
		u.Name, u.NameKey = freeName(from, taken)
		if err := m0007SetName(tx, u); err != nil {
			return err
		}
		err := tx.Create(&m0007AuditEvent{At: time.Now().UTC(), Actor: "system:migration 0007", EntityType: EntityUser,
			EntityID: u.ID, Action: "renamed", Detail: fmt.Sprintf(
				"renamed from %q to %q: another user's name differs from it only in case or Unicode form", from, u.Name)}).Error
		if err != nil {
			return err
		}
	}
	for _, u := range keep {
		if err := m0007SetName(tx, u); err != nil {
			return err
		}
	}
	return tx.Migrator().CreateIndex(&m0007User{}, "idx_users_name_key")
}

func m0007SetName(tx *gorm.DB, u m0007User) error {
	return tx.Model(&m0007User{}).Where("id = ?", u.ID).
		Updates(map[string]any{"name": u.Name, "name_key": u.NameKey}).Error
}

// freeName returns name with the first suffix " (2)", " (3)", … whose key
// is not taken, kept within the 200-byte name limit, and takes that key.
func freeName(name string, taken map[string]bool) (string, string) {
	for n := 2; ; n++ {
		suffix := fmt.Sprintf(" (%d)", n)
		candidate := truncate(name, 200-len(suffix)) + suffix
		if key := NameKey(candidate); !taken[key] {
			taken[key] = true
			return candidate, key
		}
	}
}

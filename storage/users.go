package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"
)

// EnvAdminTokenName names the token row that mirrors LOA_ADMIN_TOKEN.
const EnvAdminTokenName = "LOA_ADMIN_TOKEN"

// NameKey is the form in which user names are compared: Unicode case
// folding over canonical decomposition (Unicode's canonical caseless
// match), stored recomposed. "officer1", "OFFICER1" and "Nguyễn" typed
// precomposed or decomposed each have one key.
func NameKey(name string) string {
	return norm.NFC.String(cases.Fold().String(norm.NFD.String(name)))
}

// newUser is a user with its name in NFC and its key set; every user is
// made through it.
func newUser(name, role string) User {
	name = norm.NFC.String(name)
	return User{Name: name, NameKey: NameKey(name), Role: role}
}

// CountUsers returns how many users exist.
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&User{}).Count(&n).Error
	return n, translate(err, "count users")
}

// CreateFirstAdmin creates an admin user holding the token with tokenHash,
// but only while no user exists. It reports whether it created one.
func (s *Store) CreateFirstAdmin(ctx context.Context, name, tokenHash string) (bool, error) {
	created := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.lockBootstrap(tx); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&User{}).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		u := newUser(name, RoleAdmin)
		if err := tx.Create(&u).Error; err != nil {
			return err
		}
		created = true
		return tx.Create(&APIToken{UserID: u.ID, Name: "first admin token", TokenHash: tokenHash}).Error
	})
	return created, translate(err, "create first admin")
}

// EnsureEnvAdmin makes the token with tokenHash (from LOA_ADMIN_TOKEN) an
// admin token, revoking the one a previous value of the variable left behind.
func (s *Store) EnsureEnvAdmin(ctx context.Context, tokenHash string) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.lockBootstrap(tx); err != nil {
			return err
		}
		var tok APIToken
		err := tx.Where("name = ? AND revoked_at IS NULL", EnvAdminTokenName).First(&tok).Error
		if err == nil && tok.TokenHash == tokenHash {
			return nil
		}
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		now := s.nowUTC()
		if err := tx.Model(&APIToken{}).Where("name = ? AND revoked_at IS NULL", EnvAdminTokenName).
			Update("revoked_at", now).Error; err != nil {
			return err
		}
		u, err := s.envAdminUser(tx)
		if err != nil {
			return err
		}
		// Disabling the admin or changing its password revoked the row this
		// token had; the variable is the operator's word, so it is reinstated.
		res := tx.Model(&APIToken{}).Where("token_hash = ? AND name = ?", tokenHash, EnvAdminTokenName).
			Updates(map[string]any{"user_id": u.ID, "revoked_at": nil})
		if res.Error != nil || res.RowsAffected > 0 {
			return res.Error
		}
		return tx.Create(&APIToken{UserID: u.ID, Name: EnvAdminTokenName, TokenHash: tokenHash}).Error
	})
	return translate(err, "ensure admin token")
}

// envAdminUser returns the user "admin", creating it, or restoring its admin
// role, access and place in the root agency if someone demoted, disabled or
// moved it: LOA_ADMIN_TOKEN is the operator's way back in, so it must
// always yield an enabled admin of everything.
func (s *Store) envAdminUser(tx *gorm.DB) (User, error) {
	u := newUser("admin", RoleAdmin)
	err := tx.Where("name_key = ?", u.NameKey).First(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return u, tx.Create(&u).Error
	}
	if err != nil {
		return u, err
	}
	root, err := rootAgencyID(tx)
	if err != nil || u.Role == RoleAdmin && u.DisabledAt == nil && u.AgencyID == root {
		return u, err
	}
	from := u.Role
	if err := tx.Model(&User{}).Where("id = ?", u.ID).
		Updates(map[string]any{"role": RoleAdmin, "disabled_at": nil, "agency_id": root}).Error; err != nil {
		return u, err
	}
	u.Role, u.DisabledAt, u.AgencyID = RoleAdmin, nil, root
	return u, s.audit(tx, AuditEvent{Actor: "system:LOA_ADMIN_TOKEN", EntityType: EntityUser, EntityID: u.ID,
		Action: "restored_admin", FromStatus: from, ToStatus: RoleAdmin})
}

// lockBootstrap serialises user bootstrap across processes on PostgreSQL
// (SQLite's immediate transactions already do).
func (s *Store) lockBootstrap(tx *gorm.DB) error {
	if s.dialect != dialectPostgres {
		return nil
	}
	return tx.Exec("SELECT pg_advisory_xact_lock(7261002)").Error
}

// CreateUserWithToken adds a user and one API token for it.
func (s *Store) CreateUserWithToken(ctx context.Context, name, role, tokenHash string) (User, error) {
	u := newUser(name, role)
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&u).Error; err != nil {
			return err
		}
		return tx.Create(&APIToken{UserID: u.ID, Name: "token for " + u.Name, TokenHash: tokenHash}).Error
	})
	return u, translate(err, "create user")
}

// UserByTokenHash returns the enabled user holding the unrevoked token with hash.
func (s *Store) UserByTokenHash(ctx context.Context, hash string) (User, error) {
	var tok APIToken
	err := s.db.WithContext(ctx).Where("token_hash = ? AND revoked_at IS NULL", hash).First(&tok).Error
	if err != nil {
		return User{}, translate(err, "find token")
	}
	var u User
	err = s.db.WithContext(ctx).Where("id = ? AND disabled_at IS NULL", tok.UserID).First(&u).Error
	if err != nil {
		return User{}, translate(err, fmt.Sprintf("find user %d", tok.UserID))
	}
	s.touchToken(ctx, tok)
	return u, nil
}

// touchToken records when a token was last used, at most once a minute, so
// that admins can see stale tokens without a write on every request.
func (s *Store) touchToken(ctx context.Context, tok APIToken) {
	now := s.nowUTC()
	if tok.LastUsedAt != nil && now.Sub(*tok.LastUsedAt) < time.Minute {
		return
	}
	s.db.WithContext(ctx).Model(&APIToken{}).Where("id = ?", tok.ID).Update("last_used_at", now)
}

// CreateUser adds a user, its name in NFC; a name taken up to case and
// Unicode form is ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u *User, actor string) error {
	n := newUser(u.Name, u.Role)
	u.Name, u.NameKey = n.Name, n.NameKey
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(u).Error; err != nil {
			return err
		}
		return s.audit(tx, AuditEvent{Actor: actor, EntityType: EntityUser, EntityID: u.ID,
			Action: "created", ToStatus: u.Role, Detail: u.Name})
	})
	return translate(err, "create user")
}

// ListUsers returns the users of the agency's subtree (every user for
// agency 0), oldest first.
func (s *Store) ListUsers(ctx context.Context, agency int64) ([]User, error) {
	var us []User
	err := s.scoped(s.db.WithContext(ctx), agency).Order("id").Find(&us).Error
	return us, translate(err, "list users")
}

// GetUser returns one user.
func (s *Store) GetUser(ctx context.Context, id int64) (User, error) {
	var u User
	err := s.db.WithContext(ctx).First(&u, id).Error
	return u, translate(err, "get user")
}

// UserByName returns the user with that log-in name, up to case and
// Unicode form.
func (s *Store) UserByName(ctx context.Context, name string) (User, error) {
	var u User
	err := s.db.WithContext(ctx).Where("name_key = ?", NameKey(name)).First(&u).Error
	return u, translate(err, "find user by name")
}

// UserChange is an admin's change to a user. Nil fields stay.
type UserChange struct {
	// Name renames the user (NFC; a name taken up to case is ErrConflict).
	Name         *string
	Role         *string
	Disabled     *bool
	PasswordHash *string
	// Email sets the address notifications are mailed to ("" for none).
	Email *string
	// KeepTokenHash names the token a user changing their own password
	// made the request with; it survives the change.
	KeepTokenHash string
}

// UpdateUser applies c in one transaction. Disabling a user revokes all
// their tokens for good: enabling them again does not bring any back.
// A new password revokes every token of the user but c.KeepTokenHash.
// (LOA_ADMIN_TOKEN's row is no exception — a token's name proves nothing —
// but EnsureEnvAdmin reinstates it at the next start.)
func (s *Store) UpdateUser(ctx context.Context, id int64, c UserChange, actor string) (User, error) {
	var u User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.First(&u, id).Error; err != nil {
			return err
		}
		from, oldName := u.Role, u.Name
		updates := map[string]any{}
		if c.Name != nil {
			n := newUser(*c.Name, u.Role)
			u.Name, u.NameKey = n.Name, n.NameKey
			updates["name"], updates["name_key"] = n.Name, n.NameKey
		}
		if c.Role != nil {
			u.Role, updates["role"] = *c.Role, *c.Role
		}
		if c.PasswordHash != nil {
			u.PasswordHash, updates["password_hash"] = *c.PasswordHash, *c.PasswordHash
		}
		if c.Email != nil {
			u.Email, updates["email"] = *c.Email, *c.Email
		}
		if c.Disabled != nil {
			u.DisabledAt = nil
			if *c.Disabled {
				now := s.nowUTC()
				u.DisabledAt = &now
			}
			updates["disabled_at"] = u.DisabledAt
		}
		if len(updates) == 0 {
			return nil
		}
		if err := tx.Model(&User{}).Where("id = ?", id).Updates(updates).Error; err != nil {
			return err
		}
		detail := ""
		if c.Disabled != nil {
			detail = map[bool]string{true: "disabled", false: "enabled"}[*c.Disabled]
		}
		if c.PasswordHash != nil {
			detail += " password changed"
		}
		if c.Email != nil {
			detail += " e-mail address changed"
		}
		if c.Name != nil && u.Name != oldName {
			detail += fmt.Sprintf(" renamed from %q to %q", oldName, u.Name)
		}
		revoked, err := s.revokeOnUpdate(tx, id, c)
		if err != nil {
			return err
		}
		// Web sessions end like tokens: on disabling and on a new password.
		if (c.Disabled != nil && *c.Disabled) || c.PasswordHash != nil {
			if err := s.revokeSessions(tx, id); err != nil {
				return err
			}
		}
		if revoked > 0 {
			detail += fmt.Sprintf(" %d token(s) revoked", revoked)
		}
		return s.audit(tx, AuditEvent{Actor: actor, EntityType: EntityUser, EntityID: id,
			Action: "updated", FromStatus: from, ToStatus: u.Role, Detail: strings.TrimSpace(detail)})
	})
	return u, translate(err, "update user")
}

// revokeOnUpdate revokes the tokens c ends: all of them when the user is
// disabled, all but the kept one on a new password.
func (s *Store) revokeOnUpdate(tx *gorm.DB, userID int64, c UserChange) (int64, error) {
	q := tx.Model(&APIToken{}).Where("user_id = ? AND revoked_at IS NULL", userID)
	switch {
	case c.Disabled != nil && *c.Disabled:
	case c.PasswordHash != nil:
		q = q.Where("token_hash <> ?", c.KeepTokenHash)
	default:
		return 0, nil
	}
	res := q.Update("revoked_at", s.nowUTC())
	return res.RowsAffected, res.Error
}

// CreateToken adds an API token for a user.
func (s *Store) CreateToken(ctx context.Context, userID int64, name, hash, actor string) (APIToken, error) {
	tok := APIToken{UserID: userID, Name: name, TokenHash: hash}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&tok).Error; err != nil {
			return err
		}
		return s.audit(tx, AuditEvent{Actor: actor, EntityType: EntityUser, EntityID: userID,
			Action: "token_created", Detail: name})
	})
	return tok, translate(err, "create token")
}

// ListTokens returns a user's tokens, newest first (hashes included; callers never show them).
func (s *Store) ListTokens(ctx context.Context, userID int64) ([]APIToken, error) {
	var ts []APIToken
	err := s.db.WithContext(ctx).Where("user_id = ?", userID).Order("id DESC").Find(&ts).Error
	return ts, translate(err, "list tokens")
}

// GetToken returns one token.
func (s *Store) GetToken(ctx context.Context, id int64) (APIToken, error) {
	var t APIToken
	err := s.db.WithContext(ctx).First(&t, id).Error
	return t, translate(err, "get token")
}

// RevokeToken stops a token working; revoking twice is fine.
func (s *Store) RevokeToken(ctx context.Context, id int64, actor string) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var t APIToken
		if err := tx.First(&t, id).Error; err != nil {
			return err
		}
		if t.RevokedAt != nil {
			return nil
		}
		if err := tx.Model(&APIToken{}).Where("id = ?", id).Update("revoked_at", s.nowUTC()).Error; err != nil {
			return err
		}
		return s.audit(tx, AuditEvent{Actor: actor, EntityType: EntityUser, EntityID: t.UserID,
			Action: "token_revoked", Detail: t.Name})
	})
	return translate(err, "revoke token")
}

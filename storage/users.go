package storage

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// EnvAdminTokenName names the token row that mirrors LOA_ADMIN_TOKEN.
const EnvAdminTokenName = "LOA_ADMIN_TOKEN"

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
		u := User{Name: name, Role: RoleAdmin}
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
		u := User{Name: "admin", Role: RoleAdmin}
		if err := tx.Where("name = ? AND role = ?", u.Name, RoleAdmin).FirstOrCreate(&u).Error; err != nil {
			return err
		}
		return tx.Create(&APIToken{UserID: u.ID, Name: EnvAdminTokenName, TokenHash: tokenHash}).Error
	})
	return translate(err, "ensure admin token")
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
	u := User{Name: name, Role: role}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&u).Error; err != nil {
			return err
		}
		return tx.Create(&APIToken{UserID: u.ID, Name: "token for " + name, TokenHash: tokenHash}).Error
	})
	return u, translate(err, "create user")
}

// UserByTokenHash returns the user holding the unrevoked token with hash.
func (s *Store) UserByTokenHash(ctx context.Context, hash string) (User, error) {
	var tok APIToken
	err := s.db.WithContext(ctx).Where("token_hash = ? AND revoked_at IS NULL", hash).First(&tok).Error
	if err != nil {
		return User{}, translate(err, "find token")
	}
	var u User
	if err := s.db.WithContext(ctx).First(&u, tok.UserID).Error; err != nil {
		return User{}, translate(err, fmt.Sprintf("find user %d", tok.UserID))
	}
	return u, nil
}

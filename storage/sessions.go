package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Session is a signed-in web UI session. IDHash is the SHA-256 of the
// random id in the cookie.
type Session struct {
	ID         int64
	IDHash     string
	UserID     int64
	CSRFToken  string `gorm:"column:csrf_token"`
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
	RevokedAt  *time.Time
}

func (Session) TableName() string { return "web_sessions" }

// SetupLink is a one-time link to set a user's password.
type SetupLink struct {
	ID        int64
	TokenHash string
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (SetupLink) TableName() string { return "setup_links" }

// ErrLinkUsed is returned for a set-password link that is unknown, used or expired.
var ErrLinkUsed = errors.New("storage: set-password link unknown, used or expired")

// CreateSession stores a new session for userID.
func (s *Store) CreateSession(ctx context.Context, userID int64, idHash, csrf string, ttl time.Duration) (Session, error) {
	now := s.nowUTC()
	sess := Session{IDHash: idHash, UserID: userID, CSRFToken: csrf, CreatedAt: now, ExpiresAt: now.Add(ttl), LastSeenAt: now}
	err := s.db.WithContext(ctx).Create(&sess).Error
	return sess, translate(err, "create session")
}

// SessionByHash returns the live session with idHash and its enabled user;
// a revoked or expired session, or a disabled user, is ErrNotFound.
func (s *Store) SessionByHash(ctx context.Context, idHash string) (Session, User, error) {
	now := s.nowUTC()
	var sess Session
	err := s.db.WithContext(ctx).Where("id_hash = ? AND revoked_at IS NULL AND expires_at > ?", idHash, now).First(&sess).Error
	if err != nil {
		return Session{}, User{}, translate(err, "find session")
	}
	var u User
	err = s.db.WithContext(ctx).Where("id = ? AND disabled_at IS NULL", sess.UserID).First(&u).Error
	if err != nil {
		return Session{}, User{}, translate(err, fmt.Sprintf("find user %d", sess.UserID))
	}
	if now.Sub(sess.LastSeenAt) >= time.Minute {
		s.db.WithContext(ctx).Model(&Session{}).Where("id = ?", sess.ID).Update("last_seen_at", now)
	}
	return sess, u, nil
}

// RevokeSession ends the session with idHash.
func (s *Store) RevokeSession(ctx context.Context, idHash string) error {
	err := s.db.WithContext(ctx).Model(&Session{}).Where("id_hash = ? AND revoked_at IS NULL", idHash).
		Update("revoked_at", s.nowUTC()).Error
	return translate(err, "revoke session")
}

// revokeSessions ends every live session of userID.
func (s *Store) revokeSessions(tx *gorm.DB, userID int64) error {
	return tx.Model(&Session{}).Where("user_id = ? AND revoked_at IS NULL", userID).
		Update("revoked_at", s.nowUTC()).Error
}

// CreateSetupLink stores a one-time set-password link for userID.
func (s *Store) CreateSetupLink(ctx context.Context, userID int64, tokenHash string, ttl time.Duration) error {
	now := s.nowUTC()
	err := s.db.WithContext(ctx).Create(&SetupLink{TokenHash: tokenHash, UserID: userID, CreatedAt: now, ExpiresAt: now.Add(ttl)}).Error
	return translate(err, "create set-password link")
}

// SetupLinkUser returns the user of a live link (unused, unexpired), or ErrLinkUsed.
func (s *Store) SetupLinkUser(ctx context.Context, tokenHash string) (User, error) {
	var l SetupLink
	err := s.db.WithContext(ctx).Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", tokenHash, s.nowUTC()).First(&l).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return User{}, ErrLinkUsed
	}
	if err != nil {
		return User{}, translate(err, "find set-password link")
	}
	return s.GetUser(ctx, l.UserID)
}

// UseSetupLink spends a live link and sets its user's password hash in
// one transaction; a link is used once. Other sessions of the user end.
func (s *Store) UseSetupLink(ctx context.Context, tokenHash, passwordHash string) (User, error) {
	var u User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.nowUTC()
		var l SetupLink
		if err := tx.Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", tokenHash, now).First(&l).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrLinkUsed
			}
			return err
		}
		res := tx.Model(&SetupLink{}).Where("id = ? AND used_at IS NULL", l.ID).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrLinkUsed
		}
		if err := tx.Where("id = ? AND disabled_at IS NULL", l.UserID).First(&u).Error; err != nil {
			return err
		}
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Update("password_hash", passwordHash).Error; err != nil {
			return err
		}
		if err := s.revokeSessions(tx, u.ID); err != nil {
			return err
		}
		return s.audit(tx, AuditEvent{Actor: u.Name, EntityType: EntityUser, EntityID: u.ID,
			Action: "updated", FromStatus: u.Role, ToStatus: u.Role, Detail: "password set by one-time link"})
	})
	if errors.Is(err, ErrLinkUsed) {
		return User{}, err
	}
	return u, translate(err, "use set-password link")
}

// PostTitles returns the titles of the posts with ids, for lists that show
// deliveries; callers pass ids they already read within their scope.
func (s *Store) PostTitles(ctx context.Context, ids []int64) (map[int64]string, error) {
	titles := map[int64]string{}
	if len(ids) == 0 {
		return titles, nil
	}
	var rows []struct {
		ID    int64
		Title string
	}
	err := s.db.WithContext(ctx).Model(&Post{}).Select("id, title").Where("id IN ?", ids).Find(&rows).Error
	for _, r := range rows {
		titles[r.ID] = r.Title
	}
	return titles, translate(err, "list post titles")
}

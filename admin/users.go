package admin

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/loa-vn/loa/notify"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// The password and name rule. Names and passwords are at most 200 bytes;
// the log-in refuses longer ones before any other work.
const (
	MinPasswordRunes = 10
	MaxPasswordBytes = 200
	MaxNameBytes     = 200
	maxNameRunes     = 100
)

// Roles are the roles a user may have, lowest first.
var Roles = []string{storage.RoleOfficer, storage.RoleEditor, storage.RoleAdmin}

// CheckRole refuses a role that is not one of Roles.
func CheckRole(role string) error {
	for _, r := range Roles {
		if role == r {
			return nil
		}
	}
	return invalid("role", "must be officer, editor or admin")
}

// UserName cleans a user name: plain text in NFC, 1–100 characters and at
// most 200 bytes.
func UserName(raw *string) (string, error) {
	if raw != nil && len(*raw) > MaxNameBytes {
		return "", invalid("name", fmt.Sprintf("is longer than %d bytes", MaxNameBytes))
	}
	name, err := requiredText("name", raw, maxNameRunes)
	if err == nil && len(name) > MaxNameBytes {
		err = invalid("name", fmt.Sprintf("is longer than %d bytes", MaxNameBytes))
	}
	return name, err
}

// CheckPassword is the one password rule: 10 characters to 200 bytes.
func CheckPassword(password string) error {
	if utf8.RuneCountInString(password) < MinPasswordRunes {
		return invalid("password", "must be at least 10 characters")
	}
	if len(password) > MaxPasswordBytes {
		return invalid("password", "is longer than 200 bytes")
	}
	return nil
}

// HashNewPassword checks password against the rule and hashes it.
func (s *Service) HashNewPassword(ctx context.Context, password string) (string, error) {
	if err := CheckPassword(password); err != nil {
		return "", err
	}
	return s.hasher.Hash(ctx, password)
}

// NewUser is a user to create. Nil fields were not given.
type NewUser struct {
	Name, Role *string
	// Password is optional: without one the user signs in once an admin
	// hands them a set-password link, or by token.
	Password *string
	// AgencyID is the user's agency; nil means the actor's own.
	AgencyID *int64
	// Email is where notifications are mailed; optional.
	Email *string
}

// CreateUser creates a user in an agency of the actor's subtree; an agency
// outside it is refused like one that does not exist.
func (s *Service) CreateUser(ctx context.Context, actor storage.User, in NewUser) (storage.User, error) {
	name, err := UserName(in.Name)
	if err != nil {
		return storage.User{}, err
	}
	if in.Role == nil {
		return storage.User{}, invalid("role", "is required: officer, editor or admin")
	}
	if err := CheckRole(*in.Role); err != nil {
		return storage.User{}, err
	}
	var hash string
	if in.Password != nil {
		if hash, err = s.HashNewPassword(ctx, *in.Password); err != nil {
			return storage.User{}, err
		}
	}
	email, err := userEmail(in.Email)
	if err != nil {
		return storage.User{}, err
	}
	agency, err := s.agencyFor(ctx, actor, in.AgencyID)
	if err != nil {
		return storage.User{}, err
	}
	if err := s.pub.Authorize(ctx, actor, publishing.ManageUsers, "agency", agency, 0); err != nil {
		return storage.User{}, err
	}
	u := storage.User{Name: name, Role: *in.Role, AgencyID: agency, PasswordHash: hash}
	if email != nil {
		u.Email = *email
	}
	if err := s.store.CreateUser(ctx, &u, publishing.ActorName(actor)); err != nil {
		if errors.Is(err, storage.ErrConflict) {
			return storage.User{}, ErrNameTaken
		}
		return storage.User{}, fmt.Errorf("admin: create user: %w", err)
	}
	return u, nil
}

// agencyFor is the agency a new user goes in (see publishing.Service.AgencyFor).
func (s *Service) agencyFor(ctx context.Context, actor storage.User, requested *int64) (int64, error) {
	var id int64
	if requested != nil {
		if *requested <= 0 {
			return 0, invalid("agency_id", "must be an agency id")
		}
		id = *requested
	}
	return s.pub.AgencyFor(ctx, actor, id)
}

// User returns user id if actor may do action to them; one outside the
// actor's agencies is a *publishing.NotFoundError like a missing one.
func (s *Service) User(ctx context.Context, actor storage.User, id int64, action publishing.Action) (storage.User, error) {
	u, err := s.store.GetUser(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return u, &publishing.NotFoundError{What: "user"}
	}
	if err != nil {
		return u, fmt.Errorf("admin: get user: %w", err)
	}
	return u, s.pub.Authorize(ctx, actor, action, "user", u.AgencyID, u.ID)
}

// Users lists the users of agency's subtree, which must be in the actor's.
func (s *Service) Users(ctx context.Context, actor storage.User, agency int64) ([]storage.User, error) {
	if err := s.pub.Authorize(ctx, actor, publishing.ManageUsers, "agency", agency, 0); err != nil {
		return nil, err
	}
	us, err := s.store.ListUsers(ctx, agency)
	if err != nil {
		return nil, fmt.Errorf("admin: list users: %w", err)
	}
	return us, nil
}

// UserChange is a change to a user; nil fields stay.
type UserChange struct {
	Name, Role, Password *string
	Disabled             *bool
	// Email is where notifications are mailed; "" removes it.
	Email *string
	// KeepTokenHash names the API token a user changing their own password
	// made the request with; it survives the change.
	KeepTokenHash string
}

// UpdateUser renames, changes the role or password of, disables or
// enables user id. Disabling and a new password end the user's tokens and
// sessions (storage does). Admins cannot demote or disable themselves, so a
// site always keeps an admin.
func (s *Service) UpdateUser(ctx context.Context, actor storage.User, id int64, c UserChange) (storage.User, error) {
	u, err := s.User(ctx, actor, id, publishing.ManageUsers)
	if err != nil {
		return u, err
	}
	change := storage.UserChange{Disabled: c.Disabled}
	if c.Name != nil {
		name, err := UserName(c.Name)
		if err != nil {
			return u, err
		}
		change.Name = &name
	}
	if c.Role != nil {
		if err := CheckRole(*c.Role); err != nil {
			return u, err
		}
		change.Role = c.Role
	}
	if change.Email, err = userEmail(c.Email); err != nil {
		return u, err
	}
	self := u.ID == actor.ID
	if self && (c.Role != nil && *c.Role != storage.RoleAdmin || c.Disabled != nil && *c.Disabled) {
		return u, ErrSelfLockout
	}
	if c.Password != nil {
		hash, err := s.HashNewPassword(ctx, *c.Password)
		if err != nil {
			return u, err
		}
		change.PasswordHash = &hash
	}
	if self {
		change.KeepTokenHash = c.KeepTokenHash
	}
	updated, err := s.store.UpdateUser(ctx, u.ID, change, publishing.ActorName(actor))
	if errors.Is(err, storage.ErrConflict) {
		return u, ErrNameTaken
	}
	if err != nil {
		return u, fmt.Errorf("admin: update user: %w", err)
	}
	return updated, nil
}

// userEmail checks a requested e-mail address (nil: unchanged).
func userEmail(raw *string) (*string, error) {
	if raw == nil {
		return nil, nil
	}
	email, err := notify.CleanEmail(*raw)
	if err != nil {
		return nil, invalid("email", err.Error())
	}
	return &email, nil
}

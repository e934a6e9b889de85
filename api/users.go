package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/notify"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

const minPasswordRunes = 10

type userView struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	Role        string     `json:"role"`
	AgencyID    int64      `json:"agency_id"`
	Email       string     `json:"email"`
	HasPassword bool       `json:"has_password"`
	Disabled    bool       `json:"disabled"`
	DisabledAt  *time.Time `json:"disabled_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

func viewUser(u storage.User) userView {
	return userView{ID: u.ID, Name: u.Name, Role: u.Role, AgencyID: u.AgencyID, Email: u.Email, HasPassword: u.PasswordHash != "",
		Disabled: u.DisabledAt != nil, DisabledAt: u.DisabledAt, CreatedAt: u.CreatedAt.UTC()}
}

type tokenView struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	// Token is present only in the response that creates it.
	Token string `json:"token,omitempty"`
}

func viewToken(t storage.APIToken) tokenView {
	return tokenView{ID: t.ID, UserID: t.UserID, Name: t.Name, CreatedAt: t.CreatedAt.UTC(),
		LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt}
}

type userRequest struct {
	Name     *string `json:"name"`
	Role     *string `json:"role"`
	Password *string `json:"password"`
	Disabled *bool   `json:"disabled"`
	AgencyID *int64  `json:"agency_id"`
	// Email is where notifications are mailed; "" removes it.
	Email *string `json:"email"`
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

func checkRole(role *string) (*string, error) {
	if role == nil {
		return nil, nil
	}
	if _, ok := roleRank[*role]; !ok {
		return nil, invalid("role", "must be officer, editor or admin")
	}
	return role, nil
}

// Names and passwords are at most 200 bytes; longer ones are refused
// before any other work, log-in included.
const (
	maxNameBytes     = 200
	maxPasswordBytes = 200
)

func (s *Server) hashNewPassword(ctx context.Context, password *string) (*string, error) {
	if password == nil {
		return nil, nil
	}
	if utf8.RuneCountInString(*password) < minPasswordRunes {
		return nil, invalid("password", "must be at least 10 characters")
	}
	if len(*password) > maxPasswordBytes {
		return nil, invalid("password", "is longer than 200 bytes")
	}
	hash, err := s.hashers.hash(ctx, *password)
	return &hash, err
}

var errNameTaken = &Error{Status: http.StatusConflict, Code: "conflict",
	Message: "a user with this name (ignoring case and Unicode form) already exists"}

// userName cleans a user name: plain text in NFC, 1–100 characters and
// at most 200 bytes.
func userName(raw *string) (string, error) {
	if raw != nil && len(*raw) > maxNameBytes {
		return "", invalid("name", "is longer than 200 bytes")
	}
	name, err := requiredText("name", raw, 100, "")
	if err == nil && len(name) > maxNameBytes {
		err = invalid("name", "is longer than 200 bytes")
	}
	return name, err
}

func (s *Server) createUser(c echo.Context) error {
	var req userRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	name, err := userName(req.Name)
	if err != nil {
		return err
	}
	if req.Role == nil {
		return invalid("role", "is required: officer, editor or admin")
	}
	role, err := checkRole(req.Role)
	if err != nil {
		return err
	}
	hash, err := s.hashNewPassword(c.Request().Context(), req.Password)
	if err != nil {
		return err
	}
	agency, err := s.agencyFor(c, req.AgencyID)
	if err != nil {
		return err
	}
	email, err := userEmail(req.Email)
	if err != nil {
		return err
	}
	u := storage.User{Name: name, Role: *role, AgencyID: agency}
	if email != nil {
		u.Email = *email
	}
	if hash != nil {
		u.PasswordHash = *hash
	}
	if err := s.store.CreateUser(c.Request().Context(), &u, actor(c)); err != nil {
		if errors.Is(err, storage.ErrConflict) {
			return errNameTaken
		}
		return err
	}
	return c.JSON(http.StatusCreated, viewUser(u))
}

func (s *Server) listUsers(c echo.Context) error {
	agency, ok, err := s.listAgency(c)
	if err != nil {
		return err
	}
	var us []storage.User
	if ok {
		if us, err = s.store.ListUsers(c.Request().Context(), agency); err != nil {
			return err
		}
	}
	items := make([]userView, len(us))
	for i, u := range us {
		items[i] = viewUser(u)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// loadUser returns the user in the path if the caller may do action to
// them; one outside the caller's agencies is 404 like a missing one.
func (s *Server) loadUser(c echo.Context, action publishing.Action) (storage.User, error) {
	id, err := pathID(c, "id", "user")
	if err != nil {
		return storage.User{}, err
	}
	u, err := s.store.GetUser(c.Request().Context(), id)
	if errors.Is(err, storage.ErrNotFound) {
		return u, notFound("user")
	}
	if err != nil {
		return u, err
	}
	return u, s.authorize(c, action, "user", u.AgencyID, u.ID)
}

func (s *Server) getUser(c echo.Context) error {
	u, err := s.loadUser(c, publishing.ManageUsers)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewUser(u))
}

// updateUser changes a user's name, role, password or disabled state. Admins
// cannot demote or disable themselves, so a site always keeps an admin.
func (s *Server) updateUser(c echo.Context) error {
	u, err := s.loadUser(c, publishing.ManageUsers)
	if err != nil {
		return err
	}
	var req userRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := noAgencyChange(req.AgencyID); err != nil {
		return err
	}
	change := storage.UserChange{Disabled: req.Disabled}
	if req.Name != nil {
		name, err := userName(req.Name)
		if err != nil {
			return err
		}
		change.Name = &name
	}
	if change.Role, err = checkRole(req.Role); err != nil {
		return err
	}
	if change.Email, err = userEmail(req.Email); err != nil {
		return err
	}
	self := u.ID == currentUser(c).ID
	if self && (req.Role != nil && *req.Role != storage.RoleAdmin || req.Disabled != nil && *req.Disabled) {
		return &Error{Status: http.StatusConflict, Code: "self_lockout", Message: "you cannot demote or disable yourself; ask another admin"}
	}
	if change.PasswordHash, err = s.hashNewPassword(c.Request().Context(), req.Password); err != nil {
		return err
	}
	if self {
		// Changing your own password ends your other sessions, not this one.
		change.KeepTokenHash, _ = c.Get(tokenHashKey).(string)
	}
	updated, err := s.store.UpdateUser(c.Request().Context(), u.ID, change, actor(c))
	if errors.Is(err, storage.ErrConflict) {
		return errNameTaken
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewUser(updated))
}

// canManageTokensOf asks the policy whether the caller may manage userID's
// tokens: admins anyone's, others their own.
func canManageTokensOf(c echo.Context, userID int64) bool {
	return publishing.Allowed(currentUser(c), publishing.ManageTokens, publishing.Subject{OwnerID: userID}) == nil
}

func (s *Server) listTokens(c echo.Context) error {
	id, err := pathID(c, "id", "user")
	if err != nil {
		return err
	}
	if !canManageTokensOf(c, id) {
		return forbidden("you can list only your own tokens")
	}
	u, err := s.loadUser(c, publishing.ManageTokens)
	if err != nil {
		return err
	}
	// agency_id narrows here too: a user outside it has none to show.
	agency, ok, err := s.listAgency(c)
	if err == nil && ok {
		ok, err = s.store.IsInSubtree(c.Request().Context(), agency, u.AgencyID)
	}
	if err != nil {
		return err
	}
	var ts []storage.APIToken
	if ok {
		if ts, err = s.store.ListTokens(c.Request().Context(), id); err != nil {
			return err
		}
	}
	items := make([]tokenView, len(ts))
	for i, t := range ts {
		items[i] = viewToken(t)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

type tokenRequest struct {
	Name *string `json:"name"`
}

// createToken issues an API token; it is shown once, only its hash is kept.
func (s *Server) createToken(c echo.Context) error {
	id, err := pathID(c, "id", "user")
	if err != nil {
		return err
	}
	if !canManageTokensOf(c, id) {
		return forbidden("you can create tokens only for yourself")
	}
	u, err := s.loadUser(c, publishing.ManageTokens)
	if err != nil {
		return err
	}
	var req tokenRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	name, err := requiredText("name", req.Name, 100, "(e.g. the device or script using it)")
	if err != nil {
		return err
	}
	return s.issueToken(c, u, name, http.StatusCreated)
}

func (s *Server) issueToken(c echo.Context, u storage.User, name string, status int) error {
	token := NewToken()
	t, err := s.store.CreateToken(c.Request().Context(), u.ID, name, HashToken(token), actor(c))
	if err != nil {
		return err
	}
	v := viewToken(t)
	v.Token = token
	return c.JSON(status, v)
}

func (s *Server) revokeToken(c echo.Context) error {
	id, err := pathID(c, "id", "token")
	if err != nil {
		return err
	}
	t, err := s.store.GetToken(c.Request().Context(), id)
	if errors.Is(err, storage.ErrNotFound) || err == nil && !canManageTokensOf(c, t.UserID) {
		return notFound("token")
	}
	if err != nil {
		return err
	}
	owner, err := s.store.GetUser(c.Request().Context(), t.UserID)
	if err != nil {
		return err
	}
	if err := s.authorize(c, publishing.ManageTokens, "token", owner.AgencyID, owner.ID); err != nil {
		return err
	}
	if err := s.store.RevokeToken(c.Request().Context(), id, actor(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type loginRequest struct {
	Name     *string `json:"name"`
	Password *string `json:"password"`
}

// CheckLogin is the one log-in check, for the API and the web pages: the
// attempt is counted before the password is checked (see loginlimit.go),
// by the client address ClientIP gives, and the check waits for one of the
// bounded password hashers. Errors: *Error with 429 (too many attempts,
// RetryAfter set), 401 (wrong name or password, whichever it was), or the
// hashers' busy error; a name or password over 200 bytes is refused (422)
// before any other work.
func (s *Server) CheckLogin(c echo.Context, rawName, password string) (storage.User, error) {
	if len(rawName) > maxNameBytes {
		return storage.User{}, invalid("name", "is longer than 200 bytes")
	}
	if len(password) > maxPasswordBytes {
		return storage.User{}, invalid("password", "is longer than 200 bytes")
	}
	name := content.NFC(strings.TrimSpace(rawName))
	attempt, wait, ok := s.logins.take(storage.NameKey(name), c.RealIP())
	if !ok {
		return storage.User{}, &Error{Status: http.StatusTooManyRequests, Code: "too_many_attempts", RetryAfter: wait,
			Message: "too many failed log-ins; wait a minute and try again"}
	}
	ctx := c.Request().Context()
	u, err := s.store.UserByName(ctx, name)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return storage.User{}, err
	}
	hash := u.PasswordHash
	if hash == "" {
		hash = s.dummyHash
	}
	match, err := s.hashers.check(ctx, hash, password)
	if errors.Is(err, errHashersBusy) {
		return storage.User{}, err // counted all the same: flooding the hashers buys no free attempts
	}
	if !match || u.PasswordHash == "" || u.DisabledAt != nil {
		return storage.User{}, &Error{Status: http.StatusUnauthorized, Code: "invalid_credentials", Message: "wrong name or password"}
	}
	s.logins.succeeded(attempt)
	return u, nil
}

// HashNewPassword checks a new password against the one password rule
// (10 characters to 200 bytes; otherwise an *Error with Field "password") and hashes it on one
// of the bounded hashers.
func (s *Server) HashNewPassword(ctx context.Context, password string) (string, error) {
	h, err := s.hashNewPassword(ctx, &password)
	if err != nil {
		return "", err
	}
	return *h, nil
}

// login exchanges a name and password for a new API token. The attempt is
// counted before the password is checked (see loginlimit.go), and the
// check waits for one of the bounded password hashers.
func (s *Server) login(c echo.Context) error {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	rawName, password := deref(req.Name), deref(req.Password)
	u, err := s.CheckLogin(c, rawName, password)
	if err != nil {
		return err
	}
	c.Set(userKey, u)
	return s.issueToken(c, u, "log-in "+s.now().UTC().Format("2006-01-02 15:04"), http.StatusOK)
}

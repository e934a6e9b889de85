package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/admin"
	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

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

// createUser creates a user (see admin.Service.CreateUser).
func (s *Server) createUser(c echo.Context) error {
	var req userRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.admin.CreateUser(c.Request().Context(), currentUser(c),
		admin.NewUser{Name: req.Name, Role: req.Role, Password: req.Password, AgencyID: req.AgencyID, Email: req.Email})
	if err != nil {
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
		if us, err = s.admin.Users(c.Request().Context(), currentUser(c), agency); err != nil {
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
	return s.admin.User(c.Request().Context(), currentUser(c), id, action)
}

func (s *Server) getUser(c echo.Context) error {
	u, err := s.loadUser(c, publishing.ManageUsers)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewUser(u))
}

// updateUser changes a user's name, role, password or disabled state (see
// admin.Service.UpdateUser); the user is looked up before the body is read.
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
	// Changing your own password ends your other sessions, not this one.
	keep, _ := c.Get(tokenHashKey).(string)
	updated, err := s.admin.UpdateUser(c.Request().Context(), currentUser(c), u.ID, admin.UserChange{
		Name: req.Name, Role: req.Role, Password: req.Password, Disabled: req.Disabled, Email: req.Email, KeepTokenHash: keep})
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
	if len(rawName) > admin.MaxNameBytes {
		return storage.User{}, invalid("name", "is longer than 200 bytes")
	}
	if len(password) > admin.MaxPasswordBytes {
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
// (admin.CheckPassword; otherwise an *Error with Field "password") and
// hashes it on one of the bounded hashers.
func (s *Server) HashNewPassword(ctx context.Context, password string) (string, error) {
	h, err := s.admin.HashNewPassword(ctx, password)
	var bad *publishing.InvalidError
	if errors.As(err, &bad) {
		return "", invalid(bad.Field, bad.Message)
	}
	return h, err
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

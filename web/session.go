package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/storage"
)

const (
	sessionCookie = "loa_session"
	// preSessionCookie carries the CSRF token of forms shown before a
	// session exists (log-in, set password): the form's hidden field must
	// match it.
	preSessionCookie = "loa_form"
	csrfField        = "csrf_token"
	userKey          = "web.user"
	sessionKey       = "web.session"
)

// randomToken returns 32 random bytes, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (p *Pages) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: p.secure}
}

// session loads the session of the request's cookie; ok is false when
// there is no live one.
func (p *Pages) session(c echo.Context) (storage.Session, storage.User, bool, error) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return storage.Session{}, storage.User{}, false, nil
	}
	sess, u, err := p.store.SessionByHash(c.Request().Context(), api.HashToken(ck.Value))
	if errors.Is(err, storage.ErrNotFound) {
		return storage.Session{}, storage.User{}, false, nil
	}
	return sess, u, err == nil, err
}

// SessionUser is the user signed in with the request's session cookie,
// for the API's routes that a browser opens (api.Pages).
func (p *Pages) SessionUser(c echo.Context) (storage.User, bool, error) {
	_, u, ok, err := p.session(c)
	return u, ok, err
}

// signedIn loads the session from its cookie; without a live one, a page
// redirects to /login and a form is refused with 403.
func (p *Pages) signedIn(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, u, ok, err := p.session(c)
		if err != nil {
			return p.failed(c, err)
		}
		if ok {
			c.Set(sessionKey, sess)
			c.Set(userKey, u)
			return next(c)
		}
		if c.Request().Method == http.MethodGet || c.Request().Method == http.MethodHead {
			return c.Redirect(http.StatusSeeOther, "/login")
		}
		return p.message(c, http.StatusForbidden, "Chưa đăng nhập",
			"Phiên làm việc đã hết hạn hoặc chưa đăng nhập, nên yêu cầu không được thực hiện. Vui lòng đăng nhập lại rồi thử lại.")
	}
}

func currentUser(c echo.Context) storage.User {
	u, _ := c.Get(userKey).(storage.User)
	return u
}

func currentSession(c echo.Context) storage.Session {
	s, _ := c.Get(sessionKey).(storage.Session)
	return s
}

// refuseCSRF is the answer to a form without its session's token.
func (p *Pages) refuseCSRF(c echo.Context) error {
	return p.message(c, http.StatusForbidden, "Yêu cầu bị từ chối",
		"Biểu mẫu không hợp lệ hoặc đã cũ, nên không có thay đổi nào được thực hiện. Vui lòng tải lại trang rồi thử lại.")
}

// checkCSRF refuses a state-changing request whose csrf_token is not the
// session's own (after signedIn).
func (p *Pages) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		want := currentSession(c).CSRFToken
		if want == "" || !sameToken(c.FormValue(csrfField), want) {
			return p.refuseCSRF(c)
		}
		return next(c)
	}
}

// checkPreSessionCSRF refuses a form shown before sign-in whose csrf_token
// does not match its cookie.
func (p *Pages) checkPreSessionCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(preSessionCookie)
		if err != nil || ck.Value == "" || !sameToken(c.FormValue(csrfField), ck.Value) {
			return p.refuseCSRF(c)
		}
		return next(c)
	}
}

func sameToken(got, want string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// preSessionToken returns the form token of a signed-out visitor, setting
// its cookie when there is none.
func (p *Pages) preSessionToken(c echo.Context) string {
	if ck, err := c.Cookie(preSessionCookie); err == nil && len(ck.Value) >= 32 {
		return ck.Value
	}
	t := randomToken()
	c.SetCookie(p.cookie(preSessionCookie, t, 3600))
	return t
}

type loginView struct {
	Name  string
	Error string
}

func (p *Pages) loginPage(c echo.Context) error {
	return p.render(c, http.StatusOK, "login", view{Title: "Đăng nhập", CSRF: p.preSessionToken(c)})
}

// login signs in through the API's one log-in check and starts a session.
func (p *Pages) login(c echo.Context) error {
	name := c.FormValue("name")
	u, err := p.logins.CheckLogin(c, name, c.FormValue("password"))
	if err != nil {
		status, msg := http.StatusInternalServerError, "Lỗi hệ thống: chưa đăng nhập được. Vui lòng thử lại sau ít phút."
		var apiErr *api.Error
		if errors.As(err, &apiErr) {
			switch apiErr.Status {
			case http.StatusTooManyRequests:
				status, msg = http.StatusTooManyRequests, "Đăng nhập sai quá nhiều lần. Vui lòng chờ một phút rồi thử lại."
				secs := int64((apiErr.RetryAfter + time.Second - 1) / time.Second)
				c.Response().Header().Set("Retry-After", strconv.FormatInt(max(secs, 1), 10))
			case http.StatusUnauthorized, http.StatusUnprocessableEntity:
				status, msg = http.StatusUnauthorized, "Tên đăng nhập hoặc mật khẩu không đúng. Vui lòng kiểm tra rồi thử lại."
			case http.StatusServiceUnavailable:
				status, msg = http.StatusServiceUnavailable, "Hệ thống đang bận. Vui lòng thử lại sau ít phút."
			}
		} else {
			p.log.Error("web: log-in failed", "err", err)
		}
		if len(name) > 200 {
			name = ""
		}
		return p.render(c, status, "login", view{Title: "Đăng nhập", CSRF: p.preSessionToken(c),
			Data: loginView{Name: name, Error: msg}})
	}
	return p.startSession(c, u)
}

// startSession ends the visitor's old session, if any, and starts one for u.
func (p *Pages) startSession(c echo.Context, u storage.User) error {
	ctx := c.Request().Context()
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
		if err := p.store.RevokeSession(ctx, api.HashToken(ck.Value)); err != nil {
			return p.failed(c, err)
		}
	}
	id := randomToken()
	if _, err := p.store.CreateSession(ctx, u.ID, api.HashToken(id), randomToken(), p.ttl); err != nil {
		return p.failed(c, err)
	}
	p.log.Info("web: signed in", "user_id", u.ID)
	c.SetCookie(p.cookie(sessionCookie, id, int(p.ttl/time.Second)))
	c.SetCookie(p.cookie(preSessionCookie, "", -1))
	return c.Redirect(http.StatusSeeOther, "/")
}

func (p *Pages) logout(c echo.Context) error {
	if err := p.store.RevokeSession(c.Request().Context(), currentSession(c).IDHash); err != nil {
		return p.failed(c, err)
	}
	c.SetCookie(p.cookie(sessionCookie, "", -1))
	return c.Redirect(http.StatusSeeOther, "/login")
}

// failed logs err and answers with a Vietnamese error page.
func (p *Pages) failed(c echo.Context, err error) error {
	p.log.Error("web: request failed", "path", c.Path(), "err", err)
	return p.message(c, http.StatusInternalServerError, "Lỗi hệ thống",
		"Không thực hiện được yêu cầu do lỗi hệ thống. Vui lòng thử lại sau ít phút; nếu vẫn lỗi, hãy báo quản trị viên.")
}

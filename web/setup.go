package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/storage"
)

// SetupLinkTTL is how long a set-password link stays valid.
const SetupLinkTTL = 24 * time.Hour

// NewSetupLink stores a one-time link for userID to set a password and
// returns its path, "/setup/<token>"; only the token's hash is kept.
func NewSetupLink(ctx context.Context, store *storage.Store, userID int64) (string, error) {
	token := randomToken()
	if err := store.CreateSetupLink(ctx, userID, api.HashToken(token), SetupLinkTTL); err != nil {
		return "", fmt.Errorf("web: create set-password link: %w", err)
	}
	return "/setup/" + token, nil
}

type setupView struct {
	Name  string
	Path  string
	Error string
}

func (p *Pages) linkGone(c echo.Context) error {
	return p.message(c, http.StatusNotFound, "Liên kết không còn hiệu lực",
		"Liên kết đặt mật khẩu này không đúng, đã được dùng hoặc đã hết hạn (hiệu lực 24 giờ). Hãy nhờ quản trị viên tạo liên kết mới.")
}

func (p *Pages) setupPage(c echo.Context) error {
	token := c.Param("token")
	u, err := p.store.SetupLinkUser(c.Request().Context(), api.HashToken(token))
	if errors.Is(err, storage.ErrLinkUsed) || errors.Is(err, storage.ErrNotFound) {
		return p.linkGone(c)
	}
	if err != nil {
		return p.failed(c, err)
	}
	return p.render(c, http.StatusOK, "setup", view{Title: "Đặt mật khẩu", CSRF: p.preSessionToken(c),
		Data: setupView{Name: u.Name, Path: "/setup/" + token}})
}

// setup sets the link's user's password, spends the link and signs in.
func (p *Pages) setup(c echo.Context) error {
	token := c.Param("token")
	hash := api.HashToken(token)
	ctx := c.Request().Context()
	u, err := p.store.SetupLinkUser(ctx, hash)
	if errors.Is(err, storage.ErrLinkUsed) || errors.Is(err, storage.ErrNotFound) {
		return p.linkGone(c)
	}
	if err != nil {
		return p.failed(c, err)
	}
	password, again := c.FormValue("password"), c.FormValue("password_again")
	retry := func(msg string) error {
		return p.render(c, http.StatusUnprocessableEntity, "setup", view{Title: "Đặt mật khẩu", CSRF: p.preSessionToken(c),
			Data: setupView{Name: u.Name, Path: "/setup/" + token, Error: msg}})
	}
	if password != again {
		return retry("Hai lần nhập mật khẩu không khớp nhau.")
	}
	pwHash, err := p.logins.HashNewPassword(ctx, password)
	var bad *api.Error
	if errors.As(err, &bad) && bad.Field == "password" {
		return retry("Mật khẩu cần ít nhất 10 ký tự và không quá 200 byte.")
	}
	if err != nil {
		return p.failed(c, err)
	}
	u, err = p.store.UseSetupLink(ctx, hash, pwHash)
	if errors.Is(err, storage.ErrLinkUsed) || errors.Is(err, storage.ErrNotFound) {
		return p.linkGone(c)
	}
	if err != nil {
		return p.failed(c, err)
	}
	return p.startSession(c, u)
}

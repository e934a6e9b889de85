package web

import (
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/api"
)

// mountNotFound makes a page path that matches no route (or no method of
// its route) answer with a Vietnamese page instead of the API's JSON
// error. API, feed and health paths keep the JSON error: their callers
// are programs, not people.
func (p *Pages) mountNotFound(e *echo.Echo) {
	apiErrors := e.HTTPErrorHandler
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		var he *echo.HTTPError
		if c.Response().Committed || !isPagePath(c.Request().URL.Path) || !errors.As(err, &he) {
			apiErrors(err, c)
			return
		}
		switch he.Code {
		case http.StatusNotFound:
			err = p.notFound(c)
		case http.StatusMethodNotAllowed:
			err = p.wrongMethod(c)
		default:
			apiErrors(err, c)
			return
		}
		if err != nil {
			p.log.Error("web: render error page", "path", c.Request().URL.Path, "err", err)
		}
	}
}

// isPagePath reports whether a person's browser, not a program, is the
// expected caller of urlPath.
func isPagePath(urlPath string) bool {
	for _, prefix := range []string{"/api", "/feeds"} {
		if urlPath == prefix || strings.HasPrefix(urlPath, prefix+"/") {
			return false
		}
	}
	switch urlPath {
	case "/healthz", "/livez", "/readyz", "/metrics":
		return false
	}
	return true
}

// notFound is the Vietnamese 404 page; a signed-in visitor keeps the
// navigation, so the way back is one click.
func (p *Pages) notFound(c echo.Context) error {
	v := view{Title: "Không tìm thấy trang"}
	p.visitor(c, &v)
	return p.render(c, http.StatusNotFound, "notfound", v)
}

// wrongMethod answers a page address opened with a method it does not
// take (for example /logout typed into the address bar).
func (p *Pages) wrongMethod(c echo.Context) error {
	v := view{Title: "Không mở được địa chỉ này",
		Data: "Địa chỉ này chỉ dùng để gửi biểu mẫu, không mở trực tiếp được. Vui lòng quay lại trang trước rồi dùng nút trên trang."}
	p.visitor(c, &v)
	return p.render(c, http.StatusMethodNotAllowed, "message", v)
}

// visitor fills v's user and form token when the request carries a live
// session; an error page needs no sign-in, so any failure leaves v as is.
func (p *Pages) visitor(c echo.Context, v *view) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return
	}
	sess, u, err := p.store.SessionByHash(c.Request().Context(), api.HashToken(ck.Value))
	if err != nil {
		return
	}
	v.User, v.CSRF = &u, sess.CSRFToken
}

// assets serves Loa's static files; a missing file or a folder is the
// Vietnamese 404 page, not the file server's English text or a listing.
func assets(static fs.FS) echo.HandlerFunc {
	files := http.StripPrefix("/assets/", http.FileServer(http.FS(static)))
	return func(c echo.Context) error {
		name := strings.TrimPrefix(path.Clean("/"+c.Param("*")), "/")
		if info, err := fs.Stat(static, name); err != nil || info.IsDir() {
			return echo.ErrNotFound
		}
		files.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}

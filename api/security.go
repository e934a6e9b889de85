package api

import (
	"crypto/rand"
	"encoding/base64"

	"github.com/labstack/echo/v4"
)

// Content-Security-Policy for responses that are not pages (JSON, feeds):
// nothing may load, nothing may frame them.
const dataPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// pagePolicy is the CSP of an HTML page: scripts only from Loa's own
// files (never inline), its own stylesheet and inline style only by nonce,
// requests only back to Loa, images from the web (post bodies show them),
// sound only from Loa (radio editions),
// and never inside a frame.
func pagePolicy(nonce string) string {
	return "default-src 'none'; script-src 'self'; connect-src 'self'; img-src https: http: data: blob:; " +
		"style-src 'self' 'nonce-" + nonce + "'; font-src 'self'; media-src 'self'; " +
		"frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
}

const nonceKey = "loa.csp_nonce"

// securityHeaders sets on every response, errors included, what keeps a
// browser from sniffing a JSON or feed body into a page, from framing Loa,
// and from leaking its URLs to other sites.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", dataPolicy)
		return next(c)
	}
}

// pageNonce makes this response an HTML page: it gets a fresh nonce, which
// the page puts on its inline style (or script), and the page policy.
func pageNonce(c echo.Context) string {
	if n, ok := c.Get(nonceKey).(string); ok {
		return n
	}
	b := make([]byte, 18)
	rand.Read(b)
	n := base64.RawURLEncoding.EncodeToString(b)
	c.Set(nonceKey, n)
	c.Response().Header().Set("Content-Security-Policy", pagePolicy(n))
	return n
}

// PageNonce is pageNonce for the web UI's pages (package web).
func PageNonce(c echo.Context) string { return pageNonce(c) }

package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// NewToken returns a random API token.
func NewToken() string {
	b := make([]byte, 30)
	rand.Read(b)
	return "loa_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// HashToken is how API tokens are stored: they are long random strings, so a
// plain SHA-256 suffices (passwords would need a slow hash).
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

const (
	userKey      = "loa.user"
	tokenHashKey = "loa.token_hash" // of the token the request was made with
)

var roleRank = map[string]int{storage.RoleOfficer: 1, storage.RoleEditor: 2, storage.RoleAdmin: 3}

func unauthorized(msg string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: "unauthorized", Message: msg}
}

// authenticate resolves the bearer token to a user.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		header := c.Request().Header.Get(echo.HeaderAuthorization)
		scheme, token, ok := strings.Cut(header, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="loa"`)
			return unauthorized("send Authorization: Bearer <token>")
		}
		hash := HashToken(strings.TrimSpace(token))
		user, err := s.store.UserByTokenHash(c.Request().Context(), hash)
		if errors.Is(err, storage.ErrNotFound) {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="loa", error="invalid_token"`)
			return unauthorized("the token is not valid")
		}
		if err != nil {
			return err
		}
		c.Set(userKey, user)
		c.Set(tokenHashKey, hash)
		return next(c)
	}
}

// requireAction lets through users the policy allows to do a, on any
// object; the layer decides again for the object itself.
func requireAction(a publishing.Action) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := publishing.Allowed(currentUser(c), a, publishing.Subject{OwnerID: currentUser(c).ID}); err != nil {
				return err
			}
			return next(c)
		}
	}
}

func currentUser(c echo.Context) storage.User {
	u, _ := c.Get(userKey).(storage.User)
	return u
}

// actor names the user in the audit log.
func actor(c echo.Context) string {
	return publishing.ActorName(currentUser(c))
}

// ClientIP is the one rule for a request's client address: the peer's
// address, unless the peer is inside trusted (LOA_TRUSTED_PROXIES); then
// the rightmost X-Forwarded-For entry that is not itself a trusted proxy.
// Echo's defaults would also trust loopback, link-local and private peers,
// so that anyone on the same network could name any address; they are off.
func ClientIP(trusted []netip.Prefix) echo.IPExtractor {
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		p = p.Masked()
		opts = append(opts, echo.TrustIPRange(&net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

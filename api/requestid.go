package api

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/labstack/echo/v4"
)

// requestIDHeader carries a request's id in and out.
const requestIDHeader = echo.HeaderXRequestID

// requestIDKey is where requestID keeps the id in the Echo context.
const requestIDKey = "loa.request_id"

// maxRequestIDLen bounds an id taken from a client or proxy.
const maxRequestIDLen = 128

// requestID gives every request an id: a sane X-Request-Id from the
// client or a proxy is kept, so one id follows a request across
// services; anything else is replaced by a new random one. The id is
// sent back in X-Request-Id and goes into the request log line and
// error bodies.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(requestIDHeader)
		if !saneRequestID(id) {
			id = newRequestID()
		}
		c.Set(requestIDKey, id)
		c.Response().Header().Set(requestIDHeader, id)
		return next(c)
	}
}

// saneRequestID reports whether id is 1 to maxRequestIDLen visible ASCII
// characters: nothing that could forge a log line or a header.
func saneRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// RequestID is the id requestID gave c's request, or "".
func RequestID(c echo.Context) string {
	id, _ := c.Get(requestIDKey).(string)
	return id
}

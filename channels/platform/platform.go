// Package platform holds the HTTP mechanics shared by the adapters that call
// a remote platform: a client that does not follow redirects, sending while
// noting whether the request was fully written, bounded reading of answers,
// Retry-After, and the JSON conventions of request and answer bodies.
//
// What an answer means stays in each adapter: platforms differ in which
// statuses and error codes can be retried and in how failures are worded.
package platform

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/outbound"
	"github.com/loa-vn/loa/secrets"
)

// NoRedirects returns a copy of c that hands 3xx responses back instead of
// following them: following would turn a POST into a GET (301/302/303) or
// carry credentials to a host nobody configured. A nil c stands for a new
// client with the given timeout. The copy leaves a shared client untouched.
func NoRedirects(c *http.Client, timeout time.Duration) *http.Client {
	if c == nil {
		c = &http.Client{Timeout: timeout}
	}
	cp := *c
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

// Do sends req with client and reports whether the whole request reached
// the connection, which decides between "never sent" and "maybe received"
// when no response comes back.
func Do(client *http.Client, req *http.Request) (resp *http.Response, written bool, err error) {
	var wrote atomic.Bool // set from the transport's writer goroutine
	trace := &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				wrote.Store(true)
			}
		},
	}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	resp, err = client.Do(req)
	return resp, wrote.Load(), err
}

// Unanswered classifies a request that got no response. An address the
// outbound guard refused stays refused until an administrator changes the
// channel or LOA_ALLOW_PRIVATE_TARGETS, so it is permanent. Otherwise,
// before the request was fully written (DNS, refused connection, TLS) the
// platform cannot have acted on it, so it is worth retrying; after, it may
// have, so the outcome is ambiguous. Callers pass written as false for
// requests that change nothing, which are always safe to repeat.
func Unanswered(err error, written bool) *channels.Error {
	if errors.Is(err, outbound.ErrBlocked) {
		return channels.Permanent(err)
	}
	if written {
		return channels.Ambiguous(err)
	}
	return channels.Retryable(err, 0)
}

// ScrubURLError takes the credentials out of the URL an *url.Error quotes:
// net/http drops the password but keeps a user name, which in
// https://token@host is the secret itself.
func ScrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = secrets.WithoutURLCredentials(ue.URL)
	}
	return err
}

// ReadBody reads r up to limit bytes; the rest is left unread, so an
// endless or huge answer cannot exhaust memory.
func ReadBody(r io.Reader, limit int64) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r, limit))
}

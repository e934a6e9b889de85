package sources

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"github.com/loa-vn/loa/outbound"
)

// Fetcher defaults.
const (
	DefaultMaxBytes  = 5 << 20 // 5 MiB: real agency feeds are well under 1 MiB
	DefaultTimeout   = 20 * time.Second
	DefaultUserAgent = "Loa/1.0 (+https://github.com/loa-vn/loa)"
)

// acceptHeader asks for feeds first; some portals serve the same path as
// HTML or XML depending on Accept.
const acceptHeader = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"

// Validators are the HTTP cache validators of the last successful fetch.
// Sending them back lets the server answer 304 instead of the whole feed.
type Validators struct {
	ETag         string
	LastModified string
}

// FetchResult is the outcome of a successful fetch.
type FetchResult struct {
	// NotModified is true when the server answered 304: Body is empty and
	// the previous items are still current.
	NotModified bool
	Body        []byte
	// Validators to send next time. On 304 they are the previous ones,
	// updated with any the server sent, so the caller can always store them.
	Validators Validators
	// FinalURL is the address after redirects, without credentials. Parse
	// resolves relative links against it.
	FinalURL string
}

// FetcherOptions configure a Fetcher; zero values take the defaults.
type FetcherOptions struct {
	// Client is used as given, including its TLS settings and redirect
	// policy. Nil means the outbound guard's client with no private range
	// allowed: it verifies certificates, and checks every address it
	// connects to and every redirect hop.
	Client    *http.Client
	MaxBytes  int64
	Timeout   time.Duration
	UserAgent string
}

// Fetcher downloads feeds with a size and time bound.
type Fetcher struct {
	client    *http.Client
	maxBytes  int64
	timeout   time.Duration
	userAgent string
}

// NewFetcher returns a Fetcher with defaults filled in.
func NewFetcher(o FetcherOptions) *Fetcher {
	f := &Fetcher{client: o.Client, maxBytes: o.MaxBytes, timeout: o.Timeout, userAgent: o.UserAgent}
	if f.client == nil {
		f.client = outbound.New(outbound.Options{}).Client(0)
	}
	if f.maxBytes <= 0 {
		f.maxBytes = DefaultMaxBytes
	}
	if f.timeout <= 0 {
		f.timeout = DefaultTimeout
	}
	if f.userAgent == "" {
		f.userAgent = DefaultUserAgent
	}
	return f
}

// Fetch downloads the feed at feedURL, sending prev as conditional-GET
// validators. Every failure of the source is a *FetchError. The only other
// error is the caller cancelling ctx, which wraps context.Canceled and should
// not count against the source.
func (f *Fetcher) Fetch(ctx context.Context, feedURL string, prev Validators) (FetchResult, error) {
	reqCtx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()

	req, err := f.newRequest(reqCtx, feedURL, prev)
	if err != nil {
		return FetchResult{}, err
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return FetchResult{}, f.transportError(ctx, reqCtx, err)
	}
	defer resp.Body.Close()
	return f.readResponse(ctx, reqCtx, resp, prev)
}

func (f *Fetcher) newRequest(ctx context.Context, feedURL string, prev Validators) (*http.Request, error) {
	if _, err := outbound.ParseURL(feedURL); err != nil {
		return nil, invalidURL(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, feedURL, nil)
	if err != nil {
		return nil, invalidURL(err)
	}
	req.Header.Set("User-Agent", f.userAgent)
	req.Header.Set("Accept", acceptHeader)
	if prev.ETag != "" {
		req.Header.Set("If-None-Match", prev.ETag)
	}
	if prev.LastModified != "" {
		req.Header.Set("If-Modified-Since", prev.LastModified)
	}
	return req, nil
}

// invalidURL counts a bad address as a network error: like an unknown host,
// it means the source cannot be reached until an admin fixes it.
func invalidURL(err error) *FetchError {
	return &FetchError{Kind: KindNetwork, Message: "feed address is not a valid http or https URL", err: err}
}

func (f *Fetcher) readResponse(ctx, reqCtx context.Context, resp *http.Response, prev Validators) (FetchResult, error) {
	final := finalURL(resp)
	if resp.StatusCode == http.StatusNotModified {
		return FetchResult{NotModified: true, Validators: mergeValidators(prev, resp.Header), FinalURL: final}, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return FetchResult{}, statusError(resp.StatusCode)
	}
	// A declared length lets us refuse without reading a byte.
	if resp.ContentLength > f.maxBytes {
		return FetchResult{}, f.tooLarge()
	}
	// Read one byte more than allowed to tell "exactly MaxBytes" from "more".
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.maxBytes+1))
	if err != nil {
		return FetchResult{}, f.transportError(ctx, reqCtx, err)
	}
	if int64(len(body)) > f.maxBytes {
		return FetchResult{}, f.tooLarge()
	}
	return FetchResult{Body: body, Validators: mergeValidators(Validators{}, resp.Header), FinalURL: final}, nil
}

func finalURL(resp *http.Response) string {
	if resp.Request == nil || resp.Request.URL == nil {
		return ""
	}
	u := *resp.Request.URL
	u.User = nil
	return u.String()
}

func mergeValidators(prev Validators, h http.Header) Validators {
	if etag := h.Get("ETag"); etag != "" {
		prev.ETag = etag
	}
	if lm := h.Get("Last-Modified"); lm != "" {
		prev.LastModified = lm
	}
	return prev
}

func statusError(code int) *FetchError {
	msg := fmt.Sprintf("feed server answered HTTP %d", code)
	if text := http.StatusText(code); text != "" {
		msg += " " + text
	}
	return &FetchError{Kind: KindHTTPStatus, Status: code, Message: msg}
}

func (f *Fetcher) tooLarge() *FetchError {
	return &FetchError{Kind: KindTooLarge, Message: fmt.Sprintf("feed is larger than %d bytes", f.maxBytes)}
}

// transportError classifies an error from sending the request or reading
// the body. ctx is the caller's context, reqCtx the one bounded by Timeout.
func (f *Fetcher) transportError(ctx, reqCtx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("sources: fetch cancelled: %w", err)
	}
	if reqCtx.Err() != nil || isTimeout(err) {
		msg := fmt.Sprintf("feed server did not respond within %s", f.timeout)
		return &FetchError{Kind: KindTimeout, Message: msg, err: err}
	}
	return networkError(err)
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// networkError describes common failures in words an administrator can act
// on. It reports the cause without the *url.Error wrapper, whose text
// repeats the URL.
func networkError(err error) *FetchError {
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err
	}
	msg := "could not reach the feed server: " + cause.Error()

	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var blocked *outbound.BlockedError
	switch {
	case errors.As(err, &blocked):
		return &FetchError{Kind: KindBlocked, Message: blocked.Error(), err: err}
	case errors.As(err, &dnsErr):
		msg = fmt.Sprintf("could not find the feed server %q (DNS lookup failed)", dnsErr.Name)
	case errors.As(err, &certErr):
		msg = "feed server's TLS certificate could not be verified: " + certErr.Err.Error()
	case errors.Is(err, syscall.ECONNREFUSED):
		msg = "feed server refused the connection"
	}
	return &FetchError{Kind: KindNetwork, Message: msg, err: err}
}

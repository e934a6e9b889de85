package platform

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/outbound"
)

func TestNoRedirects(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/from" {
			http.Redirect(w, r, "/to", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)

	shared := srv.Client()
	tests := []struct {
		name        string
		client      *http.Client
		wantTimeout time.Duration
	}{
		{name: "nil client", client: nil, wantTimeout: 7 * time.Second},
		{name: "shared client", client: shared, wantTimeout: shared.Timeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NoRedirects(tt.client, 7*time.Second)
			if c == tt.client {
				t.Fatal("NoRedirects returned the client itself, not a copy")
			}
			if c.Timeout != tt.wantTimeout {
				t.Errorf("Timeout = %s, want %s", c.Timeout, tt.wantTimeout)
			}
			resp, err := c.Get(srv.URL + "/from")
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusFound {
				t.Errorf("status = %d, want the redirect itself (302)", resp.StatusCode)
			}
		})
	}
	if shared.CheckRedirect != nil {
		t.Error("NoRedirects changed the shared client")
	}
}

func TestDo(t *testing.T) {
	answering := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(answering.Close)
	// hangingUp reads the whole request, then closes the connection unanswered.
	hangingUp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		conn.Close()
	}))
	t.Cleanup(hangingUp.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	tests := []struct {
		name        string
		url         string
		wantErr     bool
		wantWritten bool
	}{
		{name: "answered", url: answering.URL, wantWritten: true},
		{name: "hung up after the request", url: hangingUp.URL, wantErr: true, wantWritten: true},
		{name: "connection refused", url: closed.URL, wantErr: true, wantWritten: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, tt.url, strings.NewReader(`{"a":1}`))
			if err != nil {
				t.Fatal(err)
			}
			resp, written, err := Do(&http.Client{Timeout: 5 * time.Second}, req)
			if resp != nil {
				resp.Body.Close()
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if written != tt.wantWritten {
				t.Errorf("written = %v, want %v", written, tt.wantWritten)
			}
		})
	}
}

func TestUnanswered(t *testing.T) {
	reset := errors.New("connection reset")
	blocked := &url.Error{Op: "Post", URL: "http://10.0.0.5/hook",
		Err: &outbound.BlockedError{Addr: netip.MustParseAddr("10.0.0.5"), Reason: "private address"}}
	tests := []struct {
		cause   error
		written bool
		want    channels.Class
	}{
		{cause: reset, written: false, want: channels.ClassRetryable},
		{cause: reset, written: true, want: channels.ClassAmbiguous},
		// The outbound guard refused the address: no retry can help.
		{cause: blocked, written: false, want: channels.ClassPermanent},
		{cause: fmt.Errorf("webhook: send: %w", blocked), written: true, want: channels.ClassPermanent},
	}
	for _, tt := range tests {
		ce := Unanswered(tt.cause, tt.written)
		if ce.Class != tt.want || ce.RetryAfter != 0 || !errors.Is(ce, tt.cause) {
			t.Errorf("Unanswered(%v, written=%v) = %+v, want class %s wrapping the cause without a wait", tt.cause, tt.written, ce, tt.want)
		}
	}
}

func TestReadBody(t *testing.T) {
	tests := []struct {
		name    string
		r       io.Reader
		limit   int64
		want    string
		wantErr bool
	}{
		{name: "shorter than the limit", r: strings.NewReader("abc"), limit: 10, want: "abc"},
		{name: "exactly the limit", r: strings.NewReader("abcd"), limit: 4, want: "abcd"},
		{name: "cut at the limit", r: strings.NewReader("abcdef"), limit: 4, want: "abcd"},
		{name: "read error", r: io.MultiReader(strings.NewReader("ab"), iotest.ErrReader(errors.New("reset"))), limit: 10, want: "ab", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadBody(tt.r, tt.limit)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if string(got) != tt.want {
				t.Errorf("ReadBody = %q, want %q", got, tt.want)
			}
		})
	}
}

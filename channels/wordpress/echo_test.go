package wordpress

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestEchoedCredentialsAreRedacted: before, a site echoing the request's
// Authorization header put the Basic credential (base64 of
// user:app_password) into the error that becomes last_error and the log.
func TestEchoedCredentialsAreRedacted(t *testing.T) {
	basic := base64.StdEncoding.EncodeToString([]byte(testUser + ":" + testPasswordPlain))
	forbidden := []string{testPasswordPlain, basic, url.QueryEscape(testUser + ":" + testPasswordPlain),
		base64.StdEncoding.EncodeToString([]byte(testPasswordPlain))}
	tests := []struct {
		name   string
		status int
		body   func(r *http.Request) string
	}{
		{"401 JSON echoing the header", 401, func(r *http.Request) string {
			return wpError(401, "rest_not_logged_in", "Bad header: "+r.Header.Get("Authorization"))
		}},
		{"500 HTML page dumping the request", 500, func(r *http.Request) string {
			return "<html><pre>\r\nAuthorization: " + r.Header.Get("Authorization") + "\r\nPHP_AUTH_PW=" + testPasswordPlain +
				"\x1b[0m</pre>" + strings.Repeat("<p>filler</p>", 20) + "</html>"
		}},
		{"400 JSON with the base64 alone", 400, func(r *http.Request) string {
			return wpError(400, "rest_invalid", "seen "+strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")+
				" and "+base64.StdEncoding.EncodeToString([]byte(testPasswordPlain)))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Authorization") != "Basic "+basic {
					t.Errorf("request carried Authorization %q", r.Header.Get("Authorization"))
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body(r))
			}))
			defer srv.Close()
			wp, err := New(Options{BaseURL: srv.URL, Username: testUser, AppPassword: testPassword, Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			_, err = wp.Publish(context.Background(), testMessage())
			if err == nil {
				t.Fatal("publish succeeded")
			}
			msg := err.Error()
			for _, leak := range forbidden {
				if strings.Contains(msg, leak) {
					t.Errorf("error holds a credential form %q: %s", leak, msg)
				}
			}
			if strings.ContainsFunc(msg, func(r rune) bool { return r < ' ' || r == 0x7f }) {
				t.Errorf("error holds control characters: %q", msg)
			}
			if !strings.Contains(msg, fmt.Sprintf("HTTP %d", tc.status)) {
				t.Errorf("error lost the status: %s", msg)
			}
		})
	}
}

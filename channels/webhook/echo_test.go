package webhook

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestEchoedCredentialsAreRedacted: before, a receiver echoing the Basic
// credential Go sends for https://user:pass@host put it into the error
// that becomes last_error; a user-name-only token leaked through the URL
// that a transport error quotes.
func TestEchoedCredentialsAreRedacted(t *testing.T) {
	const user, pass, token = "loa", "pw-in-url-0001", "tok-in-url-0002"
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	echo := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			w.Write([]byte("denied; you sent\nAuthorization: " + r.Header.Get("Authorization") + "\n" + r.Header.Get("Authorization")[6:]))
		}
	}
	for _, status := range []int{401, 500} {
		srv := httptest.NewServer(echo(status))
		w, err := New(Options{URL: strings.Replace(srv.URL, "//", "//"+user+":"+pass+"@", 1) + testPath, Secret: testSecret})
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.Publish(context.Background(), testMessage())
		srv.Close()
		if err == nil || !strings.Contains(err.Error(), "HTTP") {
			t.Fatalf("HTTP %d: err = %v", status, err)
		}
		for _, leak := range []string{pass, basic, testSecret} {
			if strings.Contains(err.Error(), leak) {
				t.Errorf("HTTP %d: error holds %q: %s", status, leak, err)
			}
		}
	}

	closed := httptest.NewServer(http.NotFoundHandler())
	addr := closed.URL
	closed.Close()
	w, err := New(Options{URL: strings.Replace(addr, "//", "//"+token+"@", 1) + testPath, Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.Publish(context.Background(), testMessage())
	if err == nil || strings.Contains(err.Error(), token) {
		t.Fatalf("transport error = %v, want one without the token", err)
	}
}

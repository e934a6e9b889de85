package zalo

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/loa-vn/loa/channels"
)

func TestRefreshAnswers(t *testing.T) {
	expired := func(c *config) { c.AccessTokenExpiresAt = testNow().Add(-time.Hour).Format(time.RFC3339) }
	tests := []struct {
		name        string
		reply       string
		status      int
		wantClass   channels.Class // zero: the refresh succeeds
		wantExpiry  string
		wantRefresh string
	}{
		{name: "expires_in as a number", reply: `{"access_token":"accNewxSECRET","refresh_token":"refNewxSECRET","expires_in":3600}`,
			wantExpiry: "2026-01-15T04:00:00Z", wantRefresh: "refNewxSECRET"},
		{name: "expires_in missing", reply: `{"access_token":"accNewxSECRET","refresh_token":"refNewxSECRET"}`,
			wantExpiry: "", wantRefresh: "refNewxSECRET"},
		{name: "no new refresh token keeps the old one", reply: `{"access_token":"accNewxSECRET","expires_in":"90000"}`,
			wantExpiry: "2026-01-16T04:00:00Z", wantRefresh: refreshToken(0)},
		{name: "rate limited", reply: `{"error":-32,"message":"Rate limit exceeded"}`, wantClass: channels.ClassRetryable},
		{name: "HTML page", reply: `<html>maintenance accNewxSECRET</html>`, wantClass: channels.ClassRetryable},
		{name: "no access token", reply: `{"refresh_token":"refNewxSECRET"}`, wantClass: channels.ClassRetryable},
		{name: "OAuth host down", status: 503, reply: `<h1>503</h1>`, wantClass: channels.ClassRetryable},
		{name: "wrong host", status: 404, reply: `<h1>404</h1>`, wantClass: channels.ClassPermanent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSetup(t, expired)
			status := tt.status
			if status == 0 {
				status = 200
			}
			s.f.script("refresh", answer(status, nil, tt.reply))
			s.f.access["accNewxSECRET"] = true
			z := s.channel(t, nil)

			_, err := z.Publish(context.Background(), testMessage())

			if tt.wantClass != 0 {
				ce := assertClass(t, err, tt.wantClass)
				if ce.NeedsReauth || s.store.saveCount() != 0 || s.f.calls("create") != 0 {
					t.Errorf("reauth %v, saves %d, creates %d; want false, 0, 0", ce.NeedsReauth, s.store.saveCount(), s.f.calls("create"))
				}
				return
			}
			if err != nil {
				t.Fatalf("Publish: %v", err)
			}
			stored := s.store.stored()
			if stored.AccessToken != "accNewxSECRET" || stored.RefreshToken != tt.wantRefresh || stored.AccessTokenExpiresAt != tt.wantExpiry {
				t.Errorf("stored %s / %s / %q, want accNewxSECRET / %s / %q",
					stored.AccessToken, stored.RefreshToken, stored.AccessTokenExpiresAt, tt.wantRefresh, tt.wantExpiry)
			}
			assertNoSecret(t, "log", s.logs.String())
		})
	}
}

func TestRefreshRefusesInvalidStoredConfig(t *testing.T) {
	s := newSetup(t, func(c *config) { c.AccessToken = "accStalexSECRET" })
	z := s.channel(t, nil)
	s.store.config = json.RawMessage(`{"app_id":"1"}`)

	_, err := z.Publish(context.Background(), testMessage())

	assertClass(t, err, channels.ClassPermanent)
	if s.f.calls("refresh") != 0 {
		t.Errorf("refresh calls = %d, want 0", s.f.calls("refresh"))
	}
}

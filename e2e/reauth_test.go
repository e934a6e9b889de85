package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestDeadCredentialsFlagTheChannel: a Zalo OA whose refresh token is dead
// and a Facebook page whose token was revoked each end "failed" with the
// reason, and the channel shows it needs re-authorisation.
func TestDeadCredentialsFlagTheChannel(t *testing.T) {
	fake := newPlatforms(t)
	loa := start(t, env(t))
	c := client{t: t, base: "http://" + loa.addr, token: adminToken}
	type channel struct {
		ID           int64  `json:"id"`
		Status       string `json:"status"`
		StatusReason string `json:"status_reason"`
	}
	var zalo, fb channel
	c.mustDo("POST", "/api/v1/channels", map[string]any{"name": "Zalo OA", "kind": "zalo_oa",
		"config": map[string]any{"app_id": "4321", "secret_key": zaloSecretKey, "refresh_token": "zaloRefreshDead",
			"access_token": zaloOldAccess, "default_cover_url": "https://example.gov.vn/cover.jpg",
			"api_base_url": fake.srv.URL, "oauth_base_url": fake.srv.URL}}, 201, &zalo)
	c.mustDo("POST", "/api/v1/channels", map[string]any{"name": "Trang Facebook", "kind": "facebook_page",
		"config": map[string]any{"page_id": "1234567890", "page_token": "EAArevokedToken", "api_base_url": fake.srv.URL}}, 201, &fb)

	p := createPost(c, "Thông báo lịch tiếp công dân", time.Now(), zalo.ID, fb.ID)
	deadline := time.Now().Add(30 * time.Second)
	for {
		c.mustDo("GET", fmt.Sprintf("/api/v1/posts/%d", p.ID), nil, 200, &p)
		if p.Status == "failed" || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if p.Status != "failed" {
		t.Fatalf("post = %+v, want failed", p)
	}
	for _, d := range p.Deliveries {
		if d.Status != "failed" || d.Attempts != 1 || !strings.Contains(strings.ToLower(d.LastError), "re-authori") {
			t.Errorf("delivery %d = %s after %d attempts, error %q; want failed once with a re-authorisation reason", d.ID, d.Status, d.Attempts, d.LastError)
		}
	}
	for _, id := range []int64{zalo.ID, fb.ID} {
		var ch channel
		c.mustDo("GET", fmt.Sprintf("/api/v1/channels/%d", id), nil, 200, &ch)
		if ch.Status != "needs_reauth" || ch.StatusReason == "" {
			t.Errorf("channel %d = %+v, want needs_reauth with a reason", id, ch)
		}
	}
	if n := fake.count("zalo-create") + fake.count("facebook"); n != 0 {
		t.Errorf("%d posts reached the platforms with dead credentials", n)
	}
}

package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

// TestRealWordPress sends a post through the real binary to the WordPress
// started by scripts/wordpress/start.sh (CI does), then reads it back.
func TestRealWordPress(t *testing.T) {
	base, user, pass := os.Getenv("LOA_TEST_WORDPRESS_URL"), os.Getenv("LOA_TEST_WORDPRESS_USER"), os.Getenv("LOA_TEST_WORDPRESS_APP_PASSWORD")
	if base == "" {
		t.Skip("set LOA_TEST_WORDPRESS_URL (eval \"$(bash scripts/wordpress/start.sh)\") to run against a real WordPress")
	}
	loa := start(t, env(t))
	c := client{t: t, base: "http://" + loa.addr, token: adminToken}
	var ch struct {
		ID int64 `json:"id"`
	}
	c.mustDo("POST", "/api/v1/channels", map[string]any{"name": "Website", "kind": "wordpress",
		"config": map[string]string{"base_url": base, "username": user, "app_password": pass}}, 201, &ch)
	var check struct {
		OK bool `json:"ok"`
	}
	c.mustDo("POST", fmt.Sprintf("/api/v1/channels/%d/test", ch.ID), nil, 200, &check)
	if !check.OK {
		t.Fatal("connection check against the real WordPress failed")
	}
	title := fmt.Sprintf("Công khai TTHC — “Một cửa” & dịch vụ công %d", time.Now().UnixNano())
	decomposed := norm.NFD.String(title)
	p := createPost(c, decomposed, time.Now(), ch.ID)
	p = c.waitDelivered(p.ID, 30*time.Second)
	var d struct {
		ExternalID string `json:"external_id"`
	}
	c.mustDo("GET", fmt.Sprintf("/api/v1/deliveries/%d", p.Deliveries[0].ID), nil, 200, &d)

	req, _ := http.NewRequest("GET", base+"/?rest_route=/wp/v2/posts/"+d.ExternalID+"&context=edit", nil)
	req.SetBasicAuth(user, pass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var wp struct {
		Slug  string `json:"slug"`
		Title struct {
			Raw string `json:"raw"`
		} `json:"title"`
	}
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&wp) != nil {
		t.Fatalf("read back post %s: HTTP %d", d.ExternalID, resp.StatusCode)
	}
	if wp.Title.Raw != norm.NFC.String(title) {
		t.Fatalf("title.raw = %q (% x), want the NFC title %q", wp.Title.Raw, wp.Title.Raw, norm.NFC.String(title))
	}
	req, _ = http.NewRequest("GET", base+"/?rest_route=/wp/v2/posts&status=any&context=edit&slug="+wp.Slug, nil)
	req.SetBasicAuth(user, pass)
	resp2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	var same []json.RawMessage
	json.NewDecoder(resp2.Body).Decode(&same)
	if len(same) != 1 {
		t.Fatalf("%d posts with slug %s, want exactly 1", len(same), wp.Slug)
	}
}

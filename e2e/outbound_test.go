package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Without LOA_ALLOW_PRIVATE_TARGETS the binary refuses loopback endpoints
// when they are saved, and a channel saved while loopback was allowed
// fails its delivery at once, saying why, once the allowance is gone.
func TestPrivateTargetsRefusedUnlessAllowed(t *testing.T) {
	s := newSink(t)
	e := env(t)
	e["LOA_ADDR"] = freeAddr(t)
	delete(e, "LOA_ALLOW_PRIVATE_TARGETS")
	loa := start(t, e)
	c := client{t: t, base: "http://" + loa.addr, token: adminToken}
	const reason = "refused to connect to 127.0.0.1 (loopback address); set LOA_ALLOW_PRIVATE_TARGETS to allow it"

	var apiErr struct {
		Error struct{ Code, Message, Field string }
	}
	status := c.do("POST", "/api/v1/channels", map[string]any{"name": "CMS nội bộ", "kind": "webhook",
		"config": map[string]string{"url": s.srv.URL + "/hook", "secret": webhookSecret}}, &apiErr)
	if status != 422 || apiErr.Error.Field != "config.url" || apiErr.Error.Message != "config.url: "+reason {
		t.Fatalf("create webhook to %s = %d %+v, want 422 on config.url saying %q", s.srv.URL, status, apiErr, reason)
	}
	var feed struct {
		ID int64 `json:"id"`
	}
	c.mustDo("POST", "/api/v1/channels", map[string]any{"name": "Tin CCHC", "kind": "rss",
		"config": map[string]string{"slug": "tin-cchc", "title": "Tin cải cách hành chính"}}, 201, &feed)
	status = c.do("POST", "/api/v1/sources", map[string]any{"name": "Nguồn nội bộ", "url": s.srv.URL + "/rss",
		"channel_ids": []int64{feed.ID}}, &apiErr)
	if status != 422 || apiErr.Error.Field != "url" || !strings.Contains(apiErr.Error.Message, reason) {
		t.Fatalf("create source at %s = %d %+v, want 422 on url", s.srv.URL, status, apiErr)
	}
	loa.stop()

	// Allowed, the channel is saved; then the allowance is withdrawn.
	e["LOA_ALLOW_PRIVATE_TARGETS"] = "127.0.0.0/8"
	loa = start(t, e)
	var ch struct {
		ID int64 `json:"id"`
	}
	c.mustDo("POST", "/api/v1/channels", map[string]any{"name": "CMS nội bộ", "kind": "webhook",
		"config": map[string]string{"url": s.srv.URL + "/hook", "secret": webhookSecret}}, 201, &ch)
	loa.stop()
	delete(e, "LOA_ALLOW_PRIVATE_TARGETS")
	loa = start(t, e)

	p := createPost(c, "Thông báo nội bộ", time.Now(), ch.ID)
	deadline := time.Now().Add(20 * time.Second)
	for p.Status != "failed" {
		if time.Now().After(deadline) {
			t.Fatalf("post not failed within 20s: %+v", p)
		}
		time.Sleep(200 * time.Millisecond)
		c.mustDo("GET", fmt.Sprintf("/api/v1/posts/%d", p.ID), nil, 200, &p)
	}
	d := p.Deliveries[0]
	if d.Status != "failed" || d.Attempts != 1 || !strings.Contains(d.LastError, reason) {
		t.Fatalf("delivery = %+v, want failed after 1 attempt saying %q", d, reason)
	}
	if total, _, _ := s.counts(); total != 0 {
		t.Fatalf("the loopback sink got %d requests", total)
	}
}

package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/storage"
)

// storedConfig opens the sealed config of channel id as the store holds it.
func (e *env) storedConfig(id int64) map[string]string {
	e.t.Helper()
	ch, err := e.store.GetChannel(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	plain, err := e.box.Open(ch.ConfigSealed)
	if err != nil {
		e.t.Fatal(err)
	}
	var cfg map[string]string
	if err := json.Unmarshal(plain, &cfg); err != nil {
		e.t.Fatal(err)
	}
	return cfg
}

func wantMasked(t *testing.T, c channelJSON) {
	t.Helper()
	if c.Kind != "webhook" {
		return
	}
	if got := c.Config["secret"]; got != channels.SecretMask {
		t.Errorf("channel %d config.secret = %v, want %q", c.ID, got, channels.SecretMask)
	}
}

func TestCreateChannel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	t.Run("webhook", func(t *testing.T) {
		r := e.post("/api/v1/channels", editorToken, map[string]any{"name": "  Cổng <b>TTĐT</b> phường  ", "kind": "webhook", "config": webhookConfig()})
		wantStatus(t, r, http.StatusCreated)
		c := decode[channelJSON](t, r)
		if c.ID <= 0 || c.Kind != "webhook" || c.Status != storage.ChannelActive || c.Name != "Cổng TTĐT phường" {
			t.Errorf("created channel = %+v", c)
		}
		if c.Config["url"] != "https://cms.example.gov.vn/loa-hook" {
			t.Errorf("config.url = %v", c.Config["url"])
		}
		if c.FeedURLs != nil {
			t.Errorf("webhook channel has feed_urls %+v", c.FeedURLs)
		}
		wantMasked(t, c)
		if got := e.storedConfig(c.ID)["secret"]; got != webhookSecret {
			t.Errorf("stored secret = %q, want the one sent", got)
		}
	})

	t.Run("rss", func(t *testing.T) {
		c := e.createFeed("Bản tin phường", "Tin-Phuong")
		if c.Kind != "rss" || c.FeedURLs == nil ||
			c.FeedURLs.RSS != publicURL+"/feeds/tin-phuong.rss" || c.FeedURLs.Atom != publicURL+"/feeds/tin-phuong.atom" {
			t.Errorf("rss channel = %+v feed_urls = %+v", c, c.FeedURLs)
		}
		if c.Config["slug"] != "tin-phuong" || c.Config["language"] != "vi" {
			t.Errorf("normalised config = %v", c.Config)
		}
	})

	base := func(mod func(m map[string]any)) map[string]any {
		m := map[string]any{"name": "Kênh mới", "kind": "webhook", "config": webhookConfig()}
		mod(m)
		return m
	}
	cases := []struct {
		name   string
		body   any
		ct     string
		status int
		code   string
		field  string
	}{
		{"duplicate name", base(func(m map[string]any) { m["name"] = "Cổng TTĐT phường" }), "", 409, "conflict", ""},
		{"duplicate name after cleaning", base(func(m map[string]any) { m["name"] = "Cổng  <i>TTĐT</i> phường " }), "", 409, "conflict", ""},
		{"duplicate feed slug", map[string]any{"name": "Khác", "kind": "rss",
			"config": map[string]any{"slug": "tin-phuong", "title": "Khác"}}, "", 409, "conflict", ""},
		{"unknown kind", base(func(m map[string]any) { m["kind"] = "telegram" }), "", 422, "invalid_field", "kind"},
		{"missing kind", base(func(m map[string]any) { delete(m, "kind") }), "", 422, "invalid_field", "kind"},
		{"missing name", base(func(m map[string]any) { delete(m, "name") }), "", 422, "invalid_field", "name"},
		{"blank name", base(func(m map[string]any) { m["name"] = "   " }), "", 422, "invalid_field", "name"},
		{"markup-only name", base(func(m map[string]any) { m["name"] = "<b></b>" }), "", 422, "invalid_field", "name"},
		{"name too long", base(func(m map[string]any) { m["name"] = strings.Repeat("ệ", 201) }), "", 422, "invalid_field", "name"},
		{"name wrong type", base(func(m map[string]any) { m["name"] = 5 }), "", 422, "invalid_field", "name"},
		{"status on create", base(func(m map[string]any) { m["status"] = "active" }), "", 422, "invalid_field", "status"},
		{"missing config", base(func(m map[string]any) { delete(m, "config") }), "", 422, "invalid_field", "config"},
		{"null config", base(func(m map[string]any) { m["config"] = nil }), "", 422, "invalid_field", "config"},
		{"config not an object", base(func(m map[string]any) { m["config"] = "https://x" }), "", 422, "invalid_field", "config"},
		{"config.url missing", base(func(m map[string]any) { m["config"] = map[string]any{"secret": webhookSecret} }), "", 422, "invalid_field", "config.url"},
		{"config.url not http", base(func(m map[string]any) {
			m["config"] = map[string]any{"url": "ftp://cms.example/x", "secret": webhookSecret}
		}), "", 422, "invalid_field", "config.url"},
		{"config.url relative", base(func(m map[string]any) {
			m["config"] = map[string]any{"url": "/hook", "secret": webhookSecret}
		}), "", 422, "invalid_field", "config.url"},
		{"config.url wrong type", base(func(m map[string]any) {
			m["config"] = map[string]any{"url": 7, "secret": webhookSecret}
		}), "", 422, "invalid_field", "config.url"},
		{"config.secret missing", base(func(m map[string]any) {
			m["config"] = map[string]any{"url": "https://cms.example/x"}
		}), "", 422, "invalid_field", "config.secret"},
		{"config.secret short", base(func(m map[string]any) {
			m["config"] = map[string]any{"url": "https://cms.example/x", "secret": "short"}
		}), "", 422, "invalid_field", "config.secret"},
		{"config unknown field", base(func(m map[string]any) {
			m["config"] = map[string]any{"url": "https://cms.example/x", "secret": webhookSecret, "token": webhookSecret2}
		}), "", 422, "invalid_field", "config.token"},
		{"rss bad slug", map[string]any{"name": "Khác", "kind": "rss",
			"config": map[string]any{"slug": "tin tức", "title": "Khác"}}, "", 422, "invalid_field", "config.slug"},
		{"rss missing title", map[string]any{"name": "Khác", "kind": "rss",
			"config": map[string]any{"slug": "khac"}}, "", 422, "invalid_field", "config.title"},
		{"unknown field", base(func(m map[string]any) { m["secret"] = webhookSecret }), "", 422, "invalid_field", "secret"},
		{"malformed JSON", `{"name": "x",`, "", 400, "malformed_json", ""},
		{"trailing garbage", `{"name":"x","kind":"webhook","config":{}} extra`, "", 400, "malformed_json", ""},
		{"empty body", ``, "", 400, "malformed_json", ""},
		{"not an object", `["webhook"]`, "", 400, "malformed_json", ""},
		{"form content type", base(func(map[string]any) {}), "application/x-www-form-urlencoded", 415, "unsupported_media_type", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(req{Method: http.MethodPost, Path: "/api/v1/channels", Token: editorToken,
				Body: jsonString(t, tc.body), Header: map[string]string{"Content-Type": tc.ct}})
			if tc.name == "empty body" {
				// Body "" sends nothing; send an explicitly empty JSON body.
				r = e.do(req{Method: http.MethodPost, Path: "/api/v1/channels", Token: editorToken,
					Header: map[string]string{"Content-Type": "application/json"}})
			}
			wantError(t, r, tc.status, tc.code, tc.field)
		})
	}

	list := decode[page[channelJSON]](t, e.get("/api/v1/channels", officerToken))
	if len(list.Items) != 2 {
		t.Errorf("channels after rejected requests = %d, want 2", len(list.Items))
	}
}

func TestUpdateChannel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ch := e.createWebhook("Cổng phường")
	other := e.createWebhook("Cổng quận")
	path := fmt.Sprintf("/api/v1/channels/%d", ch.ID)

	t.Run("rename keeps config", func(t *testing.T) {
		r := e.patch(path, editorToken, map[string]any{"name": "Cổng TTĐT phường Bến Thành"})
		wantStatus(t, r, http.StatusOK)
		c := decode[channelJSON](t, r)
		if c.Name != "Cổng TTĐT phường Bến Thành" {
			t.Errorf("name = %q", c.Name)
		}
		wantMasked(t, c)
		if got := e.storedConfig(ch.ID)["secret"]; got != webhookSecret {
			t.Errorf("secret changed on rename: %q", got)
		}
	})

	t.Run("masked secret sent back keeps the stored one", func(t *testing.T) {
		before := e.storedConfig(ch.ID)["url"]
		r := e.patch(path, editorToken, map[string]any{"config": map[string]any{
			"url": before, "secret": channels.SecretMask}})
		wantStatus(t, r, http.StatusOK)
		c := decode[channelJSON](t, r)
		wantMasked(t, c)
		cfg := e.storedConfig(ch.ID)
		if cfg["secret"] != webhookSecret || cfg["url"] != before {
			t.Errorf("stored config = %v", cfg)
		}
	})

	t.Run("moving the url needs the secret again", func(t *testing.T) {
		r := e.patch(path, editorToken, map[string]any{"config": map[string]any{
			"url": "https://cms2.example.gov.vn/hook", "secret": channels.SecretMask}})
		wantError(t, r, http.StatusUnprocessableEntity, "invalid_field", "config.secret")
		r = e.patch(path, editorToken, map[string]any{"config": map[string]any{
			"url": "https://cms2.example.gov.vn/hook", "secret": webhookSecret}})
		wantStatus(t, r, http.StatusOK)
		cfg := e.storedConfig(ch.ID)
		if cfg["secret"] != webhookSecret || cfg["url"] != "https://cms2.example.gov.vn/hook" {
			t.Errorf("stored config = %v", cfg)
		}
	})

	t.Run("new secret is stored and masked", func(t *testing.T) {
		r := e.patch(path, adminToken, map[string]any{"config": map[string]any{"secret": webhookSecret2}})
		wantStatus(t, r, http.StatusOK)
		wantMasked(t, decode[channelJSON](t, r))
		if got := e.storedConfig(ch.ID)["secret"]; got != webhookSecret2 {
			t.Errorf("stored secret = %q, want the new one", got)
		}
	})

	t.Run("disable and enable", func(t *testing.T) {
		e.disable(ch.ID)
		r := e.patch(path, editorToken, map[string]any{"status": "active"})
		wantStatus(t, r, http.StatusOK)
		if got := decode[channelJSON](t, r).Status; got != storage.ChannelActive {
			t.Errorf("status = %q", got)
		}
	})

	t.Run("empty patch changes nothing", func(t *testing.T) {
		wantStatus(t, e.patch(path, editorToken, `{}`), http.StatusOK)
	})

	cases := []struct {
		name   string
		path   string
		body   any
		status int
		code   string
		field  string
	}{
		{"bad status", path, map[string]any{"status": "paused"}, 422, "invalid_field", "status"},
		{"needs_reauth cannot be set", path, map[string]any{"status": "needs_reauth"}, 422, "invalid_field", "status"},
		{"kind change", path, map[string]any{"kind": "rss"}, 422, "invalid_field", "kind"},
		{"blank name", path, map[string]any{"name": ""}, 422, "invalid_field", "name"},
		{"bad url", path, map[string]any{"config": map[string]any{"url": "javascript:alert(1)"}}, 422, "invalid_field", "config.url"},
		{"short secret", path, map[string]any{"config": map[string]any{"secret": "short"}}, 422, "invalid_field", "config.secret"},
		{"config not an object", path, map[string]any{"config": []string{"x"}}, 422, "invalid_field", "config"},
		{"unknown config field", path, map[string]any{"config": map[string]any{"headers": "x"}}, 422, "invalid_field", "config.headers"},
		{"unknown field", path, map[string]any{"secret": "x"}, 422, "invalid_field", "secret"},
		{"wrong type", path, map[string]any{"status": false}, 422, "invalid_field", "status"},
		{"duplicate name", path, map[string]any{"name": "Cổng quận"}, 409, "conflict", ""},
		{"malformed JSON", path, `{"name"`, 400, "malformed_json", ""},
		{"unknown channel", "/api/v1/channels/987654", map[string]any{"name": "x"}, 404, "not_found", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, e.patch(tc.path, editorToken, tc.body), tc.status, tc.code, tc.field)
		})
	}

	// Nothing the rejected requests sent was stored.
	got := decode[channelJSON](t, e.get(path, officerToken))
	if got.Name != "Cổng TTĐT phường Bến Thành" || got.Status != storage.ChannelActive || got.Kind != "webhook" {
		t.Errorf("channel after rejected patches = %+v", got)
	}
	if cfg := e.storedConfig(ch.ID); cfg["secret"] != webhookSecret2 || cfg["url"] != "https://cms2.example.gov.vn/hook" {
		t.Errorf("config after rejected patches = %v", cfg)
	}
	if got := decode[channelJSON](t, e.get(fmt.Sprintf("/api/v1/channels/%d", other.ID), officerToken)); got.Name != "Cổng quận" {
		t.Errorf("other channel = %+v", got)
	}
}

func TestChannelSecretsNeverReturned(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var bodies [][]byte
	keep := func(r response) response { bodies = append(bodies, r.Body); return r }

	r := keep(e.post("/api/v1/channels", editorToken, map[string]any{"name": "A", "kind": "webhook", "config": webhookConfig()}))
	wantStatus(t, r, http.StatusCreated)
	a := decode[channelJSON](t, r)
	e.createFeed("Feed", "feed")
	path := fmt.Sprintf("/api/v1/channels/%d", a.ID)
	for _, tok := range []string{adminToken, editorToken, officerToken} {
		r := keep(e.get("/api/v1/channels", tok))
		wantStatus(t, r, http.StatusOK)
		for _, c := range decode[page[channelJSON]](t, r).Items {
			wantMasked(t, c)
		}
		r = keep(e.get(path, tok))
		wantStatus(t, r, http.StatusOK)
		wantMasked(t, decode[channelJSON](t, r))
	}
	r = keep(e.patch(path, editorToken, map[string]any{"config": map[string]any{"secret": webhookSecret2}}))
	wantStatus(t, r, http.StatusOK)
	wantMasked(t, decode[channelJSON](t, r))
	r = keep(e.patch(path, editorToken, map[string]any{"status": "disabled"}))
	wantStatus(t, r, http.StatusOK)
	wantMasked(t, decode[channelJSON](t, r))
	// Errors about the config must not echo it either.
	keep(e.patch(path, editorToken, map[string]any{"config": map[string]any{"url": 1, "secret": webhookSecret}}))
	keep(e.post("/api/v1/channels", editorToken, map[string]any{"name": "A", "kind": "webhook", "config": webhookConfig()}))
	keep(e.post("/api/v1/channels", editorToken, map[string]any{"name": "B", "kind": "telegram", "config": webhookConfig()}))

	for _, b := range bodies {
		for _, s := range leakedSecrets {
			if strings.Contains(string(b), s) {
				t.Errorf("response contains a secret: %s", b)
			}
		}
	}
}

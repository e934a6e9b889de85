package api_test

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/facebook"
	"github.com/loa-vn/loa/channels/rss"
	"github.com/loa-vn/loa/channels/webhook"
	"github.com/loa-vn/loa/channels/wordpress"
	"github.com/loa-vn/loa/channels/zalo"
	"github.com/loa-vn/loa/outbound"
)

// guarded serves with every adapter kind and a guard that allows only allow.
func guarded(t *testing.T, allow ...string) envOption {
	reg, err := channels.NewRegistry(webhook.Kind(), rss.Kind(), wordpress.Kind(), facebook.Kind(), zalo.Kind(nil))
	if err != nil {
		t.Fatal(err)
	}
	var prefixes []netip.Prefix
	for _, a := range allow {
		prefixes = append(prefixes, netip.MustParsePrefix(a))
	}
	return func(o *api.Options) {
		o.Registry = reg
		o.Guard = outbound.New(outbound.Options{AllowPrivate: prefixes})
	}
}

// configFor is a valid config of kind with field set to endpoint.
func configFor(kind, field, endpoint string) map[string]any {
	c := map[string]map[string]any{
		"webhook":       {"url": "https://cms.example.gov.vn/loa-hook", "secret": webhookSecret},
		"wordpress":     {"base_url": "https://xa.example.gov.vn", "username": "loa", "app_password": "abcdABCD1234abcdABCD1234"},
		"facebook_page": {"page_id": "1234567890", "page_token": "page-token-secret"},
		"zalo_oa":       {"app_id": "123", "secret_key": "zalo-secret", "refresh_token": "zalo-refresh"},
	}[kind]
	c[field] = endpoint
	return c
}

var endpointFields = []struct{ kind, field string }{
	{"webhook", "url"},
	{"wordpress", "base_url"},
	{"facebook_page", "api_base_url"},
	{"zalo_oa", "api_base_url"},
	{"zalo_oa", "oauth_base_url"},
}

// A channel endpoint that is a literal private address is refused when the
// channel is created or changed, naming the field and the way to allow it.
func TestChannelEndpointPrivateAddressRefused(t *testing.T) {
	e := newEnv(t, guarded(t))
	for _, ef := range endpointFields {
		for _, tt := range []struct{ endpoint, addr string }{
			{"http://127.0.0.1:8080", "127.0.0.1 (loopback address)"},
			{"http://10.0.0.5", "10.0.0.5 (private address)"},
			{"http://169.254.169.254", "169.254.169.254 (link-local address)"},
			{"http://[::1]:6379", "::1 (loopback address)"},
			{"http://[::ffff:192.168.1.1]", "::ffff:192.168.1.1 at 192.168.1.1 (private address)"},
			{"http://0177.0.0.1", "0177.0.0.1 at 127.0.0.1 (loopback address)"},
			{"http://2130706433", "2130706433 at 127.0.0.1 (loopback address)"},
			{"http://localhost:6379", "localhost at 127.0.0.1 (loopback address)"},
		} {
			t.Run(ef.kind+"."+ef.field+" "+tt.endpoint, func(t *testing.T) {
				field := "config." + ef.field
				r := e.post("/api/v1/channels", editorToken, map[string]any{
					"name": fmt.Sprintf("%s %s %s", ef.kind, ef.field, tt.endpoint), "kind": ef.kind,
					"config": configFor(ef.kind, ef.field, tt.endpoint)})
				got := wantError(t, r, http.StatusUnprocessableEntity, "invalid_field", field)
				want := field + ": refused to connect to " + tt.addr + "; set LOA_ALLOW_PRIVATE_TARGETS to allow it"
				if got.Message != want {
					t.Errorf("message = %q, want %q", got.Message, want)
				}
			})
		}
	}

	t.Run("update", func(t *testing.T) {
		for _, ef := range endpointFields {
			r := e.post("/api/v1/channels", editorToken, map[string]any{"name": "public " + ef.kind + ef.field, "kind": ef.kind,
				"config": configFor(ef.kind, ef.field, "https://public.example.gov.vn")})
			wantStatus(t, r, http.StatusCreated)
			ch := decode[channelJSON](t, r)
			r = e.patch(fmt.Sprintf("/api/v1/channels/%d", ch.ID), editorToken,
				// Secrets re-entered, so that the guard, not the moved-endpoint rule, refuses.
				map[string]any{"config": configFor(ef.kind, ef.field, "http://10.1.2.3")})
			wantError(t, r, http.StatusUnprocessableEntity, "invalid_field", "config."+ef.field)
			stored := decode[channelJSON](t, e.get(fmt.Sprintf("/api/v1/channels/%d", ch.ID), editorToken))
			if got := stored.Config[ef.field]; got != "https://public.example.gov.vn" {
				t.Errorf("%s.%s stored = %v after a refused update", ef.kind, ef.field, got)
			}
		}
	})

	t.Run("public addresses and names pass", func(t *testing.T) {
		for i, endpoint := range []string{"https://8.8.8.8", "https://[2001:4860:4860::8888]", "https://intranet.example.gov.vn"} {
			r := e.post("/api/v1/channels", editorToken, map[string]any{"name": fmt.Sprintf("public %d", i), "kind": "webhook",
				"config": configFor("webhook", "url", endpoint+"/hook")})
			wantStatus(t, r, http.StatusCreated)
		}
	})
}

func TestChannelEndpointAllowListOpensRange(t *testing.T) {
	e := newEnv(t, guarded(t, "10.0.0.0/8", "fd00::/8"))
	for i, tt := range []struct {
		endpoint string
		status   int
	}{
		{"http://10.20.30.40/wp", http.StatusCreated},
		{"http://[fd00::5]/wp", http.StatusCreated},
		{"http://012.1/wp", http.StatusCreated},
		{"http://192.168.1.1/wp", http.StatusUnprocessableEntity},
		{"http://127.0.0.1/wp", http.StatusUnprocessableEntity},
	} {
		r := e.post("/api/v1/channels", editorToken, map[string]any{"name": fmt.Sprintf("cms %d", i), "kind": "wordpress",
			"config": configFor("wordpress", "base_url", tt.endpoint)})
		if r.Status != tt.status {
			t.Errorf("%s: status %d, want %d: %s", tt.endpoint, r.Status, tt.status, r.Body)
		}
	}
}

func TestSourceURLPrivateAddressRefused(t *testing.T) {
	e := newEnv(t, guarded(t))
	ch := e.createWebhook("Cổng phường")
	for _, tt := range []struct{ url, want string }{
		{"http://127.0.0.1:8080/rss", "url: refused to connect to 127.0.0.1 (loopback address); set LOA_ALLOW_PRIVATE_TARGETS to allow it"},
		{"http://[::ffff:10.0.0.1]/rss", "url: refused to connect to ::ffff:10.0.0.1 at 10.0.0.1 (private address); set LOA_ALLOW_PRIVATE_TARGETS to allow it"},
		{"http://0x7f.1/rss", "url: refused to connect to 0x7f.1 at 127.0.0.1 (loopback address); set LOA_ALLOW_PRIVATE_TARGETS to allow it"},
		{"https://tthc.example.gov.vn/rss#top", "url: must not contain a #fragment"},
		{"https://tthc.example.gov.vn/" + strings.Repeat("a", 2100), "url: is longer than 2048 bytes"},
	} {
		r := e.post("/api/v1/sources", editorToken, map[string]any{"name": "TTHC", "url": tt.url, "channel_ids": []int64{ch.ID}})
		if got := wantError(t, r, http.StatusUnprocessableEntity, "invalid_field", "url"); got.Message != tt.want {
			t.Errorf("%.40s: message = %q, want %q", tt.url, got.Message, tt.want)
		}
	}
	r := e.post("/api/v1/sources", editorToken, map[string]any{"name": "TTHC", "url": "https://tthc.example.gov.vn/rss", "channel_ids": []int64{ch.ID}})
	wantStatus(t, r, http.StatusCreated)
}

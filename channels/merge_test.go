package channels_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/facebook"
	"github.com/loa-vn/loa/channels/webhook"
	"github.com/loa-vn/loa/channels/wordpress"
	"github.com/loa-vn/loa/channels/zalo"
)

const (
	hookStored = `{"url":"https://cms.example.gov.vn/hook","secret":"whsec-0123456789abcdef"}`
	wpStored   = `{"base_url":"https://xa.gov.vn","username":"loa","app_password":"abcdEFGHijklMNOPqrstUVWX"}`
	fbStored   = `{"page_id":"1234567890","page_token":"EAAB-old-token","api_version":"v25.0","api_base_url":"https://graph.facebook.com"}`
	zaloStored = `{"app_id":"111","secret_key":"zsk-old","refresh_token":"zrt-old","access_token":"zat-old",` +
		`"access_token_expires_at":"2026-12-01T00:00:00Z","api_base_url":"https://openapi.zalo.me","oauth_base_url":"https://oauth.zaloapp.com"}`
	hookWithUser = `{"url":"https://loa:pw-in-url@cms.example.gov.vn/hook","secret":"whsec-0123456789abcdef"}`
)

// TestMergeConfigEndpointMoveNeedsSecrets: a credential only ever goes to
// the address it was entered for. Before, every one of the refused patches
// below was accepted with the stored secret kept.
func TestMergeConfigEndpointMoveNeedsSecrets(t *testing.T) {
	tests := []struct {
		name      string
		kind      channels.Kind
		stored    string
		patch     string
		wantField string            // the refused field; "" when accepted
		want      map[string]string // members of the accepted result
		absent    []string          // members the accepted result must not have
	}{
		{name: "webhook url moved, secret masked", kind: webhook.Kind(), stored: hookStored,
			patch: `{"url":"https://attacker.example/x","secret":"********"}`, wantField: "secret"},
		{name: "webhook url moved, secret left out", kind: webhook.Kind(), stored: hookStored,
			patch: `{"url":"https://attacker.example/x"}`, wantField: "secret"},
		{name: "webhook path moved", kind: webhook.Kind(), stored: hookStored,
			patch: `{"url":"https://cms.example.gov.vn/other"}`, wantField: "secret"},
		{name: "webhook url moved with a new secret", kind: webhook.Kind(), stored: hookStored,
			patch: `{"url":"https://cms2.example.gov.vn/hook","secret":"whsec-new-0123456789"}`,
			want:  map[string]string{"url": "https://cms2.example.gov.vn/hook", "secret": "whsec-new-0123456789"}},
		{name: "webhook same url, secret masked", kind: webhook.Kind(), stored: hookStored,
			patch: `{"url":" https://cms.example.gov.vn/hook ","secret":"********"}`,
			want:  map[string]string{"url": "https://cms.example.gov.vn/hook", "secret": "whsec-0123456789abcdef"}},
		{name: "webhook masked credentials in an unmoved url are kept", kind: webhook.Kind(), stored: hookWithUser,
			patch: `{"url":"https://loa:********@cms.example.gov.vn/hook"}`,
			want:  map[string]string{"url": "https://loa:pw-in-url@cms.example.gov.vn/hook"}},
		{name: "webhook masked credentials in a moved url", kind: webhook.Kind(), stored: hookWithUser,
			patch: `{"url":"https://loa:********@attacker.example/hook","secret":"whsec-new-0123456789"}`, wantField: "url"},
		{name: "webhook credentials re-entered in a moved url", kind: webhook.Kind(), stored: hookWithUser,
			patch: `{"url":"https://loa:pw2@cms2.example.gov.vn/hook","secret":"whsec-new-0123456789"}`,
			want:  map[string]string{"url": "https://loa:pw2@cms2.example.gov.vn/hook"}},
		{name: "wordpress base_url moved", kind: wordpress.Kind(), stored: wpStored,
			patch: `{"base_url":"https://attacker.example","app_password":"********"}`, wantField: "app_password"},
		{name: "wordpress scheme moved", kind: wordpress.Kind(), stored: wpStored,
			patch: `{"base_url":"http://xa.gov.vn"}`, wantField: "app_password"},
		{name: "wordpress trailing slash is no move", kind: wordpress.Kind(), stored: wpStored,
			patch: `{"base_url":"https://xa.gov.vn/","app_password":"********"}`,
			want:  map[string]string{"base_url": "https://xa.gov.vn", "app_password": "abcdEFGHijklMNOPqrstUVWX"}},
		{name: "wordpress moved with the password", kind: wordpress.Kind(), stored: wpStored,
			patch: `{"base_url":"https://phuong.gov.vn","app_password":"zzzzEFGHijklMNOPqrstUVWX"}`,
			want:  map[string]string{"base_url": "https://phuong.gov.vn", "app_password": "zzzzEFGHijklMNOPqrstUVWX"}},
		{name: "facebook api_base_url moved", kind: facebook.Kind(), stored: fbStored,
			patch: `{"api_base_url":"https://attacker.example","page_token":"********"}`, wantField: "page_token"},
		{name: "facebook port moved", kind: facebook.Kind(), stored: fbStored,
			patch: `{"api_base_url":"https://graph.facebook.com:8443"}`, wantField: "page_token"},
		{name: "facebook api_base_url cleared to another default is no move", kind: facebook.Kind(), stored: fbStored,
			patch: `{"api_base_url":""}`, want: map[string]string{"page_token": "EAAB-old-token"}},
		{name: "zalo oauth moved, one of two secrets", kind: zalo.Kind(nil), stored: zaloStored,
			patch: `{"oauth_base_url":"https://attacker.example","secret_key":"zsk-new"}`, wantField: "refresh_token"},
		{name: "zalo api moved, nothing entered", kind: zalo.Kind(nil), stored: zaloStored,
			patch: `{"api_base_url":"https://attacker.example"}`, wantField: "secret_key"},
		{name: "zalo moved with both secrets drops the access token", kind: zalo.Kind(nil), stored: zaloStored,
			patch:  `{"api_base_url":"https://zalo2.example","secret_key":"zsk-new","refresh_token":"zrt-new","access_token":"********"}`,
			want:   map[string]string{"api_base_url": "https://zalo2.example", "secret_key": "zsk-new", "refresh_token": "zrt-new", "access_token": ""},
			absent: []string{"access_token_expires_at"}},
		{name: "zalo moved with an access token entered keeps it", kind: zalo.Kind(nil), stored: zaloStored,
			patch: `{"oauth_base_url":"https://oauth2.example","secret_key":"zsk-new","refresh_token":"zrt-new","access_token":"zat-new"}`,
			want:  map[string]string{"access_token": "zat-new"}},
		{name: "zalo unmoved keeps every token", kind: zalo.Kind(nil), stored: zaloStored,
			patch: `{"api_base_url":"https://openapi.zalo.me/","secret_key":"********","access_token":"********","broadcast":true}`,
			want:  map[string]string{"secret_key": "zsk-old", "refresh_token": "zrt-old", "access_token": "zat-old", "access_token_expires_at": "2026-12-01T00:00:00Z"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.kind.MergeConfig(json.RawMessage(tc.stored), json.RawMessage(tc.patch))
			if tc.wantField != "" {
				var ce *channels.ConfigError
				if !errors.As(err, &ce) || ce.Field != tc.wantField {
					t.Fatalf("err = %v, want a ConfigError on %s; result %s", err, tc.wantField, got)
				}
				if !strings.Contains(ce.Message, "re-enter") {
					t.Errorf("message %q does not say to re-enter", ce.Message)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			var fields map[string]any
			if err := json.Unmarshal(got, &fields); err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.want {
				if fields[k] != v {
					t.Errorf("%s = %v, want %q (result %s)", k, fields[k], v, got)
				}
			}
			for _, k := range tc.absent {
				if _, ok := fields[k]; ok {
					t.Errorf("%s kept: %s", k, got)
				}
			}
		})
	}
}

// TestSecretsAtMost4096Bytes: before, a 900 KB secret was accepted.
func TestSecretsAtMost4096Bytes(t *testing.T) {
	long := strings.Repeat("a", channels.MaxSecretBytes+1)
	fits := strings.Repeat("a", channels.MaxSecretBytes)
	tests := []struct {
		kind   channels.Kind
		config map[string]any
		field  string
	}{
		{webhook.Kind(), map[string]any{"url": "https://cms.example.gov.vn/hook", "secret": long}, "secret"},
		{facebook.Kind(), map[string]any{"page_id": "1", "page_token": long}, "page_token"},
		{zalo.Kind(nil), map[string]any{"app_id": "1", "secret_key": long, "refresh_token": "r"}, "secret_key"},
		{zalo.Kind(nil), map[string]any{"app_id": "1", "secret_key": "s", "refresh_token": long}, "refresh_token"},
		{zalo.Kind(nil), map[string]any{"app_id": "1", "secret_key": "s", "refresh_token": "r", "access_token": long}, "access_token"},
		{wordpress.Kind(), map[string]any{"base_url": "https://xa.gov.vn", "username": "u", "app_password": long}, "app_password"},
	}
	for _, tc := range tests {
		t.Run(tc.kind.Name+"/"+tc.field, func(t *testing.T) {
			raw, _ := json.Marshal(tc.config)
			_, err := tc.kind.CheckConfig(raw)
			var ce *channels.ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field || !strings.Contains(ce.Message, "4096") {
				t.Fatalf("err = %v, want config.%s at most 4096 bytes", err, tc.field)
			}
			if tc.kind.Name == "wordpress" {
				return // its passwords have a fixed length anyway
			}
			tc.config[tc.field] = fits
			raw, _ = json.Marshal(tc.config)
			if _, err := tc.kind.CheckConfig(raw); err != nil {
				t.Fatalf("%d bytes refused: %v", channels.MaxSecretBytes, err)
			}
		})
	}
}

// TestMaskSecretsMasksCredentialsInURLs: before, https://user:pass@host was
// returned as it was stored.
func TestMaskSecretsMasksCredentialsInURLs(t *testing.T) {
	tests := []struct{ url, want string }{
		{"https://loa:pw-in-url@cms.example.gov.vn/hook?x=1", "https://loa:********@cms.example.gov.vn/hook?x=1"},
		{"https://tok-in-url@cms.example.gov.vn/hook", "https://********@cms.example.gov.vn/hook"},
		{"https://cms.example.gov.vn/hook", "https://cms.example.gov.vn/hook"},
	}
	for _, tc := range tests {
		masked, err := webhook.Kind().MaskSecrets(json.RawMessage(`{"url":"` + tc.url + `","secret":"whsec-0123456789abcdef"}`))
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]string
		json.Unmarshal(masked, &got)
		if got["url"] != tc.want || got["secret"] != channels.SecretMask {
			t.Errorf("masked %s = %s", tc.url, masked)
		}
		if strings.Contains(string(masked), "pw-in-url") || strings.Contains(string(masked), "tok-in-url") {
			t.Errorf("credential survived masking: %s", masked)
		}
	}
}

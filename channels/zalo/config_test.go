package zalo

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/channels"
)

func TestKindValidate(t *testing.T) {
	const base = `"app_id":"4321987654","secret_key":"appkeySECRET","refresh_token":"ref0xSECRET"`
	tests := []struct {
		name      string
		config    string
		want      string // normalised config when valid
		wantField string
	}{
		{name: "minimal, defaults filled", config: `{` + base + `}`,
			want: `{` + base + `,"access_token":"","default_cover_url":"","broadcast":false,` +
				`"api_base_url":"https://openapi.zalo.me","oauth_base_url":"https://oauth.zaloapp.com"}`},
		{name: "full, trimmed and normalised", config: `{"app_id":" 4321987654 ","secret_key":" appkeySECRET ","refresh_token":"ref0xSECRET",` +
			`"access_token":"acc0xSECRET","access_token_expires_at":"2026-01-16T08:00:00+07:00","default_cover_url":" https://cdn.example.gov.vn/c.jpg ",` +
			`"broadcast":true,"api_base_url":"http://127.0.0.1:8080/","oauth_base_url":"https://oauth.example.test/"}`,
			want: `{` + base + `,"access_token":"acc0xSECRET","access_token_expires_at":"2026-01-16T01:00:00Z",` +
				`"default_cover_url":"https://cdn.example.gov.vn/c.jpg","broadcast":true,` +
				`"api_base_url":"http://127.0.0.1:8080","oauth_base_url":"https://oauth.example.test"}`},
		{name: "nulls are absent", config: `{` + base + `,"access_token":null,"broadcast":null,"default_cover_url":null}`,
			want: `{` + base + `,"access_token":"","default_cover_url":"","broadcast":false,` +
				`"api_base_url":"https://openapi.zalo.me","oauth_base_url":"https://oauth.zaloapp.com"}`},
		{name: "not an object", config: `["x"]`, wantField: ""},
		{name: "null", config: `null`, wantField: ""},
		{name: "unknown field", config: `{` + base + `,"oa_id":"1"}`, wantField: "oa_id"},
		{name: "missing app_id", config: `{"secret_key":"appkeySECRET","refresh_token":"ref0xSECRET"}`, wantField: "app_id"},
		{name: "blank secret_key", config: `{"app_id":"1","secret_key":"  ","refresh_token":"ref0xSECRET"}`, wantField: "secret_key"},
		{name: "missing refresh_token", config: `{"app_id":"1","secret_key":"appkeySECRET"}`, wantField: "refresh_token"},
		{name: "app_id as a number", config: `{"app_id":4321987654,"secret_key":"appkeySECRET","refresh_token":"ref0xSECRET"}`, wantField: "app_id"},
		{name: "secret_key as an object", config: `{"app_id":"1","secret_key":{},"refresh_token":"ref0xSECRET"}`, wantField: "secret_key"},
		{name: "broadcast as a string", config: `{` + base + `,"broadcast":"yes"}`, wantField: "broadcast"},
		{name: "line break inside a token", config: `{` + base + `,"access_token":"acc0x\nSECRET"}`, wantField: "access_token"},
		{name: "bad expiry", config: `{` + base + `,"access_token_expires_at":"tomorrow"}`, wantField: "access_token_expires_at"},
		{name: "expiry as a number", config: `{` + base + `,"access_token_expires_at":1768446000}`, wantField: "access_token_expires_at"},
		{name: "cover over http", config: `{` + base + `,"default_cover_url":"http://cdn.example.gov.vn/c.jpg"}`, wantField: "default_cover_url"},
		{name: "relative cover", config: `{` + base + `,"default_cover_url":"/c.jpg"}`, wantField: "default_cover_url"},
		{name: "cover without host", config: `{` + base + `,"default_cover_url":"https:///c.jpg"}`, wantField: "default_cover_url"},
		{name: "api base ftp", config: `{` + base + `,"api_base_url":"ftp://openapi.zalo.me"}`, wantField: "api_base_url"},
		{name: "api base unparsable", config: `{` + base + `,"api_base_url":"http://[::1"}`, wantField: "api_base_url"},
		{name: "oauth base relative", config: `{` + base + `,"oauth_base_url":"oauth.zaloapp.com"}`, wantField: "oauth_base_url"},
	}
	validate := Kind(nil).Validate
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := validate(json.RawMessage(tt.config))
			if tt.want != "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				if string(got) != tt.want {
					t.Errorf("Validate =\n%s\nwant\n%s", got, tt.want)
				}
				again, err := validate(got)
				if err != nil || string(again) != string(got) {
					t.Errorf("normalised config does not validate to itself: %s, %v", again, err)
				}
				return
			}
			var ce *channels.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("Validate error = %v (%T), want *channels.ConfigError", err, err)
			}
			if ce.Field != tt.wantField {
				t.Errorf("field = %q, want %q (%v)", ce.Field, tt.wantField, err)
			}
			assertNoSecret(t, "error", err.Error())
		})
	}
}

func TestKind(t *testing.T) {
	s := newSetup(t, nil)
	k := Kind(s.store)
	if k.Name != "zalo_oa" || !slices.Equal(k.SecretFields, []string{"secret_key", "refresh_token", "access_token"}) {
		t.Fatalf("Kind = %q %v", k.Name, k.SecretFields)
	}
	raw, _ := json.Marshal(s.store.stored())
	masked, err := k.MaskSecrets(raw)
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, "masked config", string(masked))

	env := channels.Env{ChannelID: testChannelID, Now: testNow,
		HTTPClient: &http.Client{Timeout: time.Second, Transport: &http.Transport{}}}
	ch, err := k.New(raw, env)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer ch.Close()
	if ch.Kind() != "zalo_oa" {
		t.Errorf("Kind() = %q", ch.Kind())
	}
	if _, ok := ch.(channels.Idempotent); ok {
		t.Error("Zalo has no idempotency key; the channel must not claim to be Idempotent")
	}
	if got := ch.(channels.Checker).Check(context.Background()); !got.OK || got.Account != testOAName {
		t.Errorf("Check = %+v", got)
	}

	if _, err := k.New(json.RawMessage(`{"app_id":"1"}`), env); err == nil || !strings.Contains(err.Error(), "secret_key") {
		t.Errorf("New accepted a config without secret_key: %v", err)
	}
}

func TestNewChecksOptions(t *testing.T) {
	tests := []struct {
		name      string
		opts      Options
		wantField string
	}{
		{name: "no app id", opts: Options{SecretKey: "k", RefreshToken: "r"}, wantField: "app_id"},
		{name: "no refresh token", opts: Options{AppID: "1", SecretKey: "k"}, wantField: "refresh_token"},
		{name: "http cover", opts: Options{AppID: "1", SecretKey: "k", RefreshToken: "r", DefaultCoverURL: "http://x/c.jpg"}, wantField: "default_cover_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts)
			var ce *channels.ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.wantField {
				t.Fatalf("New error = %v, want ConfigError on %q", err, tt.wantField)
			}
		})
	}
}

package wordpress

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/loa-vn/loa/channels"
)

func decomposed(s string) string { return norm.NFD.String(s) }

func TestKindValidate(t *testing.T) {
	tests := []struct {
		name      string
		config    string
		want      string
		wantField string
		wantText  string
	}{
		{name: "normalised",
			config: `{"base_url":" https://xa.example.gov.vn/ ","username":" bientap ","app_password":"abcd EFGH ijkl MNOP qrst UV12"}`,
			want:   `{"base_url":"https://xa.example.gov.vn","username":"bientap","app_password":"abcdEFGHijklMNOPqrstUV12"}`},
		{name: "site in a folder over http",
			config: `{"base_url":"http://127.0.0.1:8089/tin-tuc//","username":"a@b.vn","app_password":"abcdEFGHijklMNOPqrstUV12"}`,
			want:   `{"base_url":"http://127.0.0.1:8089/tin-tuc","username":"a@b.vn","app_password":"abcdEFGHijklMNOPqrstUV12"}`},
		{name: "not an object", config: `[]`, wantField: "", wantText: "JSON object"},
		{name: "unknown field", config: `{"base_url":"https://x.vn","username":"a","app_password":"abcdEFGHijklMNOPqrstUV12","token":"x"}`, wantField: "token"},
		{name: "base_url missing", config: `{"username":"a","app_password":"abcdEFGHijklMNOPqrstUV12"}`, wantField: "base_url", wantText: "is required"},
		{name: "base_url not a string", config: `{"base_url":1}`, wantField: "base_url", wantText: "must be a string"},
		{name: "base_url relative", config: `{"base_url":"xa.gov.vn","username":"a","app_password":"abcdEFGHijklMNOPqrstUV12"}`, wantField: "base_url", wantText: "absolute"},
		{name: "base_url ftp", config: `{"base_url":"ftp://xa.gov.vn","username":"a","app_password":"abcdEFGHijklMNOPqrstUV12"}`, wantField: "base_url"},
		{name: "base_url with wp-json", config: `{"base_url":"https://xa.gov.vn/wp-json/","username":"a","app_password":"abcdEFGHijklMNOPqrstUV12"}`,
			wantField: "base_url", wantText: "without /wp-json"},
		{name: "base_url with query", config: `{"base_url":"https://xa.gov.vn/?rest_route=/","username":"a","app_password":"abcdEFGHijklMNOPqrstUV12"}`,
			wantField: "base_url", wantText: "without ?query"},
		{name: "base_url with user", config: `{"base_url":"https://a:b@xa.gov.vn","username":"a","app_password":"abcdEFGHijklMNOPqrstUV12"}`,
			wantField: "base_url", wantText: "user name or password"},
		{name: "username missing", config: `{"base_url":"https://xa.gov.vn","app_password":"abcdEFGHijklMNOPqrstUV12"}`, wantField: "username"},
		{name: "username with colon", config: `{"base_url":"https://xa.gov.vn","username":"a:b","app_password":"abcdEFGHijklMNOPqrstUV12"}`, wantField: "username"},
		{name: "password missing", config: `{"base_url":"https://xa.gov.vn","username":"a","app_password":null}`, wantField: "app_password", wantText: "is required"},
		{name: "login password instead", config: `{"base_url":"https://xa.gov.vn","username":"a","app_password":"Mật-khẩu đăng nhập!"}`,
			wantField: "app_password", wantText: "Application Password: 24 letters and digits"},
		{name: "password too short", config: `{"base_url":"https://xa.gov.vn","username":"a","app_password":"abcd EFGH"}`, wantField: "app_password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Kind().Validate(json.RawMessage(tt.config))
			if tt.want != "" {
				if err != nil || string(got) != tt.want {
					t.Fatalf("Validate = %s, %v; want %s", got, err, tt.want)
				}
				return
			}
			var ce *channels.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error = %v, want *channels.ConfigError", err)
			}
			if ce.Field != tt.wantField || !strings.Contains(ce.Message, tt.wantText) {
				t.Errorf("error = %v, want field %q and %q", err, tt.wantField, tt.wantText)
			}
			if strings.Contains(err.Error(), "Mật-khẩu") || strings.Contains(err.Error(), "abcd") {
				t.Errorf("error repeats the password: %v", err)
			}
		})
	}
}

func TestKindNewPublishes(t *testing.T) {
	k := Kind()
	if k.Name != "wordpress" || len(k.SecretFields) != 1 || k.SecretFields[0] != "app_password" {
		t.Fatalf("Kind = %q %v", k.Name, k.SecretFields)
	}
	f := newFakeWP(t, nil)
	cfg, err := k.Validate(json.RawMessage(`{"base_url":"` + f.srv.URL + `","username":"bientap","app_password":"` + testPassword + `"}`))
	if err != nil {
		t.Fatal(err)
	}
	masked, err := k.MaskSecrets(cfg)
	if err != nil || strings.Contains(string(masked), testPasswordPlain) {
		t.Errorf("MaskSecrets = %s, %v", masked, err)
	}
	ch, err := k.New(cfg, channels.Env{HTTPClient: &http.Client{Timeout: time.Second, Transport: &http.Transport{}}})
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	if ch.Kind() != "wordpress" {
		t.Errorf("Kind() = %q", ch.Kind())
	}
	if _, err := ch.Publish(t.Context(), testMessage()); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if got := f.requests()[0].header.Get("Authorization"); got != wantAuth {
		t.Errorf("Authorization = %q", got)
	}
	if _, err := k.New(json.RawMessage(`{"base_url":"x"}`), channels.Env{}); err == nil {
		t.Error("New accepted a bad config")
	}
}

func TestNewChecksOptions(t *testing.T) {
	_, err := New(Options{BaseURL: "https://xa.gov.vn", Username: "a", AppPassword: "short"})
	if err == nil || !strings.HasPrefix(err.Error(), "wordpress: config.app_password:") {
		t.Errorf("New = %v", err)
	}
	wp, err := New(Options{BaseURL: "https://xa.gov.vn/", Username: "a", AppPassword: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	if wp.base != "https://xa.gov.vn" || wp.password != testPasswordPlain || wp.client.Timeout != defaultTimeout {
		t.Errorf("New = %q %q %s", wp.base, wp.password, wp.client.Timeout)
	}
}

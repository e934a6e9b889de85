package facebook

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/channels"
)

func TestKindValidate(t *testing.T) {
	const tok = `"page_token":"` + testToken + `"`
	tests := []struct {
		name      string
		config    string
		want      string // normalised config when valid
		wantField string
	}{
		{name: "defaults filled", config: `{"page_id":" 104857600123456 ",` + tok + `}`,
			want: `{"page_id":"104857600123456",` + tok + `,"api_version":"v25.0","api_base_url":"https://graph.facebook.com"}`},
		{name: "all fields, trailing slash trimmed",
			config: `{"api_base_url":"http://127.0.0.1:8080/graph/","api_version":"v26.0","page_id":"1",` + tok + `}`,
			want:   `{"page_id":"1",` + tok + `,"api_version":"v26.0","api_base_url":"http://127.0.0.1:8080/graph"}`},
		{name: "nulls mean defaults", config: `{"page_id":"1",` + tok + `,"api_version":null,"api_base_url":null}`,
			want: `{"page_id":"1",` + tok + `,"api_version":"v25.0","api_base_url":"https://graph.facebook.com"}`},
		{name: "missing page_id", config: `{` + tok + `}`, wantField: "page_id"},
		{name: "page name instead of id", config: `{"page_id":"ubndxatanphu",` + tok + `}`, wantField: "page_id"},
		{name: "page URL instead of id", config: `{"page_id":"https://facebook.com/104857600123456",` + tok + `}`, wantField: "page_id"},
		{name: "page id with a space", config: `{"page_id":"1048 5760",` + tok + `}`, wantField: "page_id"},
		{name: "negative page id", config: `{"page_id":"-1",` + tok + `}`, wantField: "page_id"},
		{name: "numeric page id", config: `{"page_id":104857600123456,` + tok + `}`, wantField: "page_id"},
		{name: "missing token", config: `{"page_id":"1"}`, wantField: "page_token"},
		{name: "blank token", config: `{"page_id":"1","page_token":"   "}`, wantField: "page_token"},
		{name: "token with a space", config: `{"page_id":"1","page_token":"EAAG abc"}`, wantField: "page_token"},
		{name: "token of wrong type", config: `{"page_id":"1","page_token":["x"]}`, wantField: "page_token"},
		{name: "version without v", config: `{"page_id":"1",` + tok + `,"api_version":"25.0"}`, wantField: "api_version"},
		{name: "version without minor", config: `{"page_id":"1",` + tok + `,"api_version":"v25"}`, wantField: "api_version"},
		{name: "version with patch", config: `{"page_id":"1",` + tok + `,"api_version":"v25.0.1"}`, wantField: "api_version"},
		{name: "version with two v", config: `{"page_id":"1",` + tok + `,"api_version":"vv25.0"}`, wantField: "api_version"},
		{name: "version with path", config: `{"page_id":"1",` + tok + `,"api_version":"v25.0/../me"}`, wantField: "api_version"},
		{name: "version of wrong type", config: `{"page_id":"1",` + tok + `,"api_version":25}`, wantField: "api_version"},
		{name: "base URL without scheme", config: `{"page_id":"1",` + tok + `,"api_base_url":"graph.facebook.com"}`, wantField: "api_base_url"},
		{name: "base URL with query", config: `{"page_id":"1",` + tok + `,"api_base_url":"https://graph.facebook.com/?x=1"}`, wantField: "api_base_url"},
		{name: "base URL with credentials", config: `{"page_id":"1",` + tok + `,"api_base_url":"https://u:p@graph.facebook.com"}`, wantField: "api_base_url"},
		{name: "base URL of wrong type", config: `{"page_id":"1",` + tok + `,"api_base_url":true}`, wantField: "api_base_url"},
		{name: "unknown field", config: `{"page_id":"1",` + tok + `,"app_secret":"x"}`, wantField: "app_secret"},
		{name: "not an object", config: `"104857600123456"`, wantField: ""},
		{name: "null", config: `null`, wantField: ""},
	}
	validate := Kind().Validate
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
				return
			}
			var ce *channels.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("Validate error = %v (%T), want *channels.ConfigError", err, err)
			}
			if ce.Field != tt.wantField {
				t.Errorf("field = %q, want %q (%v)", ce.Field, tt.wantField, err)
			}
			if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), "EAAG") {
				t.Errorf("error text contains the token: %v", err)
			}
		})
	}
}

func TestKindNewPublishes(t *testing.T) {
	k := Kind()
	if k.Name != "facebook_page" || len(k.SecretFields) != 1 || k.SecretFields[0] != "page_token" {
		t.Fatalf("Kind = %q %v, want facebook_page [page_token]", k.Name, k.SecretFields)
	}
	g := newFakeGraph(t)
	config := json.RawMessage(`{"page_id":"` + testPage + `","page_token":"` + testToken + `","api_base_url":"` + g.srv.URL + `"}`)
	ch, err := k.New(config, channels.Env{HTTPClient: &http.Client{Timeout: time.Second}, ChannelID: 9})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer ch.Close()
	if ch.Kind() != "facebook_page" {
		t.Errorf("Kind() = %q", ch.Kind())
	}
	if _, ok := ch.(channels.Idempotent); ok {
		t.Error("channel claims Idempotent; Graph has no idempotency key")
	}
	receipt, err := ch.Publish(context.Background(), testMessage())
	if err != nil || receipt.ExternalID != testPage+"_900001" {
		t.Fatalf("Publish = %+v, %v", receipt, err)
	}
	if got := onlyRequest(t, g).path; got != "/v25.0/"+testPage+"/feed" {
		t.Errorf("path = %s, want the default version", got)
	}

	if _, err := k.New(json.RawMessage(`{"page_id":"x","page_token":"t"}`), channels.Env{}); err == nil {
		t.Error("New accepted a non-numeric page_id")
	}
}

func TestNewChecksOptions(t *testing.T) {
	tests := []struct {
		name      string
		opts      Options
		wantField string
	}{
		{name: "no page", opts: Options{PageToken: testToken}, wantField: "page_id"},
		{name: "no token", opts: Options{PageID: testPage}, wantField: "page_token"},
		{name: "bad version", opts: Options{PageID: testPage, PageToken: testToken, APIVersion: "latest"}, wantField: "api_version"},
		{name: "bad base", opts: Options{PageID: testPage, PageToken: testToken, BaseURL: "ftp://graph"}, wantField: "api_base_url"},
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

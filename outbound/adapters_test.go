package outbound_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/facebook"
	"github.com/loa-vn/loa/channels/webhook"
	"github.com/loa-vn/loa/channels/wordpress"
	"github.com/loa-vn/loa/channels/zalo"
	"github.com/loa-vn/loa/outbound"
)

// configStore hands the adapter its config and keeps what it writes.
type configStore struct{ config json.RawMessage }

func (s *configStore) UpdateConfig(_ context.Context, _ int64, fn func(json.RawMessage) (json.RawMessage, error)) error {
	next, err := fn(s.config)
	if err == nil {
		s.config = next
	}
	return err
}

// Every adapter that calls a platform sends through the client it is given;
// with the guard's client a loopback endpoint fails at once, permanently
// (no retry can help until an administrator acts) and says why.
func TestAdaptersFailPermanentlyOnBlockedAddress(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	future := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
	zaloConfig := func(access string) map[string]any {
		return map[string]any{"app_id": "123", "secret_key": "secret", "refresh_token": "refresh", "access_token": access,
			"access_token_expires_at": future, "default_cover_url": "https://cdn.example/cover.jpg",
			"api_base_url": srv.URL, "oauth_base_url": srv.URL}
	}
	for _, tt := range []struct {
		name   string
		kind   channels.Kind
		config map[string]any
	}{
		{"webhook", webhook.Kind(), map[string]any{"url": srv.URL + "/hook", "secret": "0123456789abcdef"}},
		{"wordpress", wordpress.Kind(), map[string]any{"base_url": srv.URL, "username": "loa", "app_password": "abcdABCD1234abcdABCD1234"}},
		{"facebook", facebook.Kind(), map[string]any{"page_id": "1234567890", "page_token": "page-token", "api_base_url": srv.URL}},
		{"zalo", zalo.Kind(nil), zaloConfig("access")},
		{"zalo token refresh", channels.Kind{}, zaloConfig("")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			raw, _ := json.Marshal(tt.config)
			kind := tt.kind
			if kind.Name == "" {
				kind = zalo.Kind(&configStore{config: raw})
			}
			clean, err := kind.Validate(raw)
			if err != nil {
				t.Fatalf("config: %v", err)
			}
			guard := outbound.New(outbound.Options{})
			ch, err := kind.New(clean, channels.Env{HTTPClient: guard.Client(5 * time.Second), ChannelID: 7})
			if err != nil {
				t.Fatal(err)
			}
			defer ch.Close()
			_, err = ch.Publish(context.Background(), channels.Message{
				DeliveryID: 1, PostID: 1, ChannelID: 7, IdempotencyKey: "loa-1-7", Title: "Thông báo",
				Summary: "Tóm tắt", BodyHTML: "<p>Nội dung</p>", Link: "https://xa.gov.vn/tin/1",
				ScheduledAt: time.Now(), Attempt: 1,
			})
			if class := channels.ClassOf(err); class != channels.ClassPermanent {
				t.Fatalf("class = %v (%v), want permanent", class, err)
			}
			want := "refused to connect to 127.0.0.1 (loopback address); set LOA_ALLOW_PRIVATE_TARGETS to allow it"
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error = %q, want it to say %q", err, want)
			}
			if checker, ok := ch.(channels.Checker); ok {
				res := checker.Check(context.Background())
				if res.OK || !strings.Contains(res.Detail+res.Reason, "refused to connect to 127.0.0.1") {
					t.Errorf("Check = %+v, want the refusal in its detail", res)
				}
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("%d requests reached the loopback server", n)
	}
}

// Every endpoint field of every adapter goes through the one syntax check:
// a URL longer than 2,048 bytes or with a fragment is refused, naming the field.
func TestAdapterEndpointFieldsUseTheSharedURLCheck(t *testing.T) {
	long := "https://xa.gov.vn/" + strings.Repeat("a", outbound.MaxURLBytes)
	for _, k := range []struct {
		kind  channels.Kind
		valid map[string]any
	}{
		{webhook.Kind(), map[string]any{"url": "https://hook.example/loa", "secret": "0123456789abcdef"}},
		{wordpress.Kind(), map[string]any{"base_url": "https://xa.gov.vn", "username": "loa", "app_password": "abcdABCD1234abcdABCD1234"}},
		{facebook.Kind(), map[string]any{"page_id": "1234567890", "page_token": "page-token"}},
		{zalo.Kind(nil), map[string]any{"app_id": "123", "secret_key": "secret", "refresh_token": "refresh"}},
	} {
		kind := k.kind
		if len(kind.EndpointFields) == 0 {
			t.Fatalf("%s declares no endpoint fields", kind.Name)
		}
		for _, field := range kind.EndpointFields {
			for _, tt := range []struct{ value, want string }{
				{long, "is longer than 2048 bytes"},
				{"https://xa.gov.vn/#top", "must not contain a #fragment"},
				{"https://xa..gov.vn", "must include a valid host name"},
				{"ftp://xa.gov.vn", "must be an absolute http"},
			} {
				config := map[string]any{}
				for k, v := range k.valid {
					config[k] = v
				}
				config[field] = tt.value
				raw, _ := json.Marshal(config)
				_, err := kind.Validate(raw)
				ce, ok := err.(*channels.ConfigError)
				if !ok || ce.Field != field || !strings.Contains(ce.Message, tt.want) {
					t.Errorf("%s.%s = %.40q…: err = %v, want config.%s %s", kind.Name, field, tt.value, err, field, tt.want)
				}
			}
		}
	}
}

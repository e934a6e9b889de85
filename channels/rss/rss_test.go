package rss_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/rss"
)

const testBase = "https://loa.example.gov.vn"

func TestValidate(t *testing.T) {
	validate := rss.Kind().Validate
	cases := []struct {
		name      string
		config    string
		want      string // normalised JSON when ok
		wantField string // ConfigError field when not ok
	}{
		{
			name:   "ok with defaults",
			config: `{"slug":"ubnd-ha-noi","title":"UBND Hà Nội"}`,
			want:   `{"slug":"ubnd-ha-noi","title":"UBND Hà Nội","description":"","language":"vi"}`,
		},
		{
			name:   "uppercase slug and spaces normalised",
			config: `{"slug":"  UBND-Ha-Noi ","title":"  Tin tức  ","description":" Mô tả ","language":"en-US"}`,
			want:   `{"slug":"ubnd-ha-noi","title":"Tin tức","description":"Mô tả","language":"en-US"}`,
		},
		{
			name:   "null optional field is absent",
			config: `{"slug":"a","title":"T","description":null}`,
			want:   `{"slug":"a","title":"T","description":"","language":"vi"}`,
		},
		{name: "slug with bad chars", config: `{"slug":"ubnd_hn","title":"T"}`, wantField: "slug"},
		{name: "slug with slash", config: `{"slug":"a/b","title":"T"}`, wantField: "slug"},
		{name: "slug with non-ascii", config: `{"slug":"hà-nội","title":"T"}`, wantField: "slug"},
		{name: "slug kelvin sign", config: `{"slug":"\u212a","title":"T"}`, wantField: "slug"},
		{name: "slug leading dash", config: `{"slug":"-hn","title":"T"}`, wantField: "slug"},
		{name: "slug trailing dash", config: `{"slug":"hn-","title":"T"}`, wantField: "slug"},
		{name: "slug too long", config: `{"slug":"` + strings.Repeat("a", 65) + `","title":"T"}`, wantField: "slug"},
		{name: "slug missing", config: `{"title":"T"}`, wantField: "slug"},
		{name: "title missing", config: `{"slug":"a"}`, wantField: "title"},
		{name: "title blank", config: `{"slug":"a","title":"   "}`, wantField: "title"},
		{name: "title too long", config: `{"slug":"a","title":"` + strings.Repeat("ệ", 201) + `"}`, wantField: "title"},
		{name: "description too long", config: `{"slug":"a","title":"T","description":"` + strings.Repeat("ư", 1001) + `"}`, wantField: "description"},
		{name: "bad language", config: `{"slug":"a","title":"T","language":"tiếng việt"}`, wantField: "language"},
		{name: "unknown field", config: `{"slug":"a","title":"T","url":"x"}`, wantField: "url"},
		{name: "wrong type", config: `{"slug":"a","title":42}`, wantField: "title"},
		{name: "unknown field reported before a wrong type", config: `{"slug":"a","title":42,"url":"x"}`, wantField: "url"},
		{name: "not an object", config: `["a"]`, wantField: ""},
		{name: "null", config: `null`, wantField: ""},
		{name: "invalid JSON", config: `{"slug":`, wantField: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := validate(json.RawMessage(tc.config))
			if tc.want != "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				if string(got) != tc.want {
					t.Fatalf("Validate = %s, want %s", got, tc.want)
				}
				return
			}
			var ce *channels.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("Validate error = %v, want *channels.ConfigError", err)
			}
			if ce.Field != tc.wantField {
				t.Fatalf("ConfigError.Field = %q (%v), want %q", ce.Field, ce, tc.wantField)
			}
		})
	}
}

func TestValidateAcceptsLimits(t *testing.T) {
	config := `{"slug":"` + strings.Repeat("a", 64) + `","title":"` + strings.Repeat("ệ", 200) + `","description":"` + strings.Repeat("ư", 1000) + `"}`
	if _, err := rss.Kind().Validate(json.RawMessage(config)); err != nil {
		t.Fatalf("Validate at the limits: %v", err)
	}
}

func TestKind(t *testing.T) {
	k := rss.Kind()
	if k.Name != "rss" || len(k.SecretFields) != 0 {
		t.Fatalf("Kind = %q with secrets %v", k.Name, k.SecretFields)
	}
	if _, err := channels.NewRegistry(k); err != nil {
		t.Fatalf("NewRegistry: %v", err)
	}
	config := json.RawMessage(`{"slug":"Tin-Tuc","title":"Tin tức"}`)
	if got := k.FeedSlug(config); got != "tin-tuc" {
		t.Fatalf("FeedSlug = %q", got)
	}
	if got := k.FeedSlug(json.RawMessage(`{"slug":"a b"}`)); got != "" {
		t.Fatalf("FeedSlug of invalid config = %q, want empty", got)
	}
	ch, err := k.New(config, channels.Env{PublicBaseURL: testBase})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if ch.Kind() != "rss" {
		t.Fatalf("Kind() = %q", ch.Kind())
	}
	if _, err := k.New(config, channels.Env{}); err == nil {
		t.Fatal("New without PublicBaseURL succeeded")
	}
}

func TestNew(t *testing.T) {
	cases := []struct {
		name string
		o    rss.Options
		ok   bool
	}{
		{"ok", rss.Options{Slug: "hn", Title: "T", PublicBaseURL: testBase}, true},
		{"trailing slash", rss.Options{Slug: "hn", Title: "T", PublicBaseURL: testBase + "/"}, true},
		{"bad slug", rss.Options{Slug: "h n", Title: "T", PublicBaseURL: testBase}, false},
		{"no title", rss.Options{Slug: "hn", PublicBaseURL: testBase}, false},
		{"no base", rss.Options{Slug: "hn", Title: "T"}, false},
		{"relative base", rss.Options{Slug: "hn", Title: "T", PublicBaseURL: "/loa"}, false},
		{"ftp base", rss.Options{Slug: "hn", Title: "T", PublicBaseURL: "ftp://x"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rss.New(tc.o)
			if (err == nil) != tc.ok {
				t.Fatalf("New error = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "rss: ") {
				t.Fatalf("error %q lacks the rss: prefix", err)
			}
		})
	}
}

func newChannel(t *testing.T) *rss.Channel {
	t.Helper()
	ch, err := rss.New(rss.Options{Slug: "ubnd-hn", Title: "UBND Hà Nội", PublicBaseURL: testBase + "/"})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := ch.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return ch
}

func TestPublishReceipt(t *testing.T) {
	ch := newChannel(t)
	if !ch.Idempotent() || ch.Kind() != "rss" {
		t.Fatalf("Idempotent=%v Kind=%q", ch.Idempotent(), ch.Kind())
	}
	msg := channels.Message{DeliveryID: 42, PostID: 7, Title: "Thông báo"}
	r, err := ch.Publish(context.Background(), msg)
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	want := channels.Receipt{
		ExternalID:  "urn:loa:feed:ubnd-hn:delivery:42",
		ExternalURL: "https://loa.example.gov.vn/feeds/ubnd-hn/items/42",
	}
	if r != want {
		t.Fatalf("Receipt = %+v, want %+v", r, want)
	}
	if r.ExternalID != rss.ItemID("ubnd-hn", 42) || r.ExternalURL != rss.ItemURL(testBase, "ubnd-hn", 42) {
		t.Fatalf("Receipt does not match ItemID/ItemURL: %+v", r)
	}
	again, err := ch.Publish(context.Background(), msg)
	if err != nil || again != r {
		t.Fatalf("second Publish = %+v, %v; want the same receipt", again, err)
	}
}

func TestPublishErrors(t *testing.T) {
	ch := newChannel(t)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name  string
		ctx   context.Context
		msg   channels.Message
		class channels.Class
		is    error
	}{
		{"no title", context.Background(), channels.Message{DeliveryID: 1}, channels.ClassPermanent, nil},
		{"blank title", context.Background(), channels.Message{DeliveryID: 1, Title: " \n"}, channels.ClassPermanent, nil},
		{"zero delivery", context.Background(), channels.Message{Title: "T"}, channels.ClassPermanent, nil},
		{"negative delivery", context.Background(), channels.Message{DeliveryID: -3, Title: "T"}, channels.ClassPermanent, nil},
		{"cancelled", cancelled, channels.Message{DeliveryID: 1, Title: "T"}, channels.ClassRetryable, context.Canceled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ch.Publish(tc.ctx, tc.msg)
			if err == nil {
				t.Fatalf("Publish succeeded with %+v", r)
			}
			if got := channels.ClassOf(err); got != tc.class {
				t.Fatalf("class = %v, want %v (%v)", got, tc.class, err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("error %v is not %v", err, tc.is)
			}
			if r != (channels.Receipt{}) {
				t.Fatalf("receipt on error = %+v", r)
			}
		})
	}
}

func TestIDsAndURLs(t *testing.T) {
	if got := rss.ItemID("hn", 9); got != "urn:loa:feed:hn:delivery:9" {
		t.Fatalf("ItemID = %q", got)
	}
	if got := rss.ItemURL("https://x.vn/", "hn", 9); got != "https://x.vn/feeds/hn/items/9" {
		t.Fatalf("ItemURL = %q", got)
	}
	if got := rss.FeedURL("https://x.vn", "hn", rss.FormatAtom); got != "https://x.vn/feeds/hn.atom" {
		t.Fatalf("FeedURL = %q", got)
	}
	if got := rss.FeedURL("https://x.vn", "hn", rss.FormatRSS); got != "https://x.vn/feeds/hn.rss" {
		t.Fatalf("FeedURL = %q", got)
	}
}

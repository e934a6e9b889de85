package channels_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/loa-vn/loa/channels"
)

func kind(name string) channels.Kind {
	return channels.Kind{
		Name:         name,
		SecretFields: []string{"secret", "token"},
		Validate:     func(c json.RawMessage) (json.RawMessage, error) { return c, nil },
		New:          func(json.RawMessage, channels.Env) (channels.Channel, error) { return nil, nil },
	}
}

func TestRegistryRefusesDuplicatesAndIncompleteKinds(t *testing.T) {
	if _, err := channels.NewRegistry(kind("a"), kind("a")); err == nil || !strings.Contains(err.Error(), "already registered") {
		t.Fatalf("duplicate kind: err = %v", err)
	}
	incomplete := kind("b")
	incomplete.New = nil
	if _, err := channels.NewRegistry(incomplete); err == nil {
		t.Fatal("kind without New accepted")
	}
	r, err := channels.NewRegistry(kind("webhook"), kind("rss"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Names(), ","); got != "rss,webhook" {
		t.Fatalf("Names = %s", got)
	}
	if _, ok := r.Lookup("zalo"); ok {
		t.Fatal("unknown kind found")
	}
}

func TestMaskSecrets(t *testing.T) {
	masked, err := kind("x").MaskSecrets(json.RawMessage(`{"url":"https://a","secret":"s3cr3t","token":"","other":1}`))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	json.Unmarshal(masked, &got)
	if got["secret"] != channels.SecretMask || got["token"] != "" || got["url"] != "https://a" || got["other"] != 1.0 {
		t.Fatalf("masked = %s", masked)
	}
	if strings.Contains(string(masked), "s3cr3t") {
		t.Fatal("secret survived masking")
	}
}

func TestErrorClasses(t *testing.T) {
	tests := []struct {
		err  error
		want channels.Class
	}{
		{channels.Retryable(errors.New("x"), 0), channels.ClassRetryable},
		{channels.Permanent(errors.New("x")), channels.ClassPermanent},
		{channels.Ambiguous(errors.New("x")), channels.ClassAmbiguous},
		{errors.New("unclassified"), channels.ClassAmbiguous},
		{wrap(channels.Permanent(errors.New("x"))), channels.ClassPermanent},
	}
	for _, tc := range tests {
		if got := channels.ClassOf(tc.err); got != tc.want {
			t.Errorf("ClassOf(%v) = %s, want %s", tc.err, got, tc.want)
		}
	}
}

func wrap(err error) error { return errors.Join(errors.New("context"), err) }

func TestConfigErrorMessage(t *testing.T) {
	if got := (&channels.ConfigError{Field: "url", Message: "is required"}).Error(); got != "config.url: is required" {
		t.Fatal(got)
	}
	if got := (&channels.ConfigError{Message: "must be a JSON object"}).Error(); got != "config: must be a JSON object" {
		t.Fatal(got)
	}
}

package admin

import (
	"errors"
	"strings"
	"testing"

	"github.com/loa-vn/loa/publishing"
)

func fieldOf(err error) string {
	var bad *publishing.InvalidError
	if errors.As(err, &bad) {
		return bad.Field
	}
	return ""
}

// The rules the API and the pages share, each with its field.
func TestRules(t *testing.T) {
	str := func(s string) *string { return &s }
	tests := []struct {
		name  string
		err   error
		field string
	}{
		{"password of 10 characters", CheckPassword("mật khẩu 1"), ""},
		{"password of 9 characters", CheckPassword("mật khẩu1"), "password"},
		{"password over 200 bytes", CheckPassword(strings.Repeat("ư", 101)), "password"},
		{"role officer", CheckRole("officer"), ""},
		{"role root", CheckRole("root"), "role"},
		{"name", func() error { _, err := UserName(str(" <b>Nguyễn Văn An</b> ")); return err }(), ""},
		{"no name", func() error { _, err := UserName(nil); return err }(), "name"},
		{"name of markup only", func() error { _, err := UserName(str("<b></b>")); return err }(), "name"},
		{"name of 101 characters", func() error { _, err := UserName(str(strings.Repeat("a", 101))); return err }(), "name"},
		{"name over 200 bytes", func() error { _, err := UserName(str(strings.Repeat("ệ", 67))); return err }(), "name"},
		{"agency code", func() error { _, err := AgencyCode(str("xa-dong-tam")); return err }(), ""},
		{"agency code upper case", func() error { _, err := AgencyCode(str("Xa")); return err }(), "code"},
		{"no agency code", func() error { _, err := AgencyCode(nil); return err }(), "code"},
		{"agency name of 201 characters", func() error { _, err := AgencyName(str(strings.Repeat("ơ", 201))); return err }(), "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fieldOf(tt.err); got != tt.field || (tt.field == "") != (tt.err == nil) {
				t.Errorf("got %v (field %q), want field %q", tt.err, got, tt.field)
			}
		})
	}
	if name, _ := UserName(str(" <b>Nguyễn Văn An</b> ")); name != "Nguyễn Văn An" {
		t.Errorf("cleaned name %q", name)
	}
}

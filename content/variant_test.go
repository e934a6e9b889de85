package content

import (
	"strings"
	"testing"
)

func TestCleanVariant(t *testing.T) {
	tests := []struct {
		name      string
		in        Variant
		wantField string
		check     func(Variant) bool
	}{
		{"empty is fine", Variant{}, "", func(v Variant) bool { return v == Variant{} }},
		{"text keeps lines, drops markup", Variant{Text: "Dòng một <b>đậm</b>\r\n\r\n\r\nDòng   hai"}, "",
			func(v Variant) bool { return v.Text == "Dòng một đậm\n\nDòng hai" }},
		{"body sanitised", Variant{Body: `<p onclick="x">Hi</p><script>1</script>`}, "",
			func(v Variant) bool {
				return !strings.Contains(v.Body, "onclick") && !strings.Contains(v.Body, "script")
			}},
		{"priority normalised", Variant{Priority: " Emergency "}, "", func(v Variant) bool { return v.Priority == PriorityEmergency }},
		{"bad priority", Variant{Priority: "urgent"}, "priority", nil},
		{"relative link", Variant{Link: "/tin/1"}, "link", nil},
		{"javascript link", Variant{Link: "javascript:alert(1)"}, "link", nil},
		{"bad image", Variant{ImageURL: "ftp://x/y.png"}, "image_url", nil},
		{"title too long", Variant{Title: strings.Repeat("a", 251)}, "title", nil},
		{"text too long", Variant{Text: strings.Repeat("a", MaxTextRunes+1)}, "text", nil},
		{"script-only body", Variant{Body: "<script>x</script>"}, "body", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, errs := CleanVariant(tc.in)
			if tc.wantField == "" {
				if len(errs) > 0 || !tc.check(got) {
					t.Fatalf("got %+v, errs %v", got, errs)
				}
				return
			}
			if len(errs) == 0 || errs[0].Field != tc.wantField {
				t.Fatalf("errs = %v, want field %s", errs, tc.wantField)
			}
		})
	}
}

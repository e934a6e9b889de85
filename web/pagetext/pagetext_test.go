package pagetext

import (
	"slices"
	"testing"
)

func TestUntranslated(t *testing.T) {
	tests := []struct {
		name   string
		strict bool
		allow  []string
		text   string
		want   []string
	}{
		{"Vietnamese", true, nil, "Đăng nhập · Tổng quan · Gửi duyệt · Tin số 12: Bản tin", nil},
		{"Vietnamese without diacritics", true, nil, "Nguyen Van An, truong phong thong tin, quyen, khuya, nghieng", nil},
		{"English button", false, nil, "Sign in", []string{"Sign"}},
		{"English word not in the list, strict", true, nil, "Upload ảnh", []string{"Upload"}},
		{"English word not in the list, not strict", false, nil, "Upload ảnh", nil},
		{"technical words", true, nil, "Kênh RSS/Atom và webhook, Zalo OA, Trang Facebook (WordPress), URL, ID", nil},
		{"addresses and identifiers", true, nil,
			"Mở http://127.0.0.1:8080/feeds/tin-cchc.rss hoặc /setup/abc, gửi tới admin@example.gov.vn, giờ Asia/Ho_Chi_Minh, rộng 390px", nil},
		{"template code and formats", true, nil, "dùng {{date .Published}} cho ra dd/mm/yyyy; {{with .ImageURL}}…{{end}}", nil},
		{"test data allowed", true, []string{"Tin CCHC"}, "Kênh Tin CCHC", nil},
		{"test data not allowed", true, nil, "Kênh Tin CCHC", []string{"CCHC"}},
		{"mixed case", true, nil, "Lưu Draft", []string{"Draft"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Checker{Strict: tt.strict}
			c.Allow(tt.allow...)
			if got := c.Untranslated(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("Untranslated(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestEnglishLabelsAreNotSyllables(t *testing.T) {
	for _, w := range []string{"submit", "save", "post", "user", "sign", "upload", "edit", "back", "next", "send",
		"search", "filter", "date", "time", "title", "page", "home", "draft", "retry", "cancel", "delete", "ok"} {
		if syllable.MatchString(w) {
			t.Errorf("%q passes as a Vietnamese syllable", w)
		}
	}
}

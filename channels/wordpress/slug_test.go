package wordpress

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestSlug(t *testing.T) {
	tests := []struct {
		title string
		id    int64
		want  string
	}{
		{"Công khai thủ tục hành chính – Quý IV/2026", 1, "cong-khai-thu-tuc-hanh-chinh-quy-iv-2026-loa1"},
		{"Đường dây nóng", 1234, "duong-day-nong-loaya"},
		{norm.NFD.String("Đường dây nóng"), 1234, "duong-day-nong-loaya"},
		{"ĐĂNG KÝ KẾT HÔN", 36, "dang-ky-ket-hon-loa10"},
		{"Thông báo: Công khai TTHC mới — “Một cửa” & dịch vụ công trực tuyến", 42,
			"thong-bao-cong-khai-tthc-moi-mot-cua-dich-vu-cong-truc-tuyen-loa16"},
		{"Ưu tiên người cao tuổi, phụ nữ có thai", 35, "uu-tien-nguoi-cao-tuoi-phu-nu-co-thai-loaz"},
		{"  --Thông báo!!!  ", 7, "thong-bao-loa7"},
		{"Nghị định 30/2020/NĐ-CP", 7, "nghi-dinh-30-2020-nd-cp-loa7"},
		{"", 1, "loa1"},
		{"日本語のお知らせ", 1, "loa1"},
		// Cut at the last whole word within 60 characters.
		{"Hướng dẫn thực hiện thủ tục đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em", 5,
			"huong-dan-thuc-hien-thu-tuc-dang-ky-khai-sinh-dang-ky-thuong-loa5"},
		{strings.Repeat("a", 80), 5, strings.Repeat("a", 60) + "-loa5"},
		{"ab " + strings.Repeat("c", 80), 5, "ab-" + strings.Repeat("c", 57) + "-loa5"},
		{"x", 9223372036854775807, "x-loa1y2p0ij32e8e7"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := Slug(tt.title, tt.id); got != tt.want {
				t.Errorf("Slug(%q, %d) = %q, want %q", tt.title, tt.id, got, tt.want)
			}
		})
	}
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func TestSlugShapeAndUniqueness(t *testing.T) {
	titles := []string{"", "Loa", "x loa1", "x", "Giờ làm việc – Bộ phận Một cửa", strings.Repeat("Thủ tục ", 30), "---", "a-loa2"}
	ids := []int64{1, 2, 35, 36, 1234567, -1, -2}
	// Titles may share a slug within one delivery; deliveries never do.
	seen := map[string]int64{}
	for _, title := range titles {
		for _, id := range ids {
			s := Slug(title, id)
			if !slugPattern.MatchString(s) {
				t.Errorf("Slug(%q, %d) = %q is not lowercase ASCII words joined by hyphens", title, id, s)
			}
			if len(s) > maxTitleSlug+1+len(slugMarker)+13 {
				t.Errorf("Slug(%q, %d) = %q is too long", title, id, s)
			}
			// The last hyphen-free part names the delivery.
			last := s[strings.LastIndexByte(s, '-')+1:]
			if want := slugMarker + strconv.FormatUint(uint64(id), 36); last != want {
				t.Errorf("Slug(%q, %d) ends in %q, want %q", title, id, last, want)
			}
			if prev, dup := seen[s]; dup && prev != id {
				t.Errorf("slug %q made for deliveries %d and %d", s, prev, id)
			}
			seen[s] = id
		}
	}
}

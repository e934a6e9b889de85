package sources

import (
	"testing"
	"time"
)

func digestItems() []Item {
	return []Item{
		{
			Title:     "Sửa đổi thủ tục 2.000305.000.00.00.H01 - Cấp bản sao trích lục hộ tịch",
			Link:      "https://tthc.tinhmau.gov.vn/tthc/2.000305.000.00.00.H01.html?id=305&cat=2",
			Summary:   "Rút ngắn thời hạn giải quyết từ 05 xuống 03 ngày làm việc.",
			Published: time.Date(2026, 11, 19, 9, 5, 0, 0, time.UTC),
		},
		{
			Title:     `Công bố TTHC mới 1.001612.000.00.00.H01 <script>alert("x")</script>`,
			Link:      "https://tthc.tinhmau.gov.vn/tthc/1.001612.000.00.00.H01.html",
			Summary:   "Đăng ký thành lập hộ kinh doanh & hợp tác xã.",
			Published: time.Date(2026, 11, 16, 17, 30, 0, 0, time.UTC), // 17/11 00:30 in Hà Nội
		},
		{
			Title:   "Bãi bỏ thủ tục 1.004227.000.00.00.H01",
			Link:    "javascript:alert(1)",
			Summary: "",
		},
	}
}

func TestDigest(t *testing.T) {
	title, summary, body := Digest(digestItems(), time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC), nil)
	wantBody := "<ol>\n" +
		`<li><a href="https://tthc.tinhmau.gov.vn/tthc/1.001612.000.00.00.H01.html" rel="nofollow noopener">Công bố TTHC mới 1.001612.000.00.00.H01 &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</a> (17/11/2026)<br>Đăng ký thành lập hộ kinh doanh &amp; hợp tác xã.</li>` + "\n" +
		`<li><a href="https://tthc.tinhmau.gov.vn/tthc/2.000305.000.00.00.H01.html?id=305&amp;cat=2" rel="nofollow noopener">Sửa đổi thủ tục 2.000305.000.00.00.H01 - Cấp bản sao trích lục hộ tịch</a> (19/11/2026)<br>Rút ngắn thời hạn giải quyết từ 05 xuống 03 ngày làm việc.</li>` + "\n" +
		`<li>Bãi bỏ thủ tục 1.004227.000.00.00.H01</li>` + "\n" +
		"</ol>"
	checks := []struct{ name, got, want string }{
		{"title", title, "Bản tin thủ tục hành chính tuần 16/11 – 22/11/2026"},
		{"summary", summary, "Tổng hợp 3 thủ tục hành chính mới cập nhật trong tuần."},
		{"body", body, wantBody},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, c.got, c.want)
		}
	}
}

func TestDigestNoItems(t *testing.T) {
	title, summary, body := Digest(nil, time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC), nil)
	// 22/11 23:00 UTC is Monday 23/11 in Hà Nội: the next week.
	checks := []struct{ name, got, want string }{
		{"title", title, "Bản tin thủ tục hành chính tuần 23/11 – 29/11/2026"},
		{"summary", summary, "Không có thủ tục hành chính mới cập nhật trong tuần."},
		{"body", body, "<p>Trong tuần 23/11 – 29/11/2026 không có thủ tục hành chính mới nào được cập nhật.</p>"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
}

func TestDigestWeekSpan(t *testing.T) {
	utc7 := time.FixedZone("ICT", 7*3600)
	tests := []struct {
		name string
		t    time.Time
		loc  *time.Location
		want string
	}{
		{"monday", time.Date(2026, 11, 16, 0, 0, 0, 0, utc7), utc7, "16/11 – 22/11/2026"},
		{"sunday night", time.Date(2026, 11, 22, 23, 59, 0, 0, utc7), utc7, "16/11 – 22/11/2026"},
		{"UTC time read in Vietnam", time.Date(2026, 11, 15, 18, 0, 0, 0, time.UTC), utc7, "16/11 – 22/11/2026"},
		{"same instant read in UTC", time.Date(2026, 11, 15, 18, 0, 0, 0, time.UTC), time.UTC, "09/11 – 15/11/2026"},
		{"across New Year", time.Date(2026, 12, 31, 10, 0, 0, 0, utc7), utc7, "28/12/2026 – 03/01/2027"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := weekSpan(tt.t, tt.loc); got != tt.want {
				t.Fatalf("weekSpan = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDigestLeavesCallerOrder(t *testing.T) {
	items := digestItems()
	first := items[0].Title
	Digest(items, time.Now(), nil)
	if items[0].Title != first {
		t.Fatal("Digest reordered the caller's slice")
	}
}

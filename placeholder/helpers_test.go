package placeholder

import (
	"testing"
	"time"
)

func TestTruncate(t *testing.T) {
	tests := []struct {
		name string
		n    int
		in   string
		want string
	}{
		{"short", 10, "Công bố", "Công bố"},
		{"exact", 7, "Công bố", "Công bố"},
		{"cut at space", 12, "Công bố thủ tục mới", "Công bố thủ…"},
		{"cut before a space", 9, "Công bố thủ tục", "Công bố…"},
		{"one long word", 5, "1.001612.000.00.00.H01", "1.00…"},
		{"NFD counted as NFC", 3, "Ca\u0309i", "C\u1ea3i"},
		{"zero", 0, "abc", ""},
		{"negative", -1, "abc", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Truncate(tt.n, tt.in); got != tt.want {
				t.Fatalf("Truncate(%d, %q) = %q, want %q", tt.n, tt.in, got, tt.want)
			}
		})
	}
}

func TestFormatDate(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"zero", time.Time{}, ""},
		{"UTC evening is next day", time.Date(2026, 11, 19, 17, 30, 0, 0, time.UTC), "20/11/2026"},
		{"+0700 kept", time.Date(2026, 11, 20, 8, 30, 0, 0, time.FixedZone("", 7*3600)), "20/11/2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatDate(tt.in, loc); got != tt.want {
				t.Fatalf("FormatDate = %q, want %q", got, tt.want)
			}
		})
	}
}

package recurrence

import (
	"strings"
	"testing"
	"time"
)

func TestExpand(t *testing.T) {
	loc, _ := time.LoadLocation(DefaultTimezone)
	at := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) // Monday 07:00 in Hà Nội
	tests := []struct{ in, want, wantErr string }{
		{"Bản tin không đổi", "Bản tin không đổi", ""},
		{"Bản tin CCHC {{.Weekday}} {{.Date}} lúc {{.Time}}, tuần {{.Week}}/{{.Year}}", "Bản tin CCHC Thứ Hai 23/11/2026 lúc 07:00, tuần 48/2026", ""},
		{"{{.Nope}}", "", "template"},
		{"{{.Date", "", "template"},
	}
	for _, tc := range tests {
		got, err := Expand(tc.in, at, loc)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Expand(%q) err = %v", tc.in, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Expand(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

package publishing

import (
	"errors"
	"strings"
	"testing"
)

func TestRejectReason(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{"plain", "  Cần bổ sung số liệu quý IV ", "Cần bổ sung số liệu quý IV", false},
		{"markup is dropped", "<b>Thiếu</b> ảnh", "Thiếu ảnh", false},
		{"empty", "", "", true},
		{"spaces only", " \n\t ", "", true},
		{"markup only", "<p></p>", "", true},
		{"at the limit", strings.Repeat("ý", MaxRejectReason), strings.Repeat("ý", MaxRejectReason), false},
		{"too long", strings.Repeat("ý", MaxRejectReason+1), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RejectReason(tt.in)
			var bad *InvalidError
			if tt.wantErr != (err != nil) || err != nil && (!errors.As(err, &bad) || bad.Field != "reason") {
				t.Fatalf("err = %v", err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

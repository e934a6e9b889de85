package platform

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryableStatus(t *testing.T) {
	tests := []struct {
		code int
		want bool
	}{
		{200, false},
		{301, false},
		{400, false},
		{401, false},
		{403, false},
		{404, false},
		{408, true},
		{413, false},
		{425, true},
		{429, true},
		{500, true},
		{503, true},
		{599, true},
		{600, false},
	}
	for _, tt := range tests {
		if got := RetryableStatus(tt.code); got != tt.want {
			t.Errorf("RetryableStatus(%d) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

// Moved from the webhook adapter, whose parseRetryAfter this was.
func TestRetryAfter(t *testing.T) {
	now := time.Unix(1768446000, 0).UTC()
	tests := []struct {
		value string
		want  time.Duration
	}{
		{"", 0},
		{"120", 2 * time.Minute},
		{" 3 ", 3 * time.Second},
		{"0", 0},
		{"-5", 0},
		{"1.5", 0},
		{"soon", 0},
		{"99999999999999999999", 0},
		{"9999999999999", 0},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			h := http.Header{"Retry-After": {tt.value}}
			if got := RetryAfter(h, now); got != tt.want {
				t.Errorf("RetryAfter(%q) = %s, want %s", tt.value, got, tt.want)
			}
		})
	}
	if got := RetryAfter(http.Header{}, now); got != 0 {
		t.Errorf("RetryAfter without the header = %s, want 0", got)
	}
}

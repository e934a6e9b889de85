package secrets

import "testing"

func TestMaskURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://u:p@h.example/x?q=1", "https://u:********@h.example/x?q=1"},
		{"https://tok@h.example:8443/", "https://********@h.example:8443/"},
		{"https://us%20er:p%40ss@h.example", "https://us%20er:********@h.example"},
		{"https://h.example/a@b", "https://h.example/a@b"},
		{"https://h.example/", "https://h.example/"},
		{"://bad@x", Mask},
	}
	for _, tc := range tests {
		if got := MaskURL(tc.in); got != tc.want {
			t.Errorf("MaskURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRestoreURLCredentials(t *testing.T) {
	const stored = "https://u:pw@h.example/x"
	tests := []struct {
		sent, stored, want string
		restored           bool
	}{
		{"https://u:********@h.example/x", stored, stored, true},
		{"https://u:********@other.example/x", stored, "https://u:pw@other.example/x", true},
		{"https://u:new@h.example/x", stored, "https://u:new@h.example/x", false},
		{"https://h.example/x", stored, "https://h.example/x", false},
		{"https://********@h.example/x", "https://tok@h.example/x", "https://tok@h.example/x", true},
		{"https://u:********@h.example/x", "https://h.example/x", "https://u:********@h.example/x", false},
	}
	for _, tc := range tests {
		got, restored := RestoreURLCredentials(tc.sent, tc.stored)
		if got != tc.want || restored != tc.restored {
			t.Errorf("RestoreURLCredentials(%q, %q) = %q, %v; want %q, %v", tc.sent, tc.stored, got, restored, tc.want, tc.restored)
		}
	}
	if got := WithoutURLCredentials(stored); got != "https://h.example/x" {
		t.Errorf("WithoutURLCredentials = %q", got)
	}
}

package secrets

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpenRoundTrip(t *testing.T) {
	box, err := NewBox(bytes.Repeat([]byte{7}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte(`{"secret":"s3cr3t-value-123456"}`)
	a, _ := box.Seal(plain)
	b, _ := box.Seal(plain)
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same value are identical; nonce is not random")
	}
	if bytes.Contains(a, []byte("s3cr3t")) {
		t.Fatal("sealed value contains the plaintext")
	}
	got, err := box.Open(a)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("open = %q, %v", got, err)
	}
}

func TestOpenRejectsWrongKeyAndTampering(t *testing.T) {
	box, _ := NewBox(bytes.Repeat([]byte{1}, KeySize))
	other, _ := NewBox(bytes.Repeat([]byte{2}, KeySize))
	sealed, _ := box.Seal([]byte("x"))
	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	for name, in := range map[string][]byte{"other key": nil, "tampered": tampered, "short": {1, 2}, "empty": {}} {
		t.Run(name, func(t *testing.T) {
			b, val := box, in
			if name == "other key" {
				b, val = other, sealed
			}
			if _, err := b.Open(val); !errors.Is(err, ErrCannotOpen) {
				t.Fatalf("err = %v, want ErrCannotOpen", err)
			}
		})
	}
}

func TestNewBoxKeyLength(t *testing.T) {
	if _, err := NewBox(make([]byte, 31)); err == nil {
		t.Fatal("31-byte key accepted")
	}
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "secret.key")
	k1, err := LoadOrCreateKeyFile(path)
	if err != nil || len(k1) != KeySize {
		t.Fatalf("create = %d bytes, %v", len(k1), err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", info.Mode().Perm(), err)
	}
	k2, err := LoadOrCreateKeyFile(path)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatal("second load returned a different key")
	}
	os.WriteFile(path, []byte("garbage"), 0o600)
	if _, err := LoadOrCreateKeyFile(path); err == nil {
		t.Fatal("garbage key file accepted")
	}
}

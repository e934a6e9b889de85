package storage_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/loa-vn/loa/storage"
)

// TestSQLiteFilesAreOwnerOnly: the database holds token hashes and sealed
// credentials, so neither it nor its WAL and shared-memory files may be
// readable by other local users — on a fresh data dir and on one an older
// version left world-readable.
func TestSQLiteFilesAreOwnerOnly(t *testing.T) {
	for _, tt := range []struct {
		name    string
		prepare func(t *testing.T, dir string)
	}{
		{"fresh", func(*testing.T, string) {}},
		{"left 0644 by an older version", func(t *testing.T, dir string) {
			for _, f := range []string{"loa.db", "loa.db-wal", "loa.db-shm"} {
				if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.prepare(t, dir)
			ctx := context.Background()
			st, err := storage.Open(ctx, storage.Options{DataDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if _, err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			mustChannel(t, st, "Cổng thông tin") // a write, so the WAL exists
			for _, f := range []string{"loa.db", "loa.db-wal", "loa.db-shm"} {
				info, err := os.Stat(filepath.Join(dir, f))
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				if perm := info.Mode().Perm(); perm != 0o600 {
					t.Errorf("%s has mode %v, want -rw-------", f, perm)
				}
			}
		})
	}
}

// Package storagetest opens a migrated store for tests: a fresh SQLite file
// by default, or a fresh schema in the PostgreSQL named by
// LOA_TEST_DATABASE_URL.
package storagetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for schema set-up

	"github.com/loa-vn/loa/storage"
)

// DatabaseURLEnv names the variable that points tests at PostgreSQL.
const DatabaseURLEnv = "LOA_TEST_DATABASE_URL"

// Open returns a migrated store that is removed when the test ends.
func Open(t testing.TB) *storage.Store {
	t.Helper()
	return OpenWithClock(t, nil)
}

// OpenWithClock is Open with a controllable clock.
func OpenWithClock(t testing.TB, now func() time.Time) *storage.Store {
	t.Helper()
	ctx := context.Background()
	st, err := storage.Open(ctx, storage.Options{DatabaseURL: DatabaseURL(t), DataDir: t.TempDir(), Now: now})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}

// DatabaseURL returns "" (use SQLite) or the URL of a fresh PostgreSQL
// schema that is dropped when the test ends.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(DatabaseURLEnv)
	if base == "" {
		return ""
	}
	schema := "loa_test_" + randomHex(t, 6)
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", DatabaseURLEnv, err)
	}
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		db.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		defer db.Close()
		if _, err := db.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Logf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", DatabaseURLEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

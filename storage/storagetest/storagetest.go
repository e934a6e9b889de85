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
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/glebarez/go-sqlite"  // database/sql driver for rows of an older Loa
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
	st, _, _ := open(t, now)
	return st
}

// OpenWithSQL is OpenWithClock that also returns a plain database/sql
// handle on the same database, closed when the test ends, for tests that
// read rows the store has no method for (for example to show that a
// refused request changed nothing).
func OpenWithSQL(t testing.TB, now func() time.Time) (*storage.Store, *sql.DB) {
	t.Helper()
	st, dataDir, url := open(t, now)
	db, err := sqlDB(dataDir, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return st, db
}

func open(t testing.TB, now func() time.Time) (st *storage.Store, dataDir, url string) {
	t.Helper()
	ctx := context.Background()
	dataDir, url = t.TempDir(), DatabaseURL(t)
	st, err := storage.Open(ctx, storage.Options{DatabaseURL: url, DataDir: dataDir, Now: now})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if os.Getenv(UpgradedEnv) != "" {
		makeVersion9(t, st, url, dataDir)
	}
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st, dataDir, url
}

// sqlDB opens the database a store in dataDir (SQLite) or at url
// (PostgreSQL) uses, through database/sql.
func sqlDB(dataDir, url string) (*sql.DB, error) {
	driver, dsn := "sqlite", "file:"+filepath.Join(dataDir, "loa.db")+"?_pragma=busy_timeout(10000)"
	if url != "" {
		driver, dsn = "pgx", url
	}
	return sql.Open(driver, dsn)
}

// UpgradedEnv, when set, makes every store a database that an older Loa
// (migrations 1–9, before agencies) made and filled, upgraded: the whole
// suite then runs against upgraded databases.
const UpgradedEnv = "LOA_TEST_UPGRADED"

// SkipIfUpgraded skips a test about a freshly made database when the
// suite runs against upgraded ones.
func SkipIfUpgraded(t testing.TB) {
	t.Helper()
	if os.Getenv(UpgradedEnv) != "" {
		t.Skip("about a fresh database; " + UpgradedEnv + " makes every database an upgraded one")
	}
}

// LegacyUserName is the user an upgraded database already holds.
const LegacyUserName = "Cán bộ cũ (đã nghỉ)"

// makeVersion9 migrates st to version 9 and writes, through plain SQL as
// that Loa did, rows that no test's own objects collide with: a user who
// has left (disabled), their token, and audit history.
func makeVersion9(t testing.TB, st *storage.Store, url, dataDir string) {
	t.Helper()
	ctx := context.Background()
	if err := st.MigrateTo(ctx, 9); err != nil {
		t.Fatalf("migrate to 9: %v", err)
	}
	db, err := sqlDB(dataDir, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2025, 12, 1, 1, 0, 0, 0, time.UTC)
	for _, q := range []string{
		`INSERT INTO users (name, name_key, role, password_hash, created_at, disabled_at) VALUES ($2, $3, 'officer', '', $1, $1)`,
		`INSERT INTO api_tokens (user_id, name, token_hash, created_at, revoked_at) SELECT id, 'cũ', 'legacy-token-hash', $1, $1 FROM users`,
		`INSERT INTO audit_events (at, actor, entity_type, entity_id, action) SELECT $1, 'user:1 (Cán bộ cũ)', 'user', id, 'disabled' FROM users`,
	} {
		args := []any{at}
		if strings.Contains(q, "$2") {
			args = append(args, LegacyUserName, strings.ToLower(LegacyUserName))
		}
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
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

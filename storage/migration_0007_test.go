package storage

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// openAtVersion6 is a SQLite store with migrations 1–6 applied, as a
// database from before names were unique up to case.
func openAtVersion6(t *testing.T) *Store {
	t.Helper()
	if os.Getenv("LOA_TEST_DATABASE_URL") != "" {
		t.Log("the upgrade test runs on SQLite only")
	}
	ctx := context.Background()
	s, err := Open(ctx, Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.db.Migrator().AutoMigrate(&schemaMigration{}); err != nil {
		t.Fatal(err)
	}
	for _, m := range migrations(DefaultRootAgencyName)[:6] {
		if _, err := s.applyMigration(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// An upgrade over `officer1` and `OFFICER1` must not fail start-up: the
// oldest keeps its name, later ones get a free suffix, each rename is
// audited, and renamed users keep their tokens.
func TestMigration0007RenamesCaseDuplicates(t *testing.T) {
	s := openAtVersion6(t)
	ctx := context.Background()
	old := []struct {
		id   int64
		name string
	}{
		{1, "officer1"},
		{2, "Admin"},                  // older than "admin", but "admin" (LOA_ADMIN_TOKEN's) keeps the name
		{3, "OFFICER1"},               // renamed "OFFICER1 (4)": (2) and (3) are taken by 4 and 8
		{4, "Officer1 (2)"},           // unique, kept
		{5, "Nguye\u0302\u0303n Hoa"}, // decomposed: kept, made NFC
		{6, "admin"},                  // kept
		{7, "nguy\u1ec5n hoa"},        // 5's name up to case and form: renamed "nguyễn hoa (2)"
		{8, "officer1 (3)"},           // unique, kept
	}
	for _, u := range old {
		err := s.db.Exec("INSERT INTO users (id, name, role, password_hash, created_at) VALUES (?, ?, 'officer', '', ?)",
			u.id, u.name, time.Now()).Error
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.db.Exec("INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (3, 'laptop', 'h3', ?)", time.Now()).Error; err != nil {
		t.Fatal(err)
	}
	applied, err := s.Migrate(ctx)
	if err != nil || len(applied) == 0 || !strings.HasPrefix(applied[0], "0007 ") {
		t.Fatalf("upgrade: applied %v, %v", applied, err)
	}
	want := map[int64]string{1: "officer1", 2: "Admin (2)", 3: "OFFICER1 (4)", 4: "Officer1 (2)", 5: "Nguy\u1ec5n Hoa",
		6: "admin", 7: "nguy\u1ec5n hoa (2)", 8: "officer1 (3)"}
	users, err := s.ListUsers(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Name != want[u.ID] || u.NameKey != NameKey(u.Name) {
			t.Errorf("user %d = %q (key %q), want %q", u.ID, u.Name, u.NameKey, want[u.ID])
		}
	}
	for _, id := range []int64{2, 3, 7} {
		h, _ := s.History(ctx, EntityUser, id)
		if len(h) != 1 || h[0].Action != "renamed" || !strings.Contains(h[0].Detail, want[id]) {
			t.Errorf("user %d audit = %+v", id, h)
		}
	}
	if u, err := s.UserByTokenHash(ctx, "h3"); err != nil || u.ID != 3 {
		t.Errorf("renamed user's token: %+v, %v", u, err)
	}
	if u, err := s.UserByName(ctx, "officer1 (4)"); err != nil || u.ID != 3 {
		t.Errorf("log-in name of the renamed user: %+v, %v", u, err)
	}
	if err := s.CreateUser(ctx, &User{Name: "ADMIN", Role: RoleOfficer}, "t"); !errors.Is(err, ErrConflict) {
		t.Errorf("new user ADMIN err = %v, want ErrConflict", err)
	}
	if err := s.EnsureEnvAdmin(ctx, "env"); err != nil {
		t.Errorf("LOA_ADMIN_TOKEN after the upgrade: %v", err)
	}
	if u, _ := s.UserByTokenHash(ctx, "env"); u.ID != 6 {
		t.Errorf("LOA_ADMIN_TOKEN belongs to user %d, want 6 (admin)", u.ID)
	}
}

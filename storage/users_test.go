package storage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

func mustUserWithTokens(t *testing.T, st *storage.Store, name string, hashes ...string) storage.User {
	t.Helper()
	ctx := context.Background()
	u := storage.User{Name: name, Role: storage.RoleAdmin}
	if err := st.CreateUser(ctx, &u, "test"); err != nil {
		t.Fatal(err)
	}
	for _, h := range hashes {
		if _, err := st.CreateToken(ctx, u.ID, "t-"+h, h, "test"); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

func tokenWorks(st *storage.Store, hash string) bool {
	_, err := st.UserByTokenHash(context.Background(), hash)
	return err == nil
}

func TestUpdateUserRevokesTokens(t *testing.T) {
	ctx := context.Background()
	password, yes, no := "$argon2id$new", true, false
	for _, tc := range []struct {
		name   string
		change storage.UserChange
		works  map[string]bool
	}{
		{"admin changes the password: all go", storage.UserChange{PasswordHash: &password},
			map[string]bool{"a": false, "b": false}},
		{"own change keeps the request's token", storage.UserChange{PasswordHash: &password, KeepTokenHash: "b"},
			map[string]bool{"a": false, "b": true}},
		{"disabling and enabling: all go for good", storage.UserChange{Disabled: &yes},
			map[string]bool{"a": false, "b": false}},
		{"disabling with a kept token still ends it", storage.UserChange{Disabled: &yes, PasswordHash: &password, KeepTokenHash: "b"},
			map[string]bool{"a": false, "b": false}},
		{"a role change revokes nothing", storage.UserChange{Role: ptr(storage.RoleEditor)},
			map[string]bool{"a": true, "b": true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := storagetest.Open(t)
			u := mustUserWithTokens(t, st, "lan", "a", "b")
			other := mustUserWithTokens(t, st, "minh", "c")
			if _, err := st.UpdateUser(ctx, u.ID, tc.change, "user:9"); err != nil {
				t.Fatal(err)
			}
			if tc.change.Disabled != nil {
				if _, err := st.UpdateUser(ctx, u.ID, storage.UserChange{Disabled: &no}, "user:9"); err != nil {
					t.Fatal(err)
				}
			}
			for h, want := range tc.works {
				if got := tokenWorks(st, h); got != want {
					t.Errorf("token %s works = %v, want %v", h, got, want)
				}
			}
			if !tokenWorks(st, "c") {
				t.Errorf("another user's token (%d) was revoked", other.ID)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// LOA_ADMIN_TOKEN is the operator's word: disabling the admin or changing
// its password ends it like any token, until the next start restores the
// admin and the same token.
func TestEnvAdminTokenAfterDisableAndPasswordChange(t *testing.T) {
	ctx := context.Background()
	password, yes := "$argon2id$new", true
	for name, change := range map[string]storage.UserChange{
		"disabled": {Disabled: &yes}, "password changed": {PasswordHash: &password},
	} {
		t.Run(name, func(t *testing.T) {
			st := storagetest.Open(t)
			if err := st.EnsureEnvAdmin(ctx, "env1"); err != nil {
				t.Fatal(err)
			}
			u, _ := st.UserByTokenHash(ctx, "env1")
			if _, err := st.UpdateUser(ctx, u.ID, change, "user:9"); err != nil {
				t.Fatal(err)
			}
			if tokenWorks(st, "env1") {
				t.Fatal("LOA_ADMIN_TOKEN still works")
			}
			if err := st.EnsureEnvAdmin(ctx, "env1"); err != nil {
				t.Fatalf("restart with the same LOA_ADMIN_TOKEN: %v", err)
			}
			if got, err := st.UserByTokenHash(ctx, "env1"); err != nil || got.ID != u.ID || got.DisabledAt != nil {
				t.Fatalf("after restart LOA_ADMIN_TOKEN = %+v, %v", got, err)
			}
		})
	}
}

func TestUserNamesUniqueUpToCaseAndForm(t *testing.T) {
	st := storagetest.Open(t)
	ctx := context.Background()
	mustUserWithTokens(t, st, "Nguye\u0302\u0303n Hoa")
	for _, name := range []string{"nguy\u1ec5n hoa", "NGUYỄN HOA", "Nguye\u0302\u0303n Hoa"} {
		if err := st.CreateUser(ctx, &storage.User{Name: name, Role: storage.RoleOfficer}, "t"); !errors.Is(err, storage.ErrConflict) {
			t.Errorf("CreateUser(%q) err = %v, want ErrConflict", name, err)
		}
	}
	if _, err := st.CreateUserWithToken(ctx, "nguyễn HOA", storage.RoleOfficer, "h"); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("CreateUserWithToken err = %v, want ErrConflict", err)
	}
	other := mustUserWithTokens(t, st, "lan")
	if _, err := st.UpdateUser(ctx, other.ID, storage.UserChange{Name: ptr("nguyễn HOA")}, "t"); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("rename to a taken name err = %v, want ErrConflict", err)
	}
	if got, err := st.UpdateUser(ctx, other.ID, storage.UserChange{Name: ptr("La\u0300n")}, "t"); err != nil || got.Name != "L\u00e0n" {
		t.Errorf("rename = %+v, %v; want Làn in NFC", got, err)
	}
	u, err := st.UserByName(ctx, "NGUYE\u0302\u0303N HOA")
	if err != nil || u.Name != "Nguy\u1ec5n Hoa" {
		t.Errorf("UserByName = %+v, %v; want the user, its name stored in NFC", u, err)
	}
	for in, want := range map[string]string{"OFFICER1": "officer1", "Straße": "strasse", "Nguye\u0302\u0303n": "nguy\u1ec5n"} {
		if got := storage.NameKey(in); got != want {
			t.Errorf("NameKey(%q) = %q, want %q", in, got, want)
		}
	}
}

package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/loa-vn/loa/api"
)

type userJSON struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Role        string `json:"role"`
	HasPassword bool   `json:"has_password"`
	Disabled    bool   `json:"disabled"`
}

type tokenJSON struct {
	ID     int64  `json:"id"`
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
	Token  string `json:"token"`
}

func TestUserManagement(t *testing.T) {
	e := newEnv(t)
	const password = "mật-khẩu-dài-2026"
	r := e.post("/api/v1/users", adminToken, map[string]any{"name": "Nguyễn Thị Hoa", "role": "officer", "password": password})
	wantStatus(t, r, http.StatusCreated)
	u := decode[userJSON](t, r)
	if u.Role != "officer" || !u.HasPassword || strings.Contains(string(r.Body), "argon2") {
		t.Fatalf("created user = %s", r.Body)
	}

	t.Run("only admins manage users", func(t *testing.T) {
		wantError(t, e.get("/api/v1/users", editorToken), http.StatusForbidden, "forbidden", "")
		wantError(t, e.post("/api/v1/users", editorToken, map[string]any{"name": "x", "role": "admin"}), http.StatusForbidden, "forbidden", "")
	})
	t.Run("bad input", func(t *testing.T) {
		wantError(t, e.post("/api/v1/users", adminToken, map[string]any{"name": "Nguyễn Thị Hoa", "role": "officer"}), http.StatusConflict, "conflict", "")
		wantError(t, e.post("/api/v1/users", adminToken, map[string]any{"name": "A", "role": "root"}), http.StatusUnprocessableEntity, "invalid_field", "role")
		wantError(t, e.post("/api/v1/users", adminToken, map[string]any{"name": "B", "role": "officer", "password": "short"}), http.StatusUnprocessableEntity, "invalid_field", "password")
		wantError(t, e.post("/api/v1/users", adminToken, map[string]any{"role": "officer"}), http.StatusUnprocessableEntity, "invalid_field", "name")
	})

	var token string
	t.Run("log in with the password", func(t *testing.T) {
		wantError(t, e.post("/api/v1/auth/login", "", map[string]any{"name": "Nguyễn Thị Hoa", "password": "wrong-password!"}), http.StatusUnauthorized, "invalid_credentials", "")
		wantError(t, e.post("/api/v1/auth/login", "", map[string]any{"name": "nobody", "password": password}), http.StatusUnauthorized, "invalid_credentials", "")
		r := e.post("/api/v1/auth/login", "", map[string]any{"name": "Nguyễn Thị Hoa", "password": password})
		wantStatus(t, r, http.StatusOK)
		token = decode[tokenJSON](t, r).Token
		me := decode[userJSON](t, e.get("/api/v1/me", token))
		if me.ID != u.ID {
			t.Fatalf("me = %+v", me)
		}
	})
	t.Run("tokens: create, list without secrets, revoke", func(t *testing.T) {
		r := e.post(fmt.Sprintf("/api/v1/users/%d/tokens", u.ID), token, map[string]any{"name": "máy tính văn phòng"})
		wantStatus(t, r, http.StatusCreated)
		second := decode[tokenJSON](t, r)
		if !strings.HasPrefix(second.Token, "loa_") {
			t.Fatalf("token = %+v", second)
		}
		list := e.get(fmt.Sprintf("/api/v1/users/%d/tokens", u.ID), token)
		wantStatus(t, list, http.StatusOK)
		if strings.Contains(string(list.Body), second.Token) || strings.Contains(string(list.Body), api.HashToken(second.Token)) || strings.Contains(string(list.Body), "loa_") {
			t.Fatalf("token list reveals a token or its hash: %s", list.Body)
		}
		wantError(t, e.get(fmt.Sprintf("/api/v1/users/%d/tokens", e.users[adminToken].ID), token), http.StatusForbidden, "forbidden", "")
		wantError(t, e.do(req{Method: http.MethodDelete, Path: fmt.Sprintf("/api/v1/tokens/%d", second.ID), Token: officer2Token}), http.StatusNotFound, "not_found", "")
		wantStatus(t, e.do(req{Method: http.MethodDelete, Path: fmt.Sprintf("/api/v1/tokens/%d", second.ID), Token: token}), http.StatusNoContent)
		wantError(t, e.get("/api/v1/me", second.Token), http.StatusUnauthorized, "unauthorized", "")
	})
	t.Run("disabling a user stops their tokens and log-in", func(t *testing.T) {
		wantStatus(t, e.patch(fmt.Sprintf("/api/v1/users/%d", u.ID), adminToken, map[string]any{"disabled": true}), http.StatusOK)
		wantError(t, e.get("/api/v1/me", token), http.StatusUnauthorized, "unauthorized", "")
		wantError(t, e.post("/api/v1/auth/login", "", map[string]any{"name": "Nguyễn Thị Hoa", "password": password}), http.StatusUnauthorized, "invalid_credentials", "")
		wantStatus(t, e.patch(fmt.Sprintf("/api/v1/users/%d", u.ID), adminToken, map[string]any{"disabled": false, "role": "editor"}), http.StatusOK)
		// Enabling again does not bring the old tokens back; logging in makes a new one.
		wantError(t, e.get("/api/v1/me", token), http.StatusUnauthorized, "unauthorized", "")
		r := e.post("/api/v1/auth/login", "", map[string]any{"name": "Nguyễn Thị Hoa", "password": password})
		wantStatus(t, r, http.StatusOK)
		me := decode[userJSON](t, e.get("/api/v1/me", decode[tokenJSON](t, r).Token))
		if me.Role != "editor" {
			t.Fatalf("after promotion me = %+v", me)
		}
	})
	t.Run("an admin cannot lock themselves out", func(t *testing.T) {
		self := e.users[adminToken].ID
		wantError(t, e.patch(fmt.Sprintf("/api/v1/users/%d", self), adminToken, map[string]any{"role": "officer"}), http.StatusConflict, "self_lockout", "")
		wantError(t, e.patch(fmt.Sprintf("/api/v1/users/%d", self), adminToken, map[string]any{"disabled": true}), http.StatusConflict, "self_lockout", "")
	})
}

func TestPasswordHash(t *testing.T) {
	h, err := api.HashPassword("một mật khẩu")
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("hash = %q, %v", h, err)
	}
	h2, _ := api.HashPassword("một mật khẩu")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{"một mật khẩu": true, "một mật khẩu ": false, "": false} {
		if ok, err := api.CheckPassword(h, pw); ok != want || err != nil {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	if _, err := api.CheckPassword("$bcrypt$x", "x"); err == nil {
		t.Error("malformed hash accepted")
	}
}

func TestLoginIsRateLimited(t *testing.T) {
	e := newEnv(t)
	wantStatus(t, e.post("/api/v1/users", adminToken, map[string]any{"name": "hoa", "role": "officer", "password": "mat-khau-dung-roi"}), http.StatusCreated)
	for i := 0; i < 10; i++ {
		wantError(t, e.post("/api/v1/auth/login", "", map[string]any{"name": "hoa", "password": fmt.Sprint("sai-", i)}), http.StatusUnauthorized, "invalid_credentials", "")
	}
	// Even the right password waits now: the guesser cannot tell.
	wantError(t, e.post("/api/v1/auth/login", "", map[string]any{"name": "hoa", "password": "mat-khau-dung-roi"}), http.StatusTooManyRequests, "too_many_attempts", "")
	wantError(t, e.post("/api/v1/auth/login", "", map[string]any{"name": "HOA", "password": "x"}), http.StatusTooManyRequests, "too_many_attempts", "")
}

// A user's e-mail address (where notifications are mailed) is set, shown
// and removed through the users endpoint; a bad one is refused.
func TestUserEmail(t *testing.T) {
	e := newEnv(t)
	type withEmail struct {
		ID    int64  `json:"id"`
		Email string `json:"email"`
	}
	r := e.post("/api/v1/users", adminToken, map[string]any{"name": "Trần Văn Nam", "role": "editor", "email": "nam@example.gov.vn"})
	wantStatus(t, r, http.StatusCreated)
	u := decode[withEmail](t, r)
	if u.Email != "nam@example.gov.vn" {
		t.Fatalf("created %s", r.Body)
	}
	path := fmt.Sprintf("/api/v1/users/%d", u.ID)
	for _, bad := range []string{"Nam <nam@example.gov.vn>", "nam@localhost", "nam@example.gov.vn\r\nBcc: x@example.vn"} {
		wantError(t, e.patch(path, adminToken, map[string]any{"email": bad}), http.StatusUnprocessableEntity, "invalid_field", "email")
	}
	wantError(t, e.post("/api/v1/users", adminToken, map[string]any{"name": "B", "role": "officer", "email": "không phải"}), http.StatusUnprocessableEntity, "invalid_field", "email")
	if got := decode[withEmail](t, e.get(path, adminToken)); got.Email != "nam@example.gov.vn" {
		t.Errorf("after refused changes: %q", got.Email)
	}
	if got := decode[withEmail](t, e.patch(path, adminToken, map[string]any{"email": "nam.tv@example.gov.vn"})); got.Email != "nam.tv@example.gov.vn" {
		t.Errorf("changed to %q", got.Email)
	}
	if got := decode[withEmail](t, e.patch(path, adminToken, map[string]any{"email": ""})); got.Email != "" {
		t.Errorf("removed: %q", got.Email)
	}
}

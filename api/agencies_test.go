package api_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/storage"
)

type agencyJSON struct {
	ID       int64    `json:"id"`
	Name     string   `json:"name"`
	Code     string   `json:"code"`
	ParentID *int64   `json:"parent_id"`
	Path     []string `json:"path"`
	Disabled bool     `json:"disabled"`
}

const (
	agencyAdminToken   = "tok-agency-admin-0123456789abcdef"
	agencyOfficerToken = "tok-agency-officer-0123456789abcdef"
)

// agencyTree is the root R (where newEnv's users are) with A (with A1
// beneath) and B; A has an admin and an officer of its own.
type agencyTree struct{ R, A, A1, B agencyJSON }

func newAgencyTree(t *testing.T, e *env) agencyTree {
	t.Helper()
	var tr agencyTree
	tr.R = decode[struct{ Items []agencyJSON }](t, e.get("/api/v1/agencies", adminToken)).Items[0]
	add := func(name, code string, parent int64) agencyJSON {
		r := e.post("/api/v1/agencies", adminToken, map[string]any{"name": name, "code": code, "parent_id": parent})
		wantStatus(t, r, http.StatusCreated)
		return decode[agencyJSON](t, r)
	}
	tr.A = add("Huyện A", "a", tr.R.ID)
	tr.A1 = add("Xã A1", "a1", tr.A.ID)
	tr.B = add("Huyện B", "b", tr.R.ID)
	ctx := context.Background()
	for _, u := range []struct{ name, role, token string }{
		{"Quản trị A", storage.RoleAdmin, agencyAdminToken},
		{"Cán bộ A", storage.RoleOfficer, agencyOfficerToken},
	} {
		user := storage.User{Name: u.name, Role: u.role, AgencyID: tr.A.ID}
		if err := e.store.CreateUser(ctx, &user, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.CreateToken(ctx, user.ID, "t", api.HashToken(u.token), "test"); err != nil {
			t.Fatal(err)
		}
	}
	return tr
}

func agencyPaths(t *testing.T, r response) []string {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	var out []string
	for _, a := range decode[struct{ Items []agencyJSON }](t, r).Items {
		out = append(out, strings.Join(a.Path, " / "))
	}
	return out
}

func TestAgencyRoot(t *testing.T) {
	e := newEnv(t)
	r := e.get("/api/v1/agencies", officerToken)
	items := decode[struct{ Items []agencyJSON }](t, r).Items
	if len(items) != 1 || items[0].Name != "Cơ quan" || items[0].Code != "co-quan" || items[0].ParentID != nil ||
		!reflect.DeepEqual(items[0].Path, []string{"Cơ quan"}) {
		t.Fatalf("a fresh install's agencies = %s", r.Body)
	}
	me := decode[userJSON](t, e.get("/api/v1/me", adminToken))
	if u, _ := e.store.GetUser(context.Background(), me.ID); u.AgencyID != items[0].ID {
		t.Errorf("admin in agency %d, want the root %d", u.AgencyID, items[0].ID)
	}
}

// Every refused request answers the documented error and changes nothing.
func TestAgencyRequestsRefused(t *testing.T) {
	e := newEnv(t)
	tr := newAgencyTree(t, e)
	id := func(a agencyJSON) string { return fmt.Sprint(a.ID) }
	tests := []struct {
		name, token, method, path, body string
		status                          int
		code, field                     string
	}{
		{"editor creates", editorToken, "POST", "/api/v1/agencies", `{"name":"X","code":"x","parent_id":` + id(tr.R) + `}`, 403, "forbidden", ""},
		{"officer renames", agencyOfficerToken, "PATCH", "/api/v1/agencies/" + id(tr.A1), `{"name":"X"}`, 403, "forbidden", ""},
		{"no token", "", "GET", "/api/v1/agencies", "", 401, "unauthorized", ""},
		{"no name", adminToken, "POST", "/api/v1/agencies", `{"code":"x","parent_id":` + id(tr.R) + `}`, 422, "invalid_field", "name"},
		{"name markup only", adminToken, "POST", "/api/v1/agencies", `{"name":"<b></b>","code":"x","parent_id":` + id(tr.R) + `}`, 422, "invalid_field", "name"},
		{"name too long", adminToken, "POST", "/api/v1/agencies", `{"name":"` + strings.Repeat("ơ", 201) + `","code":"x","parent_id":` + id(tr.R) + `}`, 422, "invalid_field", "name"},
		{"name control char", adminToken, "POST", "/api/v1/agencies", `{"name":"X\u0007","code":"x","parent_id":` + id(tr.R) + `}`, 422, "invalid_field", "name"},
		{"no code", adminToken, "POST", "/api/v1/agencies", `{"name":"X","parent_id":` + id(tr.R) + `}`, 422, "invalid_field", "code"},
		{"code upper case", adminToken, "POST", "/api/v1/agencies", `{"name":"X","code":"Xa-A","parent_id":` + id(tr.R) + `}`, 422, "invalid_field", "code"},
		{"code with space", adminToken, "POST", "/api/v1/agencies", `{"name":"X","code":"xa a","parent_id":` + id(tr.R) + `}`, 422, "invalid_field", "code"},
		{"code leading dash", adminToken, "POST", "/api/v1/agencies", `{"name":"X","code":"-x","parent_id":` + id(tr.R) + `}`, 422, "invalid_field", "code"},
		{"code 65 chars", adminToken, "POST", "/api/v1/agencies", `{"name":"X","code":"` + strings.Repeat("x", 65) + `","parent_id":` + id(tr.R) + `}`, 422, "invalid_field", "code"},
		{"code taken", adminToken, "POST", "/api/v1/agencies", `{"name":"X","code":"a1","parent_id":` + id(tr.R) + `}`, 409, "conflict", ""},
		{"no parent", adminToken, "POST", "/api/v1/agencies", `{"name":"X","code":"x"}`, 422, "invalid_field", "parent_id"},
		{"second root", adminToken, "POST", "/api/v1/agencies", `{"name":"X","code":"x","parent_id":null}`, 422, "invalid_field", "parent_id"},
		{"parent a string", adminToken, "POST", "/api/v1/agencies", `{"name":"X","code":"x","parent_id":"1"}`, 422, "invalid_field", "parent_id"},
		{"parent unknown", adminToken, "POST", "/api/v1/agencies", `{"name":"X","code":"x","parent_id":999}`, 422, "invalid_field", "parent_id"},
		{"parent outside scope", agencyAdminToken, "POST", "/api/v1/agencies", `{"name":"X","code":"x","parent_id":` + id(tr.B) + `}`, 422, "invalid_field", "parent_id"},
		{"created disabled", adminToken, "POST", "/api/v1/agencies", `{"name":"X","code":"x","parent_id":` + id(tr.R) + `,"disabled":true}`, 422, "invalid_field", "disabled"},
		{"unknown field", adminToken, "POST", "/api/v1/agencies", `{"name":"X","code":"x","parent_id":` + id(tr.R) + `,"level":2}`, 422, "invalid_field", "level"},
		{"get outside scope", agencyOfficerToken, "GET", "/api/v1/agencies/" + id(tr.B), "", 404, "not_found", ""},
		{"get the root from A", agencyAdminToken, "GET", "/api/v1/agencies/" + id(tr.R), "", 404, "not_found", ""},
		{"get unknown", adminToken, "GET", "/api/v1/agencies/999", "", 404, "not_found", ""},
		{"get bad id", adminToken, "GET", "/api/v1/agencies/x", "", 404, "not_found", ""},
		{"rename outside scope", agencyAdminToken, "PATCH", "/api/v1/agencies/" + id(tr.B), `{"name":"X"}`, 404, "not_found", ""},
		{"move out of scope", agencyAdminToken, "PATCH", "/api/v1/agencies/" + id(tr.A1), `{"parent_id":` + id(tr.B) + `}`, 422, "invalid_field", "parent_id"},
		{"move own agency", agencyAdminToken, "PATCH", "/api/v1/agencies/" + id(tr.A), `{"parent_id":` + id(tr.A1) + `}`, 422, "invalid_field", "parent_id"},
		{"move under itself", adminToken, "PATCH", "/api/v1/agencies/" + id(tr.A), `{"parent_id":` + id(tr.A) + `}`, 422, "invalid_field", "parent_id"},
		{"move under its child", adminToken, "PATCH", "/api/v1/agencies/" + id(tr.A), `{"name":"Y","parent_id":` + id(tr.A1) + `}`, 422, "invalid_field", "parent_id"},
		{"move the root", adminToken, "PATCH", "/api/v1/agencies/" + id(tr.R), `{"parent_id":` + id(tr.B) + `}`, 422, "invalid_field", "parent_id"},
		{"make a root", adminToken, "PATCH", "/api/v1/agencies/" + id(tr.A1), `{"parent_id":null}`, 422, "invalid_field", "parent_id"},
		{"move under unknown", adminToken, "PATCH", "/api/v1/agencies/" + id(tr.A1), `{"parent_id":999}`, 422, "invalid_field", "parent_id"},
		{"disable the root", adminToken, "PATCH", "/api/v1/agencies/" + id(tr.R), `{"disabled":true}`, 422, "invalid_field", "disabled"},
		{"empty name", adminToken, "PATCH", "/api/v1/agencies/" + id(tr.A), `{"name":" "}`, 422, "invalid_field", "name"},
		{"code taken by rename", adminToken, "PATCH", "/api/v1/agencies/" + id(tr.A), `{"code":"b"}`, 409, "conflict", ""},
		{"delete", adminToken, "DELETE", "/api/v1/agencies/" + id(tr.A1), "", 405, "method_not_allowed", ""},
	}
	before := e.get("/api/v1/agencies", adminToken).Body
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, e.do(req{Method: tt.method, Path: tt.path, Token: tt.token, Body: tt.body}), tt.status, tt.code, tt.field)
			if after := e.get("/api/v1/agencies", adminToken).Body; string(after) != string(before) {
				t.Errorf("the refused request changed the agencies:\n%s\n%s", before, after)
			}
		})
	}
	// Outside the caller's subtree reads exactly like an id that does not exist.
	outside := e.get("/api/v1/agencies/"+id(tr.B), agencyAdminToken)
	missing := e.get("/api/v1/agencies/999", agencyAdminToken)
	if string(outside.Body) != string(missing.Body) {
		t.Errorf("outside %s, missing %s", outside.Body, missing.Body)
	}
}

func TestAgencyListsAndChanges(t *testing.T) {
	e := newEnv(t)
	tr := newAgencyTree(t, e)
	all := []string{"Cơ quan", "Cơ quan / Huyện A", "Cơ quan / Huyện A / Xã A1", "Cơ quan / Huyện B"}
	if got := agencyPaths(t, e.get("/api/v1/agencies", officerToken)); !reflect.DeepEqual(got, all) {
		t.Errorf("root officer sees %q", got)
	}
	subA := []string{"Cơ quan / Huyện A", "Cơ quan / Huyện A / Xã A1"}
	if got := agencyPaths(t, e.get("/api/v1/agencies", agencyOfficerToken)); !reflect.DeepEqual(got, subA) {
		t.Errorf("A's officer sees %q", got)
	}
	narrow := []struct {
		token, query string
		want         []string
	}{
		{adminToken, fmt.Sprint(tr.A.ID), subA},
		{adminToken, fmt.Sprint(tr.B.ID), []string{"Cơ quan / Huyện B"}},
		{agencyOfficerToken, fmt.Sprint(tr.A1.ID), []string{"Cơ quan / Huyện A / Xã A1"}},
		{agencyOfficerToken, fmt.Sprint(tr.B.ID), nil},
		{agencyOfficerToken, fmt.Sprint(tr.R.ID), nil},
		{adminToken, "999", nil},
	}
	for _, n := range narrow {
		if got := agencyPaths(t, e.get("/api/v1/agencies?agency_id="+n.query, n.token)); !reflect.DeepEqual(got, n.want) {
			t.Errorf("agency_id=%s: %q, want %q", n.query, got, n.want)
		}
	}
	wantError(t, e.get("/api/v1/agencies?agency_id=x", adminToken), http.StatusUnprocessableEntity, "invalid_field", "agency_id")
	got := decode[agencyJSON](t, e.get(fmt.Sprintf("/api/v1/agencies/%d", tr.A1.ID), agencyOfficerToken))
	if *got.ParentID != tr.A.ID || got.Code != "a1" || !reflect.DeepEqual(got.Path, []string{"Cơ quan", "Huyện A", "Xã A1"}) {
		t.Errorf("A1 = %+v", got)
	}

	t.Run("A's admin creates and renames beneath A, and renames A", func(t *testing.T) {
		r := e.post("/api/v1/agencies", agencyAdminToken, map[string]any{"name": "Thôn A1-1", "code": "a1-1", "parent_id": tr.A1.ID})
		wantStatus(t, r, http.StatusCreated)
		if a := decode[agencyJSON](t, r); !reflect.DeepEqual(a.Path, []string{"Cơ quan", "Huyện A", "Xã A1", "Thôn A1-1"}) || a.Disabled {
			t.Errorf("created %s", r.Body)
		}
		r = e.patch(fmt.Sprintf("/api/v1/agencies/%d", tr.A.ID), agencyAdminToken, map[string]any{"name": "Huyện A mới", "code": "a-moi"})
		wantStatus(t, r, http.StatusOK)
		if a := decode[agencyJSON](t, r); a.Name != "Huyện A mới" || a.Code != "a-moi" {
			t.Errorf("renamed %s", r.Body)
		}
	})
	t.Run("the root's admin moves A1 with its subtree under B", func(t *testing.T) {
		r := e.patch(fmt.Sprintf("/api/v1/agencies/%d", tr.A1.ID), adminToken, map[string]any{"parent_id": tr.B.ID})
		wantStatus(t, r, http.StatusOK)
		want := []string{"Cơ quan", "Cơ quan / Huyện A mới", "Cơ quan / Huyện B", "Cơ quan / Huyện B / Xã A1", "Cơ quan / Huyện B / Xã A1 / Thôn A1-1"}
		if got := agencyPaths(t, e.get("/api/v1/agencies", adminToken)); !reflect.DeepEqual(got, want) {
			t.Errorf("after the move: %q", got)
		}
		if got := agencyPaths(t, e.get("/api/v1/agencies", agencyOfficerToken)); !reflect.DeepEqual(got, []string{"Cơ quan / Huyện A mới"}) {
			t.Errorf("A's officer after the move sees %q", got)
		}
		wantError(t, e.get(fmt.Sprintf("/api/v1/agencies/%d", tr.A1.ID), agencyOfficerToken), http.StatusNotFound, "not_found", "")
	})
	t.Run("a disabled agency takes no new children", func(t *testing.T) {
		r := e.patch(fmt.Sprintf("/api/v1/agencies/%d", tr.B.ID), adminToken, map[string]any{"disabled": true})
		wantStatus(t, r, http.StatusOK)
		if !decode[agencyJSON](t, r).Disabled {
			t.Errorf("disabled: %s", r.Body)
		}
		wantError(t, e.post("/api/v1/agencies", adminToken, map[string]any{"name": "X", "code": "x", "parent_id": tr.B.ID}),
			http.StatusUnprocessableEntity, "invalid_field", "parent_id")
		wantError(t, e.patch(fmt.Sprintf("/api/v1/agencies/%d", tr.A.ID), adminToken, map[string]any{"parent_id": tr.B.ID}),
			http.StatusUnprocessableEntity, "invalid_field", "parent_id")
		wantStatus(t, e.patch(fmt.Sprintf("/api/v1/agencies/%d", tr.B.ID), adminToken, map[string]any{"disabled": false}), http.StatusOK)
		wantStatus(t, e.post("/api/v1/agencies", adminToken, map[string]any{"name": "X", "code": "x", "parent_id": tr.B.ID}), http.StatusCreated)
	})
	t.Run("the root keeps a null parent", func(t *testing.T) {
		wantStatus(t, e.patch(fmt.Sprintf("/api/v1/agencies/%d", tr.R.ID), adminToken, map[string]any{"name": "UBND tỉnh", "parent_id": nil}), http.StatusOK)
		if got := agencyPaths(t, e.get("/api/v1/agencies", agencyOfficerToken)); !reflect.DeepEqual(got, []string{"UBND tỉnh / Huyện A mới"}) {
			t.Errorf("after renaming the root: %q", got)
		}
	})
}

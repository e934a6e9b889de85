package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/storage"
)

// addUser adds a user of role in agency with token.
func (e *env) addUser(t *testing.T, name, role string, agency int64, token string) storage.User {
	t.Helper()
	u := storage.User{Name: name, Role: role, AgencyID: agency}
	if err := e.store.CreateUser(context.Background(), &u, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.CreateToken(context.Background(), u.ID, "t", api.HashToken(token), "test"); err != nil {
		t.Fatal(err)
	}
	return u
}

// TestDisabledAgencyTakesNothingNew: a disabled agency is refused as the
// agency of every kind of new object, named or as its caller's own.
func TestDisabledAgencyTakesNothingNew(t *testing.T) {
	e := newEnv(t)
	tr := newAgencyTree(t, e)
	ch := e.createWebhook("Cổng tỉnh")
	wantStatus(t, e.patch(fmt.Sprintf("/api/v1/agencies/%d", tr.A.ID), adminToken, map[string]any{"disabled": true}), http.StatusOK)
	tests := []struct {
		path, token string
		body        map[string]any
	}{
		{"/api/v1/users", adminToken, map[string]any{"name": "Cán bộ mới", "role": "officer"}},
		{"/api/v1/channels", adminToken, map[string]any{"name": "Kênh mới", "kind": "webhook", "config": webhookConfig()}},
		{"/api/v1/posts", editorToken, postBody(ch.ID)},
		{"/api/v1/schedules", editorToken, weeklyBody(ch.ID)},
		// A's own officer names no agency: their own is disabled.
		{"/api/v1/posts", agencyOfficerToken, postBody(ch.ID)},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if tt.token != agencyOfficerToken {
				tt.body["agency_id"] = tr.A.ID
			}
			got := wantError(t, e.post(tt.path, tt.token, tt.body), http.StatusUnprocessableEntity, "invalid_field", "agency_id")
			if !strings.Contains(got.Message, "disabled") {
				t.Errorf("message %q does not say the agency is disabled", got.Message)
			}
		})
	}
}

// TestAgencyIDMustBeAnID: agency_id in a body is a positive id; it is not
// changed by a PATCH.
func TestAgencyIDMustBeAnID(t *testing.T) {
	e := newEnv(t)
	ch := e.createWebhook("Cổng tỉnh")
	for _, bad := range []any{0, -3, "a"} {
		body := postBody(ch.ID)
		body["agency_id"] = bad
		r := e.post("/api/v1/posts", editorToken, body)
		if r.Status != http.StatusUnprocessableEntity && r.Status != http.StatusBadRequest {
			t.Errorf("agency_id %v: %s, want 422 or 400", bad, r)
		}
	}
	p := e.createPost(editorToken, postBody(ch.ID))
	wantError(t, e.patch(fmt.Sprintf("/api/v1/posts/%d", p.ID), editorToken, map[string]any{"agency_id": 1}),
		http.StatusUnprocessableEntity, "invalid_field", "agency_id")
	wantError(t, e.patch(fmt.Sprintf("/api/v1/channels/%d", ch.ID), editorToken, map[string]any{"agency_id": 1}),
		http.StatusUnprocessableEntity, "invalid_field", "agency_id")
}

// TestApprovalUpTheTree: an officer's post is approved by an editor of its
// agency or above it; to an editor beneath it or beside it, it does not exist.
func TestApprovalUpTheTree(t *testing.T) {
	e := newEnv(t)
	tr := newAgencyTree(t, e)
	const a1Editor, bEditor = "tok-a1-editor-0123456789abcdef", "tok-b-editor-0123456789abcdef"
	e.addUser(t, "Biên tập A1", storage.RoleEditor, tr.A1.ID, a1Editor)
	e.addUser(t, "Biên tập B", storage.RoleEditor, tr.B.ID, bEditor)
	r := e.post("/api/v1/channels", agencyAdminToken, map[string]any{"name": "Cổng A", "kind": "webhook", "config": webhookConfig()})
	wantStatus(t, r, http.StatusCreated)
	ch := decode[channelJSON](t, r)
	newPost := func() int64 {
		r := e.post("/api/v1/posts", agencyOfficerToken, postBody(ch.ID))
		wantStatus(t, r, http.StatusCreated)
		return decode[postJSON](t, r).ID
	}
	tests := []struct {
		name, token string
		status      int
	}{
		{"editor beneath the post's agency", a1Editor, http.StatusNotFound},
		{"editor of a sibling", bEditor, http.StatusNotFound},
		{"the officer who wrote it", agencyOfficerToken, http.StatusForbidden},
		{"admin of the post's agency", agencyAdminToken, http.StatusOK},
		{"editor of the root", editorToken, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := newPost()
			r := e.post(fmt.Sprintf("/api/v1/posts/%d/approve", id), tt.token, nil)
			wantStatus(t, r, tt.status)
			if tt.status == http.StatusOK && decode[postJSON](t, r).Status != storage.PostScheduled {
				t.Errorf("approved post is %s", decode[postJSON](t, r).Status)
			}
		})
	}
}

// TestTokensNarrowed: a user's tokens listed with agency_id show nothing
// when the user is outside that agency's subtree.
func TestTokensNarrowed(t *testing.T) {
	e := newEnv(t)
	tr := newAgencyTree(t, e)
	officer := e.users[officerToken] // in the root
	for _, tt := range []struct {
		query string
		want  int
	}{
		{"", 1},
		{fmt.Sprintf("?agency_id=%d", tr.R.ID), 1},
		{fmt.Sprintf("?agency_id=%d", tr.A.ID), 0},
	} {
		r := e.get(fmt.Sprintf("/api/v1/users/%d/tokens%s", officer.ID, tt.query), adminToken)
		if got := len(decode[page[struct{ ID int64 }]](t, r).Items); got != tt.want {
			t.Errorf("tokens%s: %d, want %d", tt.query, got, tt.want)
		}
	}
}

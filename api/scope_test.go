package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

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

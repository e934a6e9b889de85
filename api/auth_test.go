package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/loa-vn/loa/storage"
)

func TestAuthentication(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	bad := []struct {
		name, header string
	}{
		{"no header", ""},
		{"scheme only", "Bearer"},
		{"empty token", "Bearer "},
		{"blank token", "Bearer    "},
		{"basic scheme", "Basic " + adminToken},
		{"token without scheme", adminToken},
		{"unknown token", "Bearer not-a-real-token"},
		{"hash instead of token", "Bearer " + strings.Repeat("0", 64)},
		{"token with suffix", "Bearer " + adminToken + "x"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(req{Method: http.MethodGet, Path: "/api/v1/me", Header: map[string]string{"Authorization": tc.header}})
			wantError(t, r, http.StatusUnauthorized, "unauthorized", "")
			if got := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
				t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", got)
			}
		})
	}

	good := []struct {
		name, header, role string
	}{
		{"admin", "Bearer " + adminToken, storage.RoleAdmin},
		{"editor", "Bearer " + editorToken, storage.RoleEditor},
		{"officer", "Bearer " + officerToken, storage.RoleOfficer},
		{"scheme is case-insensitive", "bearer " + editorToken, storage.RoleEditor},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(req{Method: http.MethodGet, Path: "/api/v1/me", Header: map[string]string{"Authorization": tc.header}})
			wantStatus(t, r, http.StatusOK)
			if got := decode[struct{ Role string }](t, r).Role; got != tc.role {
				t.Errorf("role = %q, want %q", got, tc.role)
			}
		})
	}

	// Every API route refuses anonymous callers, before reading the body.
	routes := []struct{ method, path string }{
		{http.MethodGet, "/api/v1/channels"},
		{http.MethodGet, "/api/v1/channels/1"},
		{http.MethodPost, "/api/v1/channels"},
		{http.MethodPatch, "/api/v1/channels/1"},
		{http.MethodPost, "/api/v1/posts"},
		{http.MethodGet, "/api/v1/posts"},
		{http.MethodGet, "/api/v1/posts/1"},
		{http.MethodGet, "/api/v1/posts/1/history"},
		{http.MethodPost, "/api/v1/posts/1/cancel"},
		{http.MethodGet, "/api/v1/deliveries"},
		{http.MethodGet, "/api/v1/deliveries/1"},
		{http.MethodPost, "/api/v1/deliveries/1/retry"},
	}
	for _, rt := range routes {
		for _, token := range []string{"", "wrong-token"} {
			t.Run(fmt.Sprintf("%s %s token=%q", rt.method, rt.path, token), func(t *testing.T) {
				r := e.do(req{Method: rt.method, Path: rt.path, Token: token, Body: `{"name":"x"}`})
				wantError(t, r, http.StatusUnauthorized, "unauthorized", "")
			})
		}
	}
	if posts, deliveries := e.counts(); posts+deliveries != 0 {
		t.Errorf("anonymous requests created %d posts and %d deliveries", posts, deliveries)
	}
}

func TestRoles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ch := e.createWebhook("Cổng thông tin phường")
	chPath := fmt.Sprintf("/api/v1/channels/%d", ch.ID)

	cases := []struct {
		name   string
		token  string
		method string
		path   string
		body   any
		want   int
	}{
		{"officer cannot create a channel", officerToken, http.MethodPost, "/api/v1/channels",
			map[string]any{"name": "Zalo OA", "kind": "webhook", "config": webhookConfig()}, http.StatusForbidden},
		{"officer cannot patch a channel", officerToken, http.MethodPatch, chPath,
			map[string]any{"status": "disabled"}, http.StatusForbidden},
		{"officer cannot patch even with a bad body", officerToken, http.MethodPatch, chPath, `{`, http.StatusForbidden},
		{"officer may list channels", officerToken, http.MethodGet, "/api/v1/channels", nil, http.StatusOK},
		{"officer may read a channel", officerToken, http.MethodGet, chPath, nil, http.StatusOK},
		{"officer may create a post", officerToken, http.MethodPost, "/api/v1/posts", postBody(ch.ID), http.StatusCreated},
		{"editor may create a channel", editorToken, http.MethodPost, "/api/v1/channels",
			map[string]any{"name": "Kênh biên tập", "kind": "webhook", "config": webhookConfig()}, http.StatusCreated},
		{"editor may patch a channel", editorToken, http.MethodPatch, chPath, map[string]any{"name": "Cổng phường"}, http.StatusOK},
		{"admin may create a channel", adminToken, http.MethodPost, "/api/v1/channels",
			map[string]any{"name": "Kênh quản trị", "kind": "webhook", "config": webhookConfig()}, http.StatusCreated},
		{"admin may patch a channel", adminToken, http.MethodPatch, chPath, map[string]any{"name": "Cổng phường 2"}, http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(req{Method: tc.method, Path: tc.path, Token: tc.token, Body: jsonString(t, tc.body)})
			if tc.want == http.StatusForbidden {
				wantError(t, r, http.StatusForbidden, "forbidden", "")
				return
			}
			wantStatus(t, r, tc.want)
		})
	}

	// The refused officer requests changed nothing.
	list := decode[page[channelJSON]](t, e.get("/api/v1/channels", officerToken))
	if len(list.Items) != 3 {
		t.Errorf("channels = %d, want 3 (one fixture, one by editor, one by admin)", len(list.Items))
	}
	for _, c := range list.Items {
		if c.Name == "Zalo OA" || c.Status != storage.ChannelActive {
			t.Errorf("officer request changed channels: %+v", c)
		}
	}
}

func TestRoutingErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ch := e.createWebhook("Kênh")
	p := e.createPost(officerToken, postBody(ch.ID))

	// Ids that are not positive numbers are 404, as is an id that does not exist.
	badIDs := []string{"abc", "0", "-1", "1.5", "1e3", "0x10", "99999999999999999999", "%20", "1%20", "9999999"}
	routes := []struct {
		method, pattern, token, body string
	}{
		{http.MethodGet, "/api/v1/posts/%s", officerToken, ""},
		{http.MethodGet, "/api/v1/posts/%s/history", officerToken, ""},
		{http.MethodPost, "/api/v1/posts/%s/cancel", editorToken, ""},
		{http.MethodGet, "/api/v1/deliveries/%s", officerToken, ""},
		{http.MethodPost, "/api/v1/deliveries/%s/retry", editorToken, ""},
		{http.MethodGet, "/api/v1/channels/%s", officerToken, ""},
		{http.MethodPatch, "/api/v1/channels/%s", editorToken, `{"name":"x"}`},
		{http.MethodGet, "/feeds/tin-tuc/items/%s", "", ""},
	}
	for _, rt := range routes {
		for _, id := range badIDs {
			t.Run(rt.method+" "+fmt.Sprintf(rt.pattern, id), func(t *testing.T) {
				r := e.do(req{Method: rt.method, Path: fmt.Sprintf(rt.pattern, id), Token: rt.token, Body: rt.body})
				wantError(t, r, http.StatusNotFound, "not_found", "")
			})
		}
	}

	t.Run("unknown route", func(t *testing.T) {
		wantError(t, e.get("/api/v2/posts", adminToken), http.StatusNotFound, "not_found", "")
		wantError(t, e.get("/api/v1/nothing-here", adminToken), http.StatusNotFound, "not_found", "")
	})
	t.Run("wrong method", func(t *testing.T) {
		wantError(t, e.do(req{Method: http.MethodPost, Path: "/healthz"}), http.StatusMethodNotAllowed, "method_not_allowed", "")
		wantError(t, e.do(req{Method: http.MethodDelete, Path: "/feeds/x.rss"}), http.StatusMethodNotAllowed, "method_not_allowed", "")
		for _, r := range []response{
			e.do(req{Method: http.MethodDelete, Path: fmt.Sprintf("/api/v1/posts/%d", p.ID), Token: adminToken}),
			e.get(fmt.Sprintf("/api/v1/posts/%d/cancel", p.ID), adminToken),
			e.do(req{Method: http.MethodPut, Path: fmt.Sprintf("/api/v1/channels/%d", ch.ID), Token: adminToken, Body: `{"name":"x"}`}),
		} {
			wantError(t, r, http.StatusMethodNotAllowed, "method_not_allowed", "")
		}
	})
	t.Run("post still scheduled", func(t *testing.T) {
		got := decode[postJSON](t, e.get(fmt.Sprintf("/api/v1/posts/%d", p.ID), officerToken))
		if got.Status != storage.PostScheduled {
			t.Errorf("post status = %q after 404s, want scheduled", got.Status)
		}
	})
}

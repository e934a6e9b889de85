package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestRequestTextHygiene: every text field of every endpoint refuses
// control characters, bidi overrides and isolates, noncharacters, invalid
// UTF-8 and oversized strings with a 422 naming the field by its JSON path,
// and nothing is stored. Before, NUL bytes and U+202E were stored as sent.
func TestRequestTextHygiene(t *testing.T) {
	e := newEnv(t)
	ch := e.createWebhook("Cổng phường")
	post := e.createPost(editorToken, postBody(ch.ID))
	pending := decode[postJSON](t, e.post("/api/v1/posts", officerToken, postBody(ch.ID)))
	chPath := fmt.Sprintf("/api/v1/channels/%d", ch.ID)
	postPath := fmt.Sprintf("/api/v1/posts/%d", post.ID)
	officerID := e.userID(officerToken)

	// withField returns a copy of body with path (dot-separated) set to v.
	withField := func(body map[string]any, path string, v any) map[string]any {
		out := deepCopy(body)
		m := out
		parts := strings.Split(path, ".")
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = v
		return out
	}
	variants := func(title string) map[string]any {
		b := postBody(ch.ID)
		b["variants"] = map[string]any{fmt.Sprint(ch.ID): map[string]any{"title": title}}
		return b
	}
	channel := map[string]any{"name": "Kênh mới", "kind": "webhook", "config": webhookConfig()}
	schedule := weeklyBody(ch.ID)
	source := map[string]any{"name": "TTHC tỉnh", "url": "https://tthc.example.gov.vn/rss", "channel_ids": []int64{ch.ID},
		"template": map[string]any{"title": "[TTHC] {{.Title}}"}}
	user := map[string]any{"name": "canbo9", "role": "officer", "password": "mật-khẩu-đủ-dài"}

	cases := []struct {
		name, method, path, token string
		body                      string
		field                     string
	}{
		{"NUL in post title", "POST", "/api/v1/posts", officerToken, js(t, withField(postBody(ch.ID), "title", "Thông\x00báo")), "title"},
		{"NUL escape in post body", "POST", "/api/v1/posts", officerToken, js(t, withField(postBody(ch.ID), "body", "<p>a\u0000b</p>")), "body"},
		{"RLO in post title", "POST", "/api/v1/posts", officerToken, js(t, withField(postBody(ch.ID), "title", "Quyết định \u202Efdp.exe")), "title"},
		{"isolate in summary", "POST", "/api/v1/posts", officerToken, js(t, withField(postBody(ch.ID), "summary", "a\u2066b")), "summary"},
		{"C1 in category", "POST", "/api/v1/posts", officerToken, js(t, withField(postBody(ch.ID), "category", "Tin\u0085")), "category"},
		{"newline in post title", "POST", "/api/v1/posts", officerToken, js(t, withField(postBody(ch.ID), "title", "Dòng 1\nDòng 2")), "title"},
		{"FFFE in link", "POST", "/api/v1/posts", officerToken, js(t, withField(postBody(ch.ID), "link", "https://a.example/\uFFFE")), "link"},
		{"RLO in a variant title", "POST", "/api/v1/posts", officerToken, js(t, variants("a\u202Eb")), fmt.Sprintf("variants.%d.title", ch.ID)},
		{"control character in a key", "POST", "/api/v1/channels", editorToken, `{"name":"x","kind":"webhook","config":{"url\u0007":"x"}}`, "config.url"},
		{"oversized key", "POST", "/api/v1/posts", officerToken, `{"title":"x","variants":{"` + strings.Repeat("9", 201) + `":{}}}`, "variants." + strings.Repeat("9", 40) + "…"},
		{"invalid UTF-8", "POST", "/api/v1/posts", officerToken, `{"title":"a` + "\xff" + `b","channel_ids":[1]}`, "title"},
		{"lone surrogate", "POST", "/api/v1/posts", officerToken, `{"title":"a\ud800b","channel_ids":[1]}`, "title"},
		{"reversed surrogates", "POST", "/api/v1/posts", officerToken, `{"title":"a\udc00\ud800","channel_ids":[1]}`, "title"},
		{"oversized string", "POST", "/api/v1/posts", officerToken, js(t, withField(postBody(ch.ID), "category", strings.Repeat("x", 200001))), "category"},
		{"NUL in post edit", "PATCH", postPath, editorToken, `{"title":"a\u0000"}`, "title"},
		{"NUL in channel name", "POST", "/api/v1/channels", editorToken, js(t, withField(channel, "name", "Kênh\x00")), "name"},
		{"NUL in channel secret", "POST", "/api/v1/channels", editorToken, js(t, withField(channel, "config.secret", "whsec-\x00")), "config.secret"},
		{"RLO in channel URL", "POST", "/api/v1/channels", editorToken, js(t, withField(channel, "config.url", "https://a.example/\u202E")), "config.url"},
		{"BEL in channel rename", "PATCH", chPath, editorToken, `{"name":"a\u0007"}`, "name"},
		{"NUL in a slot", "PATCH", chPath, editorToken, `{"slots":["07:00","08:00\u0000"]}`, "slots.1"},
		{"NUL in user name", "POST", "/api/v1/users", adminToken, js(t, withField(user, "name", "canbo\x00")), "name"},
		{"tab in password", "POST", "/api/v1/users", adminToken, js(t, withField(user, "password", "mật-khẩu\tđủ-dài")), "password"},
		{"ESC in token name", "POST", fmt.Sprintf("/api/v1/users/%d/tokens", officerID), officerToken, `{"name":"\u001b[2J"}`, "name"},
		{"NUL in log-in name", "POST", "/api/v1/auth/login", "", `{"name":"admin\u0000","password":"x"}`, "name"},
		{"RLO in reject reason", "POST", fmt.Sprintf("/api/v1/posts/%d/reject", pending.ID), editorToken, `{"reason":"x\u202E"}`, "reason"},
		{"NUL in schedule template body", "POST", "/api/v1/schedules", editorToken, js(t, withField(schedule, "template.body", "<p>\x00</p>")), "template.body"},
		{"RLO in schedule name", "POST", "/api/v1/schedules", editorToken, js(t, withField(schedule, "name", "\u202Ebản tin")), "name"},
		{"NUL in schedule rule", "POST", "/api/v1/schedules", editorToken, js(t, withField(schedule, "rule", "FREQ=DAILY\x00")), "rule"},
		{"NUL in source URL", "POST", "/api/v1/sources", editorToken, js(t, withField(source, "url", "https://a.example/\x00")), "url"},
		{"RLO in source template", "POST", "/api/v1/sources", editorToken, js(t, withField(source, "template.Title", "\u202E{{.Title}}")), "template.Title"},
		{"C1 in digest rule", "POST", "/api/v1/sources", editorToken, js(t, withField(source, "digest.rule", "FREQ=DAILY\u0080")), "digest.rule"},
	}

	lists := []string{"/api/v1/posts?limit=200", "/api/v1/channels", "/api/v1/users", "/api/v1/schedules", "/api/v1/sources",
		"/api/v1/deliveries?limit=200", fmt.Sprintf("/api/v1/users/%d/tokens", officerID), postPath}
	before := e.snapshot(lists)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(req{Method: tc.method, Path: tc.path, Token: tc.token, Body: tc.body})
			wantError(t, r, http.StatusUnprocessableEntity, "invalid_field", tc.field)
		})
	}
	after := e.snapshot(lists)
	for _, path := range lists {
		if !bytes.Equal(before[path], after[path]) {
			t.Errorf("GET %s changed by refused requests:\nbefore %s\nafter  %s", path, before[path], after[path])
		}
	}
}

// TestRequestTextAllowsLineBreaksInMultilineFields: bodies, variant texts,
// summaries and reasons keep tabs and line breaks.
func TestRequestTextAllowsLineBreaksInMultilineFields(t *testing.T) {
	e := newEnv(t)
	ch := e.createWebhook("Cổng phường")
	b := postBody(ch.ID)
	b["body"] = "<p>Dòng 1\r\nDòng 2\tcột</p>"
	b["summary"] = "Tóm tắt\nhai dòng"
	b["variants"] = map[string]any{fmt.Sprint(ch.ID): map[string]any{"text": "Dòng 1\nDòng 2"}}
	r := e.post("/api/v1/posts", officerToken, b)
	wantStatus(t, r, http.StatusCreated)
	p := decode[postJSON](t, r)
	if p.Body != "<p>Dòng 1\nDòng 2\tcột</p>" || p.Summary != "Tóm tắt hai dòng" {
		t.Errorf("body %q, summary %q", p.Body, p.Summary)
	}
	r = e.post(fmt.Sprintf("/api/v1/posts/%d/reject", p.ID), editorToken, map[string]any{"reason": "Sửa:\n- số liệu\n- ảnh"})
	wantStatus(t, r, http.StatusOK)
}

func js(t *testing.T, v any) string { return jsonString(t, v) }

func deepCopy(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			v = deepCopy(sub)
		}
		out[k] = v
	}
	return out
}

// snapshot GETs each path as an admin and keeps the bodies.
func (e *env) snapshot(paths []string) map[string][]byte {
	e.t.Helper()
	out := make(map[string][]byte, len(paths))
	for _, p := range paths {
		r := e.get(p, adminToken)
		wantStatus(e.t, r, http.StatusOK)
		out[p] = r.Body
	}
	return out
}

func (e *env) userID(token string) int64 {
	e.t.Helper()
	return e.users[token].ID
}

package e2e

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestEchoedCredentialsStayOutOfLastErrorAndLogs: a WordPress site and a
// webhook receiver that echo the Authorization header Loa sent them (Basic
// auth of the app password; Basic auth from the credentials inside the
// webhook URL) in their error bodies. Before, the credential reached
// last_error, the API and the log.
func TestEchoedCredentialsStayOutOfLastErrorAndLogs(t *testing.T) {
	const hookUser, hookPass = "hookuser", "hookPASSWORD77"
	echo := func(w http.ResponseWriter, r *http.Request, status int) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(status)
		auth := r.Header.Get("Authorization")
		fmt.Fprintf(w, `{"code":"rest_not_logged_in","message":"you sent \u001b[31m%s then %s","data":{"status":%d}}`,
			auth, strings.TrimPrefix(auth, "Basic "), status)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /wp-json/wp/v2/posts", func(w http.ResponseWriter, r *http.Request) { echo(w, r, 401) })
	mux.HandleFunc("POST /hook", func(w http.ResponseWriter, r *http.Request) { echo(w, r, 400) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	loa := start(t, env(t))
	c := client{t: t, base: "http://" + loa.addr, token: adminToken}
	var wp, hook struct {
		ID int64 `json:"id"`
	}
	c.mustDo("POST", "/api/v1/channels", map[string]any{"name": "Cổng WordPress", "kind": "wordpress",
		"config": map[string]any{"base_url": srv.URL, "username": "bientap", "app_password": wpAppPassword}}, 201, &wp)
	hookURL := strings.Replace(srv.URL, "//", "//"+hookUser+":"+hookPass+"@", 1) + "/hook"
	c.mustDo("POST", "/api/v1/channels", map[string]any{"name": "Cổng webhook", "kind": "webhook",
		"config": map[string]any{"url": hookURL, "secret": webhookSecret}}, 201, &hook)

	p := createPost(c, "Thông báo lịch tiếp công dân", time.Now(), wp.ID, hook.ID)
	deadline := time.Now().Add(30 * time.Second)
	for {
		c.mustDo("GET", fmt.Sprintf("/api/v1/posts/%d", p.ID), nil, 200, &p)
		if p.Status == "failed" || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if p.Status != "failed" {
		t.Fatalf("post = %+v, want failed", p)
	}
	var shown strings.Builder
	for _, d := range p.Deliveries {
		if !strings.Contains(d.LastError, "HTTP 40") {
			t.Errorf("delivery %d last_error %q does not say what the remote answered", d.ID, d.LastError)
		}
		var raw map[string]any
		c.mustDo("GET", fmt.Sprintf("/api/v1/deliveries/%d", d.ID), nil, 200, &raw)
		fmt.Fprint(&shown, raw)
	}
	for _, id := range []int64{wp.ID, hook.ID} {
		var raw map[string]any
		c.mustDo("GET", fmt.Sprintf("/api/v1/channels/%d", id), nil, 200, &raw)
		fmt.Fprint(&shown, raw)
	}
	loa.stop()

	var forbidden []string
	for _, pair := range [][2]string{{"bientap", wpAppPasswordRaw}, {hookUser, hookPass}} {
		b64 := base64.StdEncoding.EncodeToString([]byte(pair[0] + ":" + pair[1]))
		forbidden = append(forbidden, pair[1], b64, "Basic "+b64, url.QueryEscape(b64),
			base64.StdEncoding.EncodeToString([]byte(pair[1])))
	}
	forbidden = append(forbidden, webhookSecret)
	for name, text := range map[string]string{"API responses": shown.String(), "logs": loa.output.String()} {
		for _, secret := range forbidden {
			if strings.Contains(text, secret) {
				t.Errorf("%s contain the credential form %q", name, secret)
			}
		}
		if strings.Contains(text, "\x1b") {
			t.Errorf("%s contain a control character from the remote's answer", name)
		}
	}
}

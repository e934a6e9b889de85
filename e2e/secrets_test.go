package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Credentials every fake platform checks; none may ever show in an API
// response or a log line.
const (
	fbPageToken      = "EAAfbPageTokenSecretValue123"
	zaloSecretKey    = "zaloAppSecretKey987"
	zaloOldAccess    = "zaloAccessOld111"
	zaloOldRefresh   = "zaloRefreshOld222"
	zaloNewAccess    = "zaloAccessNew333"
	zaloNewRefresh   = "zaloRefreshNew444"
	wpAppPassword    = "abcd efgh ijkl mnop qrst uvwx"
	wpAppPasswordRaw = "abcdefghijklmnopqrstuvwx"
)

// platforms fakes Facebook, Zalo (which rejects the first access token, so
// Loa must rotate it) and WordPress behind one server, as documented in
// channels.md.
type platforms struct {
	mu    sync.Mutex
	calls []string
	srv   *httptest.Server
}

func newPlatforms(t *testing.T) *platforms {
	p := &platforms{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v25.0/{page}/feed", func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("access_token") != fbPageToken {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190}}`)
			return
		}
		p.record("facebook")
		fmt.Fprintf(w, `{"id":"%s_777"}`, r.PathValue("page"))
	})
	mux.HandleFunc("POST /v4/oa/access_token", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("secret_key") != zaloSecretKey || r.FormValue("refresh_token") != zaloOldRefresh {
			fmt.Fprint(w, `{"error":-14014,"message":"Invalid refresh token"}`)
			return
		}
		p.record("zalo-refresh")
		fmt.Fprintf(w, `{"access_token":"%s","refresh_token":"%s","expires_in":"90000"}`, zaloNewAccess, zaloNewRefresh)
	})
	mux.HandleFunc("POST /v2.0/article/create", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("access_token") != zaloNewAccess {
			fmt.Fprint(w, `{"error":-216,"message":"Access token is invalid"}`)
			return
		}
		p.record("zalo-create")
		fmt.Fprint(w, `{"error":0,"message":"Success","data":{"token":"verify-token-1"}}`)
	})
	mux.HandleFunc("POST /v2.0/article/verify", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"error":0,"message":"Success","data":{"id":"article-42"}}`)
	})
	mux.HandleFunc("POST /wp-json/wp/v2/posts", func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != "bientap" || strings.ReplaceAll(pass, " ", "") != wpAppPasswordRaw {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"code":"incorrect_password","message":"The provided password is an invalid application password.","data":{"status":401}}`)
			return
		}
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		p.record("wordpress")
		w.WriteHeader(201)
		fmt.Fprintf(w, `{"id":99,"link":"%s/?p=99","status":"publish","slug":%q}`, "http://"+r.Host, body["slug"])
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *platforms) record(call string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, call)
}

func (p *platforms) count(call string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, c := range p.calls {
		if c == call {
			n++
		}
	}
	return n
}

func TestNoCredentialInResponsesOrLogs(t *testing.T) {
	fake := newPlatforms(t)
	s := newSink(t)
	loa := start(t, env(t))
	c := client{t: t, base: "http://" + loa.addr, token: adminToken}
	var responses strings.Builder
	record := func(method, path string, body any) json.RawMessage {
		var raw json.RawMessage
		c.do(method, path, body, &raw)
		responses.Write(raw)
		return raw
	}
	configs := []struct {
		kind   string
		config map[string]any
	}{
		{"webhook", map[string]any{"url": s.srv.URL, "secret": webhookSecret}},
		{"facebook_page", map[string]any{"page_id": "1234567890", "page_token": fbPageToken, "api_base_url": fake.srv.URL}},
		{"zalo_oa", map[string]any{"app_id": "4321", "secret_key": zaloSecretKey, "refresh_token": zaloOldRefresh,
			"access_token": zaloOldAccess, "default_cover_url": "https://example.gov.vn/cover.jpg",
			"api_base_url": fake.srv.URL, "oauth_base_url": fake.srv.URL}},
		{"wordpress", map[string]any{"base_url": fake.srv.URL, "username": "bientap", "app_password": wpAppPassword}},
	}
	var ids []int64
	for _, cfg := range configs {
		var ch struct {
			ID int64 `json:"id"`
		}
		raw := record("POST", "/api/v1/channels", map[string]any{"name": "Kênh " + cfg.kind, "kind": cfg.kind, "config": cfg.config})
		if err := json.Unmarshal(raw, &ch); err != nil || ch.ID == 0 {
			t.Fatalf("create %s channel: %s", cfg.kind, raw)
		}
		ids = append(ids, ch.ID)
	}
	p := createPost(c, "Công khai TTHC mới", time.Now(), ids...)
	c.waitDelivered(p.ID, 30*time.Second)
	for _, call := range []string{"facebook", "zalo-refresh", "zalo-create", "wordpress"} {
		if n := fake.count(call); n != 1 {
			t.Errorf("platform call %s happened %d times, want 1", call, n)
		}
	}
	record("GET", "/api/v1/channels", nil)
	record("GET", fmt.Sprintf("/api/v1/posts/%d", p.ID), nil)
	record("GET", fmt.Sprintf("/api/v1/posts/%d/preview", p.ID), nil)
	for _, d := range p.Deliveries {
		record("GET", fmt.Sprintf("/api/v1/deliveries/%d", d.ID), nil)
	}
	for _, id := range ids {
		record("GET", fmt.Sprintf("/api/v1/channels/%d", id), nil)
		record("POST", fmt.Sprintf("/api/v1/channels/%d/test", id), nil)
	}
	loa.stop()
	secrets := []string{adminToken, webhookSecret, fbPageToken, zaloSecretKey, zaloOldAccess, zaloOldRefresh,
		zaloNewAccess, zaloNewRefresh, wpAppPassword, wpAppPasswordRaw}
	for name, text := range map[string]string{"API responses": responses.String(), "logs": loa.output.String()} {
		for _, secret := range secrets {
			if strings.Contains(text, secret) {
				t.Errorf("%s contain the credential %q", name, secret)
			}
		}
	}
	if !strings.Contains(responses.String(), "********") {
		t.Error("responses never show a masked secret; the check above may be vacuous")
	}
	_ = io.Discard
}

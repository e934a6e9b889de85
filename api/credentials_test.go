package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/loa-vn/loa/adapters"
	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/facebook"
	"github.com/loa-vn/loa/channels/rss"
	"github.com/loa-vn/loa/channels/webhook"
)

const (
	fbToken    = "EAAB-REAL-page-token-0001"
	fbNewToken = "EAAB-token-entered-for-new-host"
)

// withFacebook serves the facebook kind besides webhook and rss.
func withFacebook(o *api.Options) {
	reg, err := channels.NewRegistry(webhook.Kind(), rss.Kind(), facebook.Kind())
	if err != nil {
		panic(err)
	}
	o.Registry = reg
	o.Channels = adapters.NewChannelSet(reg, o.Box, channels.Env{PublicBaseURL: publicURL})
}

// graphFake stands in for Graph (or for an attacker's server): it answers
// every GET with a Page and records the tokens it receives.
type graphFake struct {
	*httptest.Server
	mu     sync.Mutex
	tokens []string
}

func newGraphFake(t *testing.T) *graphFake {
	g := &graphFake{}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/v25.0/1234567890" {
			t.Errorf("graph fake: unexpected %s %s", r.Method, r.URL.Path)
		}
		g.mu.Lock()
		g.tokens = append(g.tokens, r.URL.Query().Get("access_token"))
		g.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"1234567890","name":"Trang UBND phường"}`)
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *graphFake) received() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.tokens...)
}

func (e *env) storedFields(id int64) (map[string]any, string) {
	e.t.Helper()
	ch, err := e.store.GetChannel(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	plain, err := e.box.Open(ch.ConfigSealed)
	if err != nil {
		e.t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(plain, &cfg); err != nil {
		e.t.Fatal(err)
	}
	return cfg, ch.UpdatedAt.String()
}

// TestEndpointMoveWithoutSecretIsRefused: before, an editor could point a
// Facebook channel's api_base_url at their own server keeping the masked
// token, press "test", and receive the real page token there.
func TestEndpointMoveWithoutSecretIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withFacebook)
	graph, attacker := newGraphFake(t), newGraphFake(t)
	r := e.post("/api/v1/channels", editorToken, map[string]any{"name": "Trang phường", "kind": facebook.KindName,
		"config": map[string]any{"page_id": "1234567890", "page_token": fbToken, "api_base_url": graph.URL}})
	wantStatus(t, r, http.StatusCreated)
	ch := decode[channelJSON](t, r)
	path := fmt.Sprintf("/api/v1/channels/%d", ch.ID)
	before, stamp := e.storedFields(ch.ID)

	for _, patch := range []map[string]any{
		{"api_base_url": attacker.URL, "page_token": channels.SecretMask},
		{"api_base_url": attacker.URL},
		{"api_base_url": attacker.URL + "/", "page_id": "1234567890"},
	} {
		r := e.patch(path, editorToken, map[string]any{"name": "Đổi tên", "config": patch})
		apiErr := wantError(t, r, http.StatusUnprocessableEntity, "invalid_field", "config.page_token")
		if !strings.Contains(apiErr.Message, "re-enter page_token") || !strings.Contains(apiErr.Message, "api_base_url changed") {
			t.Errorf("message = %q", apiErr.Message)
		}
	}
	after, afterStamp := e.storedFields(ch.ID)
	if fmt.Sprint(after) != fmt.Sprint(before) || afterStamp != stamp {
		t.Fatalf("a refused patch changed the channel: %v → %v", before, after)
	}
	if got := decode[channelJSON](t, e.get(path, officerToken)).Name; got != "Trang phường" {
		t.Errorf("name = %q; a refused patch must change nothing", got)
	}

	// The connection test after the refused patches still goes to Graph.
	r = e.post(path+"/test", editorToken, nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(string(r.Body), `"ok":true`) {
		t.Fatalf("test = %s", r.Body)
	}
	if got := graph.received(); len(got) != 1 || got[0] != fbToken {
		t.Fatalf("graph received tokens %q, want the page token once", got)
	}
	if got := attacker.received(); len(got) != 0 {
		t.Fatalf("the new address received %q", got)
	}

	// Re-entering the token moves the channel; only the new token goes there.
	r = e.patch(path, editorToken, map[string]any{"config": map[string]any{"api_base_url": attacker.URL, "page_token": fbNewToken}})
	wantStatus(t, r, http.StatusOK)
	if strings.Contains(string(r.Body), fbNewToken) || strings.Contains(string(r.Body), fbToken) {
		t.Fatalf("response shows the token: %s", r.Body)
	}
	wantStatus(t, e.post(path+"/test", editorToken, nil), http.StatusOK)
	if got := attacker.received(); len(got) != 1 || got[0] != fbNewToken {
		t.Fatalf("new address received %q, want only the token entered for it", got)
	}
	if got := graph.received(); len(got) != 1 {
		t.Fatalf("the old address received %d requests after the move, want none", len(got)-1)
	}
}

// TestChannelURLCredentialsMasked: before, a webhook url holding
// https://user:pass@host was returned unmasked.
func TestChannelURLCredentialsMasked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const withCreds = "https://loa:url-PASSWORD-0001@cms.example.gov.vn/hook"
	r := e.post("/api/v1/channels", editorToken, map[string]any{"name": "Cổng", "kind": "webhook",
		"config": map[string]any{"url": withCreds, "secret": webhookSecret}})
	wantStatus(t, r, http.StatusCreated)
	ch := decode[channelJSON](t, r)
	path := fmt.Sprintf("/api/v1/channels/%d", ch.ID)
	for _, r := range []response{r, e.get(path, officerToken), e.get("/api/v1/channels", officerToken)} {
		if strings.Contains(string(r.Body), "url-PASSWORD-0001") {
			t.Fatalf("response shows the password in the url: %s", r.Body)
		}
	}
	if got := ch.Config["url"]; got != "https://loa:********@cms.example.gov.vn/hook" {
		t.Errorf("url = %v", got)
	}
	// Sent back masked, the stored credentials are kept.
	r = e.patch(path, editorToken, map[string]any{"config": ch.Config})
	wantStatus(t, r, http.StatusOK)
	if got := e.storedConfig(ch.ID)["url"]; got != withCreds {
		t.Errorf("stored url = %q, want %q", got, withCreds)
	}
	// Sent back masked towards another host, they are not carried there.
	r = e.patch(path, editorToken, map[string]any{"config": map[string]any{
		"url": "https://loa:********@attacker.example/hook", "secret": webhookSecret2}})
	wantError(t, r, http.StatusUnprocessableEntity, "invalid_field", "config.url")
	if got := e.storedConfig(ch.ID); got["url"] != withCreds || got["secret"] != webhookSecret {
		t.Errorf("stored config = %v", got)
	}
}

// TestSourceURLCredentialsSealedAndMasked: before, a feed URL holding
// https://user:pass@host was stored in clear and shown to every officer.
// The poll still authenticates to the feed's host, and to no other.
func TestSourceURLCredentialsSealedAndMasked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ch := e.createWebhook("Cổng phường")
	const user, pass = "tinh", "feed-PASSWORD-0001"
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if auth := r.Header.Get("Authorization"); auth != "" {
			t.Errorf("the redirect target received Authorization %q", auth)
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, smallFeed, testNow.Format(http.TimeFormat))
	}))
	defer other.Close()
	var authOK bool
	var mu sync.Mutex
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		mu.Lock()
		authOK = ok && u == user && p == pass
		mu.Unlock()
		// Moved to another host: the credentials must stay here.
		http.Redirect(w, r, strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+"/rss", http.StatusFound)
	}))
	defer feed.Close()
	full := strings.Replace(feed.URL, "//", "//"+user+":"+pass+"@", 1) + "/rss"
	r := e.post("/api/v1/sources", editorToken, map[string]any{"name": "TTHC tỉnh", "url": full, "poll_every": "15m",
		"template": map[string]any{"title": "{{.Title}}"}, "channel_ids": []int64{ch.ID}})
	wantStatus(t, r, http.StatusCreated)
	src := decode[struct {
		ID  int64  `json:"id"`
		URL string `json:"url"`
	}](t, r)
	if want := strings.Replace(feed.URL, "//", "//"+user+":********@", 1) + "/rss"; src.URL != want {
		t.Errorf("url = %q, want %q", src.URL, want)
	}
	path := fmt.Sprintf("/api/v1/sources/%d", src.ID)
	for _, r := range []response{r, e.get(path, officerToken), e.get("/api/v1/sources", officerToken)} {
		if strings.Contains(string(r.Body), pass) {
			t.Fatalf("response shows the feed password: %s", r.Body)
		}
	}
	stored, err := e.store.GetSource(context.Background(), src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored.URL, pass) {
		t.Errorf("stored url holds the password in clear: %q", stored.URL)
	}
	if plain, err := e.box.Open(stored.URLSealed); err != nil || string(plain) != full {
		t.Errorf("sealed url = %q, %v; want %q", plain, err, full)
	}

	r = e.post(path+"/poll", editorToken, nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(string(r.Body), `"outcome":"ok"`) {
		t.Fatalf("poll = %s", r.Body)
	}
	mu.Lock()
	defer mu.Unlock()
	if !authOK {
		t.Error("the feed's host did not receive the credentials")
	}
}

// TestSecretLongerThan4096BytesRefused: before, a 900 KB secret was stored.
func TestSecretLongerThan4096BytesRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	huge := strings.Repeat("k", 900<<10)
	over := strings.Repeat("k", channels.MaxSecretBytes+1)
	for _, secret := range []string{huge, over} {
		r := e.post("/api/v1/channels", editorToken, map[string]any{"name": "Cổng", "kind": "webhook",
			"config": map[string]any{"url": "https://cms.example.gov.vn/hook", "secret": secret}})
		apiErr := wantError(t, r, http.StatusUnprocessableEntity, "invalid_field", "config.secret")
		// The 900 KB one meets the request-wide string ceiling first.
		if !strings.Contains(apiErr.Message, "4096") && !strings.Contains(apiErr.Message, "longer than 200000 bytes") {
			t.Errorf("message = %q", apiErr.Message)
		}
	}
	ch := e.createWebhook("Cổng phường")
	r := e.patch(fmt.Sprintf("/api/v1/channels/%d", ch.ID), editorToken, map[string]any{"config": map[string]any{"secret": over}})
	wantError(t, r, http.StatusUnprocessableEntity, "invalid_field", "config.secret")
	if got := e.storedConfig(ch.ID)["secret"]; got != webhookSecret {
		t.Errorf("stored secret changed to %d bytes", len(got))
	}
	r = e.patch(fmt.Sprintf("/api/v1/channels/%d", ch.ID), editorToken,
		map[string]any{"config": map[string]any{"secret": over[:channels.MaxSecretBytes]}})
	wantStatus(t, r, http.StatusOK)
}

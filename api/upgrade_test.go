package api_test

import (
	"context"
	"database/sql"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/glebarez/go-sqlite" // database/sql driver "sqlite", to write rows as an older Loa did
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

const legacyToken = "tok-legacy-admin-0123456789abcdef"

// TestUpgradedDatabaseServesTheAPI: a database made by the migrations
// before agencies (1–9), with users, a token, channels, a published post
// and its delivery in it, upgrades; everything lands in the root agency
// and the API serves it as before — the old token works, the old rows are
// listed in the root agency, the old feed item is still served, and new
// posts go to the old channels. On SQLite and, with LOA_TEST_DATABASE_URL,
// PostgreSQL.
func TestUpgradedDatabaseServesTheAPI(t *testing.T) {
	ctx := context.Background()
	dir, url := t.TempDir(), storagetest.DatabaseURL(t)
	store, err := storage.Open(ctx, storage.Options{DatabaseURL: url, DataDir: dir, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.MigrateTo(ctx, 9); err != nil {
		t.Fatal(err)
	}
	writeVersion9Rows(t, url, filepath.Join(dir, "loa.db"))
	if _, err := store.Migrate(ctx); err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	e := newEnvOn(t, store)

	agencies := decode[struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}](t, e.get("/api/v1/agencies", legacyToken))
	if len(agencies.Items) != 1 {
		t.Fatalf("agencies after the upgrade = %+v, want the root alone", agencies.Items)
	}
	root := agencies.Items[0].ID

	type row struct {
		ID       int64  `json:"id"`
		Name     string `json:"name"`
		Title    string `json:"title"`
		Status   string `json:"status"`
		AgencyID int64  `json:"agency_id"`
	}
	type list struct {
		Items []row `json:"items"`
	}
	channels := decode[list](t, e.get("/api/v1/channels", legacyToken)).Items
	posts := decode[list](t, e.get("/api/v1/posts", officerToken)).Items
	deliveries := decode[list](t, e.get("/api/v1/deliveries", officerToken)).Items
	for what, rows := range map[string][]row{"channels": channels, "posts": posts, "deliveries": deliveries} {
		if len(rows) == 0 {
			t.Errorf("no %s listed after the upgrade", what)
		}
		for _, r := range rows {
			if r.AgencyID != root {
				t.Errorf("%s %+v is in agency %d, want the root %d", what, r, r.AgencyID, root)
			}
		}
	}
	if len(posts) != 1 || posts[0].Title != "Bài cũ đã đăng" || posts[0].Status != storage.PostPublished {
		t.Errorf("posts = %+v, want the old published one", posts)
	}

	feed := e.do(req{Method: http.MethodGet, Path: "/feeds/tin-cu.rss"})
	wantStatus(t, feed, http.StatusOK)
	if !strings.Contains(string(feed.Body), "Bài cũ đã đăng") {
		t.Errorf("the old feed lost its item: %s", feed.Body)
	}

	var ids []int64
	for _, ch := range channels {
		ids = append(ids, ch.ID)
	}
	r := e.post("/api/v1/posts", editorToken, postBody(ids...))
	wantStatus(t, r, http.StatusCreated)
	created := decode[struct {
		AgencyID   int64 `json:"agency_id"`
		Deliveries []row `json:"deliveries"`
	}](t, r)
	if created.AgencyID != root || len(created.Deliveries) != len(ids) {
		t.Errorf("new post to the old channels = %+v, want %d deliveries in agency %d", created, len(ids), root)
	}
}

// writeVersion9Rows writes, through plain SQL as Loa then did, an admin
// with an API token, a webhook and a feed channel (configs sealed with the
// test box), and a post delivered to the feed.
func writeVersion9Rows(t *testing.T, url, sqlitePath string) {
	t.Helper()
	driver, dsn := "sqlite", "file:"+sqlitePath+"?_pragma=busy_timeout(10000)"
	if url != "" {
		driver, dsn = "pgx", url
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	box := newBox(t, 1)
	hook, err := box.Seal([]byte(`{"url":"https://cms.example.gov.vn/loa-hook","secret":"` + webhookSecret + `"}`))
	if err != nil {
		t.Fatal(err)
	}
	feed, err := box.Seal([]byte(`{"slug":"tin-cu","title":"Tin cũ","description":"","language":"vi"}`))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 10, 1, 1, 0, 0, 0, time.UTC)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO users (name, name_key, role, password_hash, created_at) VALUES ($1, $2, 'admin', '', $3)`,
			[]any{"Quản trị cũ", "quản trị cũ", at}},
		{`INSERT INTO api_tokens (user_id, name, token_hash, created_at) SELECT id, 'cũ', $1, $2 FROM users WHERE name_key = 'quản trị cũ'`,
			[]any{api.HashToken(legacyToken), at}},
		{`INSERT INTO channels (name, kind, config_sealed, status, slots, created_at, updated_at) VALUES ('Cổng cũ', 'webhook', $1, 'active', '', $2, $2)`,
			[]any{hook, at}},
		{`INSERT INTO channels (name, kind, config_sealed, feed_slug, status, slots, created_at, updated_at) VALUES ('Tin cũ', 'rss', $1, 'tin-cu', 'active', '', $2, $2)`,
			[]any{feed, at}},
		{`INSERT INTO posts (title, summary, body, category, audience, status, publish_at, created_by, created_at, updated_at)
			SELECT 'Bài cũ đã đăng', '', '<p>Nội dung cũ</p>', '', 'all', 'published', $1, id, $1, $1 FROM users WHERE name_key = 'quản trị cũ'`,
			[]any{at}},
		{`INSERT INTO deliveries (post_id, channel_id, status, scheduled_at, next_attempt_at, attempts, delivered_at, created_at, updated_at)
			SELECT p.id, c.id, 'delivered', $1, $1, 1, $1, $1, $1 FROM posts p, channels c WHERE c.feed_slug = 'tin-cu'`,
			[]any{at}},
	} {
		if _, err := db.Exec(q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
}

package storage_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

// version9Rows are rows in every table of a version-9 database, written
// as Loa then wrote them.
var version9Rows = []string{
	`INSERT INTO users (id, name, name_key, role, password_hash, created_at) VALUES (1, 'admin', 'admin', 'admin', '', '2026-01-02 03:04:05')`,
	`INSERT INTO users (id, name, name_key, role, password_hash, created_at, disabled_at) VALUES (2, 'Nguyễn Văn A', 'nguyễn văn a', 'officer', 'h', '2026-01-02 03:04:05', '2026-02-01 00:00:00')`,
	`INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES (1, 1, 'first admin token', 'hash1', '2026-01-02 03:04:05')`,
	`INSERT INTO channels (id, name, kind, config_sealed, status, slots, created_at, updated_at) VALUES (1, 'Cổng', 'webhook', 'sealed', 'active', '["07:00"]', '2026-01-02 03:04:05', '2026-01-02 03:04:05')`,
	`INSERT INTO channels (id, name, kind, config_sealed, feed_slug, status, created_at, updated_at) VALUES (2, 'RSS', 'rss', 'sealed', 'tin', 'disabled', '2026-01-02 03:04:05', '2026-01-02 03:04:05')`,
	`INSERT INTO schedules (id, name, rule, timezone, starts_at, template, targets, status, created_by, materialized_until, created_at, updated_at) VALUES (1, 'Thứ hai', 'FREQ=WEEKLY', 'Asia/Ho_Chi_Minh', '2026-01-05 00:00:00', '{}', '{"channel_ids":[1]}', 'active', 1, '2026-01-05 00:00:00', '2026-01-02 03:04:05', '2026-01-02 03:04:05')`,
	`INSERT INTO sources (id, name, url, poll_every, mode, template, targets, status, created_by, next_poll_at, digest_until, created_at, updated_at) VALUES (1, 'Cổng DVC', 'https://dvc.example/rss', 900, 'review', '{}', '{"channel_ids":[1]}', 'active', 1, '2026-01-02 03:04:05', '2026-01-02 03:04:05', '2026-01-02 03:04:05', '2026-01-02 03:04:05')`,
	`INSERT INTO posts (id, title, summary, body, category, audience, status, publish_at, created_by, schedule_id, occurrence_at, created_at, updated_at) VALUES (1, 'Lịch tiếp dân', '', 'Nội dung', 'tin', 'public', 'scheduled', '2026-01-05 00:00:00', 1, 1, '2026-01-05 00:00:00', '2026-01-02 03:04:05', '2026-01-02 03:04:05')`,
	`INSERT INTO posts (id, title, summary, body, category, audience, status, publish_at, created_by, source_id, created_at, updated_at) VALUES (2, 'Thủ tục mới', 's', 'b', 'tin', 'public', 'published', '2026-01-03 00:00:00', 2, 1, '2026-01-02 03:04:05', '2026-01-02 03:04:05')`,
	`INSERT INTO deliveries (id, post_id, channel_id, status, scheduled_at, next_attempt_at, created_at, updated_at) VALUES (1, 1, 1, 'scheduled', '2026-01-05 00:00:00', '2026-01-05 00:00:00', '2026-01-02 03:04:05', '2026-01-02 03:04:05')`,
	`INSERT INTO deliveries (id, post_id, channel_id, status, scheduled_at, next_attempt_at, attempts, external_id, created_at, updated_at) VALUES (2, 2, 2, 'delivered', '2026-01-03 00:00:00', '2026-01-03 00:00:00', 1, 'x1', '2026-01-02 03:04:05', '2026-01-02 03:04:05')`,
	`INSERT INTO attempts (id, delivery_id, number, started_at, outcome) VALUES (1, 2, 1, '2026-01-03 00:00:00', 'delivered')`,
	`INSERT INTO audit_events (id, at, actor, entity_type, entity_id, action) VALUES (1, '2026-01-02 03:04:05', 'user:admin', 'post', 1, 'created')`,
	`INSERT INTO source_items (id, source_id, key, title, summary, first_seen_at, post_id) VALUES (1, 1, 'k1', 'Thủ tục mới', '', '2026-01-02 03:04:05', 2)`,
	`INSERT INTO source_polls (id, source_id, at, outcome, items_seen, items_new) VALUES (1, 1, '2026-01-02 03:04:05', 'ok', 1, 1)`,
}

var version9Tables = []string{"users", "api_tokens", "channels", "schedules", "sources", "posts", "deliveries",
	"attempts", "audit_events", "source_items", "source_polls"}

// snapshot reads every row of every table, without the agency_id column.
// (phase keeps PostgreSQL from reusing a plan prepared before the upgrade.)
func snapshot(t *testing.T, st *storage.Store, phase string) map[string][]map[string]any {
	t.Helper()
	snap := map[string][]map[string]any{}
	for _, table := range version9Tables {
		var rows []map[string]any
		if err := st.DB().Raw("SELECT * FROM " + table + " ORDER BY id -- " + phase).Scan(&rows).Error; err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		for _, r := range rows {
			delete(r, "agency_id")
		}
		snap[table] = rows
	}
	return snap
}

// A database made by migrations 1–9, with data in every table, upgrades
// with one root agency named by LOA_AGENCY_NAME holding every row, and
// nothing else changed — on SQLite and (LOA_TEST_DATABASE_URL) PostgreSQL.
func TestMigration0010PutsEverythingInTheRootAgency(t *testing.T) {
	ctx := context.Background()
	st, err := storage.Open(ctx, storage.Options{DatabaseURL: storagetest.DatabaseURL(t), DataDir: t.TempDir(),
		RootAgencyName: "Sở Thông tin và Truyền thông"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.MigrateTo(ctx, 9); err != nil {
		t.Fatal(err)
	}
	for _, q := range version9Rows {
		if err := st.DB().Exec(q).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	before := snapshot(t, st, "before")
	if err := st.MigrateTo(ctx, 10); err != nil {
		t.Fatalf("upgrade to 10: %v", err)
	}
	if after := snapshot(t, st, "after"); !reflect.DeepEqual(before, after) {
		t.Errorf("the upgrade changed rows:\nbefore %v\nafter  %v", before, after)
	}
	root, err := st.RootAgency(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := storage.Agency{ID: root.ID, Name: "Sở Thông tin và Truyền thông", Code: "so-thong-tin-va-truyen-thong",
		Path: fmt.Sprintf("/%d/", root.ID), Names: []string{"Sở Thông tin và Truyền thông"}}
	root.CreatedAt, root.UpdatedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(root, want) {
		t.Errorf("root = %+v, want %+v", root, want)
	}
	for _, table := range []string{"users", "channels", "posts", "schedules", "sources", "deliveries"} {
		var others, all int64
		st.DB().Table(table).Count(&all)
		if err := st.DB().Table(table).Where("agency_id <> ?", root.ID).Count(&others).Error; err != nil || all == 0 || others != 0 {
			t.Errorf("%s: %d of %d rows outside the root agency (%v)", table, others, all, err)
		}
	}
	if as, err := st.ListAgencies(ctx, root.ID); err != nil || len(as) != 1 {
		t.Errorf("agencies after the upgrade = %+v, %v; want the root alone", as, err)
	}
	// The store works on the upgraded rows as on any other.
	if u, err := st.UserByTokenHash(ctx, "hash1"); err != nil || u.AgencyID != root.ID {
		t.Errorf("admin after the upgrade = %+v, %v", u, err)
	}
	if ds, err := st.ListDeliveries(ctx, storage.DeliveryFilter{Limit: 10}); err != nil || len(ds) != 2 || ds[0].AgencyID != root.ID {
		t.Errorf("deliveries after the upgrade = %+v, %v", ds, err)
	}
}

// A fresh database starts with the root agency, named "Cơ quan" unless
// LOA_AGENCY_NAME says otherwise, and new rows that name no agency go in it.
func TestFreshDatabaseHasTheRootAgency(t *testing.T) {
	storagetest.SkipIfUpgraded(t)
	st := storagetest.Open(t)
	ctx := context.Background()
	root, err := st.RootAgency(ctx)
	if err != nil || root.Name != "Cơ quan" || root.Code != "co-quan" || root.ParentID != nil {
		t.Fatalf("root = %+v, %v", root, err)
	}
	created, err := st.CreateFirstAdmin(ctx, "admin", "h1")
	if err != nil || !created {
		t.Fatalf("first admin: %v, %v", created, err)
	}
	if u, _ := st.UserByTokenHash(ctx, "h1"); u.AgencyID != root.ID {
		t.Errorf("first admin's agency = %d, want the root %d", u.AgencyID, root.ID)
	}
	if err := st.EnsureEnvAdmin(ctx, "h2"); err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUserWithToken(ctx, "cli", storage.RoleEditor, "h3")
	if err != nil || u.AgencyID != root.ID {
		t.Errorf("loa token user = %+v, %v", u, err)
	}
	users, _ := st.ListUsers(ctx, 0)
	for _, u := range users {
		if u.AgencyID != root.ID {
			t.Errorf("user %s in agency %d, want %d", u.Name, u.AgencyID, root.ID)
		}
	}
}

func TestRootAgencyCode(t *testing.T) {
	tests := []struct{ name, code string }{
		{"Cơ quan", "co-quan"},
		{"UBND xã Đồng Tâm", "ubnd-xa-dong-tam"},
		{"  Sở TT&TT — 2025 ", "so-tt-tt-2025"},
		{"报社", "root"},
	}
	for _, tt := range tests {
		st, err := storage.Open(context.Background(), storage.Options{DataDir: t.TempDir(), RootAgencyName: tt.name})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		if root, err := st.RootAgency(context.Background()); err != nil || root.Code != tt.code || root.Name != tt.name {
			t.Errorf("%q: root = %+v, %v; want code %q", tt.name, root, err, tt.code)
		}
		st.Close()
	}
}

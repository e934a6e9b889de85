package storage_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

// TestMigration0015ClassifiesExistingRows: a database as Loa left it at
// migration 14, with posts, a schedule and a source whose free text names
// a content area or an audience — by code or by label, in another case or
// Unicode form, or by the posts' older audience values — upgrades: the
// lists are seeded, each matching row gets the term's code, the free text
// stays as it was, and text naming no term stays unclassified. On SQLite
// and, with LOA_TEST_DATABASE_URL, PostgreSQL.
func TestMigration0015ClassifiesExistingRows(t *testing.T) {
	ctx := context.Background()
	dir, url := t.TempDir(), storagetest.DatabaseURL(t)
	st, err := storage.Open(ctx, storage.Options{DatabaseURL: url, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.MigrateTo(ctx, 14); err != nil {
		t.Fatal(err)
	}
	posts := []struct {
		category, audience string
		wantArea, wantAud  string
	}{
		{"Cải cách thể chế", "officials", "the_che", "can_bo"},
		{"CẢI CÁCH THỂ CHẾ", "public", "the_che", "nguoi_dan"},
		{"Ca\u0309i ca\u0301ch thê\u0309 chê\u0301", "all", "the_che", ""}, // decomposed
		{"  tthc ", "all", "tthc", ""},
		{"TTHC", "all", "tthc", ""},
		{"Dịch vụ công trực tuyến", "all", "dvc_truc_tuyen", ""},
		{"Tin tức chung", "all", "", ""},
		{"", "officials", "", "can_bo"},
	}
	db := openRaw(t, url, filepath.Join(dir, "loa.db"))
	at := time.Date(2026, 1, 5, 1, 0, 0, 0, time.UTC)
	for _, p := range posts {
		exec(t, db, `INSERT INTO posts (title, summary, body, category, audience, status, publish_at, created_by, created_at, updated_at, agency_id)
			VALUES ('tin', '', 'nội dung', $1, $2, 'published', $3, 1, $3, $3, 1)`, p.category, p.audience, at)
	}
	exec(t, db, `INSERT INTO schedules (name, rule, timezone, starts_at, count, template, targets, status, created_by, materialized_until, created_at, updated_at, agency_id)
		VALUES ('lịch', 'FREQ=WEEKLY', 'Asia/Ho_Chi_Minh', $1, 0, $2, '{"channel_ids":[1]}', 'active', 1, $1, $1, $1, 1)`,
		at, `{"title":"Tuần","category":"chủ trương, chính sách về CCHC","audience":"officials"}`)
	exec(t, db, `INSERT INTO sources (name, url, poll_every, mode, template, targets, digest_rule, max_age_days, status, created_by, etag, last_modified, next_poll_at, failures, last_error, digest_until, created_at, updated_at, agency_id)
		VALUES ('nguồn', 'https://example.org/feed', 900, 'review', $2, '{"channel_ids":[1]}', '', 30, 'active', 1, '', '', $1, 0, '', $1, $1, $1, 1)`,
		at, `{"Title":"","Summary":"","Body":"","Category":"Chi_So"}`)
	db.Close()

	if _, err := st.Migrate(ctx); err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	areas, err := st.ListVocab(ctx, storage.VocabContentArea, false)
	if err != nil || len(areas) != 12 || areas[0].Code != "tam_quan_trong" || areas[11].Code != "mo_hinh" {
		t.Fatalf("content areas after the upgrade = %d (%v), want the 12 seeded", len(areas), err)
	}
	auds, err := st.ListVocab(ctx, storage.VocabAudience, false)
	if err != nil || len(auds) != 2 || auds[0].Label != "Cán bộ, công chức, viên chức, người lao động" {
		t.Fatalf("audiences after the upgrade = %+v (%v)", auds, err)
	}
	for i, want := range posts {
		p, _, err := st.GetPost(ctx, int64(i+1))
		if err != nil {
			t.Fatal(err)
		}
		if p.ContentArea != want.wantArea || p.AudienceCode != want.wantAud || p.ActivityID != nil {
			t.Errorf("post %q/%q classified %q/%q, want %q/%q", want.category, want.audience,
				p.ContentArea, p.AudienceCode, want.wantArea, want.wantAud)
		}
		if p.Category != want.category || p.Audience != want.audience {
			t.Errorf("post %d's free text changed to %q/%q", p.ID, p.Category, p.Audience)
		}
	}
	sch, err := st.GetSchedule(ctx, 1)
	if err != nil || sch.ContentArea != "chu_truong" || sch.AudienceCode != "can_bo" {
		t.Errorf("schedule classified %q/%q (%v), want chu_truong/can_bo", sch.ContentArea, sch.AudienceCode, err)
	}
	src, err := st.GetSource(ctx, 1)
	if err != nil || src.ContentArea != "chi_so" || src.AudienceCode != "" {
		t.Errorf("source classified %q/%q (%v), want chi_so/none", src.ContentArea, src.AudienceCode, err)
	}
}

func openRaw(t *testing.T, url, sqlitePath string) *sql.DB {
	t.Helper()
	driver, dsn := "sqlite", "file:"+sqlitePath+"?_pragma=busy_timeout(10000)"
	if url != "" {
		driver, dsn = "pgx", url
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func exec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

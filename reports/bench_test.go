package reports_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for the bulk set-up

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/reports"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

// The benchmark's database: a schema of LOA_TEST_DATABASE_URL kept between
// runs, marked once it holds its deliveries, so only the first run fills it.
const (
	benchSchema     = "loa_bench_reports"
	benchCommunes   = 20
	benchPosts      = 250_000 // each to its commune's 4 channels: 1,000,000 deliveries
	benchRecords    = 5_000
	benchMarkText   = "1000000 deliveries over 2026, 20 communes, v1"
	benchActivities = 7
)

// BenchmarkReport computes reports over a PostgreSQL database of 1,000,000
// deliveries (20 communes × 4 channels × 12,500 posts over 2026, 85 %
// delivered): the province's quarter and year, a commune's quarter, and
// the province's quarter as .xlsx.
//
//	LOA_TEST_DATABASE_URL=postgres://… go test -bench BenchmarkReport -run '^$' ./reports
func BenchmarkReport(b *testing.B) {
	store, admin, commune := benchStore(b)
	svc := reports.New(reports.Options{Store: store, Location: hcm,
		Publishing: publishing.New(publishing.Options{Store: store, Scheduler: nopScheduler{}, Location: hcm})})
	ctx := context.Background()
	for _, bc := range []struct {
		name   string
		agency int64
		period string
		format string
		want   int64 // delivered at least
	}{
		{"province-quarter", 0, "2026-Q2", "", 150_000},
		{"province-year", 0, "2026", "", 750_000},
		{"commune-quarter", commune, "2026-Q2", "", 8_000},
		{"province-quarter-xlsx", 0, "2026-Q2", "xlsx", 0},
		{"province-quarter-docx", 0, "2026-Q2", "docx", 0},
		{"commune-quarter-csv", commune, "2026-Q2", "csv", 0},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req := reports.Request{AgencyID: bc.agency, Period: bc.period}
			for b.Loop() {
				if bc.format != "" {
					if _, err := svc.Export(ctx, admin, req, bc.format); err != nil {
						b.Fatal(err)
					}
					continue
				}
				rep, err := svc.Compute(ctx, admin, req)
				if err != nil {
					b.Fatal(err)
				}
				if rep.Own.Delivered < bc.want {
					b.Fatalf("%d delivered, want at least %d", rep.Own.Delivered, bc.want)
				}
			}
		})
	}
}

// benchStore opens the benchmark's schema, filling it on the first run.
func benchStore(b *testing.B) (*storage.Store, storage.User, int64) {
	b.Helper()
	base := os.Getenv(storagetest.DatabaseURLEnv)
	if base == "" {
		b.Skip("the report benchmark runs on PostgreSQL: set " + storagetest.DatabaseURLEnv)
	}
	ctx := context.Background()
	db, err := sql.Open("pgx", base)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	var mark string
	err = db.QueryRowContext(ctx, "SELECT mark FROM "+benchSchema+".bench_mark").Scan(&mark)
	fresh := err != nil || mark != benchMarkText
	if fresh {
		for _, q := range []string{"DROP SCHEMA IF EXISTS " + benchSchema + " CASCADE", "CREATE SCHEMA " + benchSchema} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	}
	u, err := url.Parse(base)
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", benchSchema)
	u.RawQuery = q.Encode()
	store, err := storage.Open(ctx, storage.Options{DatabaseURL: u.String()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	if _, err := store.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if fresh {
		started := time.Now()
		benchFill(b, ctx, store, db)
		b.Logf("filled %s in %s", benchSchema, time.Since(started).Round(time.Second))
	}
	root, err := store.RootAgency(ctx)
	if err != nil {
		b.Fatal(err)
	}
	users, err := store.ListUsers(ctx, root.ID)
	if err != nil || len(users) == 0 {
		b.Fatalf("the benchmark's admin: %v", err)
	}
	var commune int64
	if err := db.QueryRowContext(ctx, "SELECT min(id) FROM "+benchSchema+".agencies WHERE parent_id = $1", root.ID).Scan(&commune); err != nil {
		b.Fatal(err)
	}
	return store, users[0], commune
}

// benchFill makes the communes, their channels and plans through the
// store, then the posts, deliveries and records in three INSERT … SELECT
// statements.
func benchFill(b *testing.B, ctx context.Context, store *storage.Store, db *sql.DB) {
	b.Helper()
	root, err := store.RootAgency(ctx)
	if err != nil {
		b.Fatal(err)
	}
	admin := storage.User{Name: "Quản trị", Role: storage.RoleAdmin, AgencyID: root.ID}
	if err := store.CreateUser(ctx, &admin, "bench"); err != nil {
		b.Fatal(err)
	}
	s := benchSchema + "."
	exec := func(q string, args ...any) {
		b.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			b.Fatalf("%.80s…: %v", q, err)
		}
	}
	exec("CREATE TABLE " + s + "bench_map (k int PRIMARY KEY, agency_id bigint NOT NULL, activity_id bigint)")
	areas := []string{"tthc", "chinh_phu_so", "dvc_truc_tuyen", "cong_vu", "ket_qua", "mo_hinh", "chi_so"}
	for c := range benchCommunes {
		a := storage.Agency{Name: fmt.Sprintf("UBND xã %d", c+1), Code: fmt.Sprintf("xa-%d", c+1), ParentID: &root.ID}
		if err := store.CreateAgency(ctx, &a, "bench"); err != nil {
			b.Fatal(err)
		}
		for _, kind := range []string{"wordpress", "zalo_oa", "facebook_page", "radio"} {
			ch := storage.Channel{Name: fmt.Sprintf("%s %d", kind, c+1), Kind: kind, ConfigSealed: []byte("x"), AgencyID: a.ID}
			if err := store.CreateChannel(ctx, &ch, "bench"); err != nil {
				b.Fatal(err)
			}
		}
		var acts []storage.PlanActivity
		for i := range benchActivities {
			acts = append(acts, storage.PlanActivity{Code: fmt.Sprintf("2.%d", i+1), Title: fmt.Sprintf("Hoạt động 2.%d", i+1),
				ContentArea: areas[i], Audience: []string{"can_bo", "nguoi_dan"}[i%2], Forms: storage.Forms{"website", "zalo_oa"},
				TimingKind: storage.TimingAllYear, Target: i64(500)})
		}
		acts, err := store.CreatePlan(ctx, &storage.Plan{AgencyID: a.ID, Title: "Kế hoạch năm 2026", Year: 2026}, acts, "bench")
		if err != nil {
			b.Fatal(err)
		}
		// k = activity index × communes + commune; index 7 is no activity.
		for i := range benchActivities + 1 {
			var act any
			if i < benchActivities {
				act = acts[i].ID
			}
			exec("INSERT INTO "+s+"bench_map VALUES ($1, $2, $3)", i*benchCommunes+c, a.ID, act)
		}
	}
	// 250,000 posts evenly over 2026 (local), every 126.144 s.
	exec("INSERT INTO "+s+"posts (title, summary, body, category, audience, status, publish_at, created_by, approved_by, "+
		"created_at, updated_at, agency_id, activity_id) "+
		"SELECT 'Tin ' || g, '', '<p>Nội dung</p>', '', 'all', 'published', t, $1, $1, t, t, m.agency_id, m.activity_id "+
		"FROM (SELECT g, timestamptz '2026-01-01 00:00:00+07' + g * interval '126.144 seconds' AS t FROM generate_series(0, $2 - 1) g) x "+
		"JOIN "+s+"bench_map m ON m.k = x.g % $3", admin.ID, benchPosts, (benchActivities+1)*benchCommunes)
	// Each to its commune's 4 channels: 85 % delivered within 0–9:59
	// minutes, 8 % failed, 4 % unconfirmed, 3 % still scheduled.
	exec("INSERT INTO " + s + "deliveries (post_id, channel_id, agency_id, status, scheduled_at, next_attempt_at, delivered_at, " +
		"attempts, created_at, updated_at) " +
		"SELECT p.id, c.id, c.agency_id, st, p.publish_at, p.publish_at, " +
		"CASE WHEN st = 'delivered' THEN p.publish_at + ((p.id * 7 + c.id) % 600) * interval '1 second' END, 1, p.publish_at, p.publish_at " +
		"FROM (SELECT p.*, c.id AS cid, CASE WHEN (p.id * 31 + c.id) % 100 < 85 THEN 'delivered' WHEN (p.id * 31 + c.id) % 100 < 93 THEN 'failed' " +
		"WHEN (p.id * 31 + c.id) % 100 < 97 THEN 'unconfirmed' ELSE 'scheduled' END AS st " +
		"FROM " + s + "posts p JOIN " + s + "channels c ON c.agency_id = p.agency_id) p JOIN " + s + "channels c ON c.id = p.cid")
	exec("INSERT INTO "+s+"activity_records (activity_id, agency_id, occurred_on, form, description, count, created_by, created_at) "+
		"SELECT m.activity_id, m.agency_id, to_char(date '2026-01-01' + (g % 365), 'YYYY-MM-DD'), 'hoi_nghi', 'Hội nghị', 1 + g % 50, $1, now() "+
		"FROM generate_series(0, $2 - 1) g JOIN "+s+"bench_map m ON m.k = g % $3 WHERE m.activity_id IS NOT NULL",
		admin.ID, benchRecords, benchActivities*benchCommunes)
	for _, t := range []string{"posts", "deliveries", "channels", "agencies", "plans", "plan_activities", "activity_records"} {
		exec("ANALYZE " + s + t)
	}
	exec("CREATE TABLE " + s + "bench_mark (mark text)")
	exec("INSERT INTO "+s+"bench_mark VALUES ($1)", benchMarkText)
}

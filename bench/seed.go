package bench

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/loa-vn/loa/storage"
)

// MaxRows caps --rows.
const MaxRows = 2_000_000

// The seeded province: departments (districts) under it, communes under
// each, and each commune's channels of the kinds a commune runs.
const (
	seedDepartments = 10
	seedCommunesPer = 20
	// seedPast and seedFuture span the seeded scheduled times: a year
	// back, a month ahead (those are still scheduled).
	seedPast   = 365 * 24 * time.Hour
	seedFuture = 30 * 24 * time.Hour
)

var seedKinds = []string{"wordpress", "zalo_oa", "facebook_page", "radio"}

// seeded is what seed made.
type seeded struct {
	// Rows is how many deliveries it inserted; Took how long it all took.
	Rows int64
	Took time.Duration
	// Province, Department and Commune are agencies of the seeded tree,
	// the subtrees the list filters read.
	Province, Department, Commune int64
}

// seedParallel is how many agencies and channels seed creates at once.
const seedParallel = 8

// seed fills the database with about rows deliveries (rounded up to a
// multiple of the kinds): a province of seedDepartments departments of
// seedCommunesPer communes, each commune with a channel of every kind; a
// post every few minutes over a year back and a month ahead, each by one
// commune to its channels, in two set-based INSERT … SELECT statements.
// Of the past deliveries 88 % are delivered (within ten minutes), 6 %
// failed, 3 % unconfirmed and 3 % canceled; the future ones scheduled.
// They have no attempts (the list reads none) and no tasks in Redis.
func (r *rig) seed(ctx context.Context, rows int) (seeded, error) {
	started := time.Now()
	var s seeded
	store := r.be.store
	root, err := store.RootAgency(ctx)
	if err != nil {
		return s, err
	}
	province := storage.Agency{Name: "Tỉnh (dữ liệu thử)", Code: "seed-tinh", ParentID: &root.ID}
	if err := store.CreateAgency(ctx, &province, "bench"); err != nil {
		return s, err
	}
	s.Province = province.ID
	departments := make([]storage.Agency, seedDepartments)
	err = parallel(ctx, seedDepartments, func(i int) error {
		departments[i] = storage.Agency{Name: fmt.Sprintf("Huyện %d", i+1), Code: fmt.Sprintf("seed-huyen-%d", i+1), ParentID: &province.ID}
		return store.CreateAgency(ctx, &departments[i], "bench")
	})
	if err != nil {
		return s, err
	}
	communes := make([]int64, seedDepartments*seedCommunesPer)
	err = parallel(ctx, len(communes), func(i int) error {
		a := storage.Agency{Name: fmt.Sprintf("Xã %d", i+1), Code: fmt.Sprintf("seed-xa-%d", i+1),
			ParentID: &departments[i/seedCommunesPer].ID}
		if err := store.CreateAgency(ctx, &a, "bench"); err != nil {
			return err
		}
		communes[i] = a.ID
		for _, kind := range seedKinds {
			ch := storage.Channel{Name: fmt.Sprintf("%s xã %d", kind, i+1), Kind: kind, ConfigSealed: []byte("seed"), AgencyID: a.ID}
			if err := store.CreateChannel(ctx, &ch, "bench"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return s, err
	}
	s.Department, s.Commune = departments[0].ID, communes[0]

	db, err := r.be.rawDB()
	if err != nil {
		return s, err
	}
	defer db.Close()
	posts := (rows + len(seedKinds) - 1) / len(seedKinds)
	now := time.Now().UTC().Truncate(time.Second)
	start := now.Add(-seedPast)
	step := int64((seedPast + seedFuture) / time.Second / time.Duration(posts))
	var before int64
	if err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM posts").Scan(&before); err != nil {
		return s, fmt.Errorf("bench: seed: %w", err)
	}
	ids := make([]string, len(communes))
	for i, id := range communes {
		ids[i] = strconv.FormatInt(id, 10)
	}
	// k numbers the communes from 0; post g belongs to commune g % communes.
	communeMap := "(SELECT id AS agency_id, row_number() OVER (ORDER BY id) - 1 AS k FROM agencies WHERE id IN (" +
		strings.Join(ids, ",") + ")) m"
	var stmts []struct {
		q    string
		args []any
	}
	add := func(q string, args ...any) {
		stmts = append(stmts, struct {
			q    string
			args []any
		}{q, args})
	}
	// The deliveries' status: by the post's time, then a hash of the pair.
	status := func(t, now string) string {
		return "CASE WHEN " + t + " >= " + now + " THEN 'scheduled' WHEN (p.id * 31 + c.id) % 100 < 88 THEN 'delivered' " +
			"WHEN (p.id * 31 + c.id) % 100 < 94 THEN 'failed' WHEN (p.id * 31 + c.id) % 100 < 97 THEN 'unconfirmed' ELSE 'canceled' END"
	}
	postCols := "INSERT INTO posts (title, summary, body, category, audience, status, publish_at, created_by, approved_by, " +
		"created_at, updated_at, agency_id) "
	deliveryCols := "INSERT INTO deliveries (post_id, channel_id, agency_id, status, scheduled_at, next_attempt_at, delivered_at, " +
		"attempts, created_at, updated_at) "
	if r.be.database == "postgres" {
		add(postCols+"SELECT 'Tin ' || x.g, '', '<p>Nội dung thử tải</p>', '', 'all', "+
			"CASE WHEN x.t >= $1 THEN 'scheduled' ELSE 'published' END, x.t, $2, $2, x.t, x.t, m.agency_id "+
			"FROM (SELECT g, $3::timestamptz + g * $4 * interval '1 second' AS t FROM generate_series(0, $5 - 1) g) x "+
			"JOIN "+communeMap+" ON m.k = x.g % $6 ORDER BY x.g",
			now, r.admin.ID, start, step, posts, len(communes))
		add(deliveryCols+"SELECT x.pid, x.cid, x.aid, x.st, x.t, x.t, "+
			"CASE WHEN x.st = 'delivered' THEN x.t + ((x.pid * 7 + x.cid) % 600) * interval '1 second' END, "+
			"CASE WHEN x.st IN ('scheduled', 'canceled') THEN 0 ELSE 1 END, x.t, x.t "+
			"FROM (SELECT p.id AS pid, c.id AS cid, c.agency_id AS aid, p.publish_at AS t, "+status("p.publish_at", "$1")+" AS st "+
			"FROM posts p JOIN channels c ON c.agency_id = p.agency_id WHERE p.id > $2) x ORDER BY x.pid, x.cid",
			now, before)
		add("ANALYZE agencies, channels, posts, deliveries")
	} else {
		// SQLite keeps times as the text the driver writes, "2026-01-02 03:04:05+00:00".
		text := func(expr string) string { return "strftime('%Y-%m-%d %H:%M:%S', " + expr + ") || '+00:00'" }
		nowText := now.Format("2006-01-02 15:04:05") + "+00:00"
		add("WITH RECURSIVE s(g) AS (SELECT 0 UNION ALL SELECT g + 1 FROM s WHERE g + 1 < ?) "+postCols+
			"SELECT 'Tin ' || x.g, '', '<p>Nội dung thử tải</p>', '', 'all', "+
			"CASE WHEN x.t >= ? THEN 'scheduled' ELSE 'published' END, x.t, ?, ?, x.t, x.t, m.agency_id "+
			"FROM (SELECT g, "+text("?, '+' || (g * ?) || ' seconds'")+" AS t FROM s) x "+
			"JOIN "+communeMap+" ON m.k = x.g % ? ORDER BY x.g",
			posts, nowText, r.admin.ID, r.admin.ID, start.Format("2006-01-02 15:04:05"), step, len(communes))
		add(deliveryCols+"SELECT x.pid, x.cid, x.aid, x.st, x.t, x.t, "+
			"CASE WHEN x.st = 'delivered' THEN "+text("x.t, '+' || ((x.pid * 7 + x.cid) % 600) || ' seconds'")+" END, "+
			"CASE WHEN x.st IN ('scheduled', 'canceled') THEN 0 ELSE 1 END, x.t, x.t "+
			"FROM (SELECT p.id AS pid, c.id AS cid, c.agency_id AS aid, p.publish_at AS t, "+status("p.publish_at", "?")+" AS st "+
			"FROM posts p JOIN channels c ON c.agency_id = p.agency_id WHERE p.id > ?) x ORDER BY x.pid, x.cid",
			nowText, before)
		add("ANALYZE")
	}
	for i, st := range stmts {
		res, err := db.ExecContext(ctx, st.q, st.args...)
		if err != nil {
			return s, fmt.Errorf("bench: seed step %d: %w", i+1, err)
		}
		if i == 1 {
			if s.Rows, err = res.RowsAffected(); err != nil {
				return s, fmt.Errorf("bench: seed: %w", err)
			}
		}
	}
	s.Took = time.Since(started)
	return s, nil
}

// parallel calls do for 0…n-1, seedParallel at a time, and returns the
// first error (the rest are not started).
func parallel(ctx context.Context, n int, do func(i int) error) error {
	next := make(chan int)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range min(seedParallel, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := do(i); err != nil {
					mu.Lock()
					first = cmp.Or(first, err)
					mu.Unlock()
				}
			}
		}()
	}
	for i := range n {
		mu.Lock()
		failed := first != nil
		mu.Unlock()
		if failed || ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// rawDB opens a connection of its own to the run's database, for
// set-based statements and counts the store has no method for.
func (b *backend) rawDB() (*sql.DB, error) {
	if b.database == "postgres" {
		db, err := sql.Open("pgx", b.databaseURL)
		if err != nil {
			return nil, fmt.Errorf("bench: database: %w", err)
		}
		return db, nil
	}
	db, err := sql.Open("sqlite", "file:"+b.sqlitePath+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	if err != nil {
		return nil, fmt.Errorf("bench: database: %w", err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	_ "github.com/glebarez/go-sqlite" // database/sql driver for the seed on SQLite
	"github.com/hibiken/asynq"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for the throwaway schema
	"github.com/redis/go-redis/v9"

	"github.com/loa-vn/loa/redisconn"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/worker"
)

// ErrNotEmpty refuses a run against a database or Redis that holds data.
var ErrNotEmpty = errors.New("bench: refusing to run against a back end that is not empty (pass --force to run anyway)")

// backend is the database and Redis one run uses, and how to leave them
// as they were found.
type backend struct {
	store    *storage.Store
	rdb      redis.UniversalClient
	database string // "sqlite" or "postgres"
	redis    string // "embedded" or "external"
	// databaseURL (PostgreSQL, with the schema's search_path) or
	// sqlitePath is where the store is, for rawDB.
	databaseURL, sqlitePath string
	cleanups                []func()
}

func (b *backend) close() {
	for i := len(b.cleanups) - 1; i >= 0; i-- {
		b.cleanups[i]()
	}
}

// openBackend opens a fresh SQLite file in a temporary directory, or a
// throwaway schema in the PostgreSQL at databaseURL, and the Redis at
// redisURL or an in-process one. A database or Redis that is not empty is
// refused unless force.
func openBackend(ctx context.Context, databaseURL, redisURL string, force bool) (*backend, error) {
	b := &backend{database: "sqlite", redis: "embedded"}
	ok := false
	defer func() {
		if !ok {
			b.close()
		}
	}()
	if err := b.openRedis(ctx, redisURL, force); err != nil {
		return nil, err
	}
	storeOpts := storage.Options{}
	var err error
	if databaseURL == "" {
		dir, err := os.MkdirTemp("", "loa-bench-")
		if err != nil {
			return nil, fmt.Errorf("bench: data dir: %w", err)
		}
		b.cleanups = append(b.cleanups, func() { os.RemoveAll(dir) })
		storeOpts.DataDir = dir
		b.sqlitePath = filepath.Join(dir, "loa.db")
	} else {
		b.database = "postgres"
		if storeOpts.DatabaseURL, err = b.throwawaySchema(ctx, databaseURL, force); err != nil {
			return nil, err
		}
		b.databaseURL = storeOpts.DatabaseURL
	}
	store, err := storage.Open(ctx, storeOpts)
	if err != nil {
		return nil, err
	}
	b.store = store
	b.cleanups = append(b.cleanups, func() { store.Close() })
	if _, err := store.Migrate(ctx); err != nil {
		return nil, err
	}
	ok = true
	return b, nil
}

func (b *backend) openRedis(ctx context.Context, redisURL string, force bool) error {
	if redisURL == "" {
		e, err := worker.StartEmbeddedRedis()
		if err != nil {
			return err
		}
		b.cleanups = append(b.cleanups, e.Close)
		redisURL = e.URL()
	} else {
		b.redis = "external"
	}
	conn, err := redisconn.Parse(redisURL)
	if err != nil {
		return fmt.Errorf("bench: LOA_REDIS_URL: %w", err)
	}
	rdb := conn.Client()
	b.cleanups = append(b.cleanups, func() { rdb.Close() })
	b.rdb = rdb
	n, err := rdb.DBSize(ctx).Result()
	if err != nil {
		return fmt.Errorf("bench: redis: %w", err)
	}
	if n > 0 && !force {
		return fmt.Errorf("%w: redis holds %d keys", ErrNotEmpty, n)
	}
	if n == 0 {
		// Empty before the run: leave it empty after.
		b.cleanups = append(b.cleanups, func() { rdb.FlushDB(context.Background()) })
		return nil
	}
	b.cleanups = append(b.cleanups, func() {
		asynq.NewInspectorFromRedisClient(rdb).DeleteQueue(noopQueue, true)
	})
	return nil
}

// throwawaySchema checks that the database holds no tables (unless force),
// creates a schema of its own there, dropped at the end, and returns the
// URL that uses it.
func (b *backend) throwawaySchema(ctx context.Context, databaseURL string, force bool) (string, error) {
	db, err := sql.Open("pgx", databaseURL)
	if err != nil {
		return "", fmt.Errorf("bench: database: %w", err)
	}
	b.cleanups = append(b.cleanups, func() { db.Close() })
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`).Scan(&tables); err != nil {
		return "", fmt.Errorf("bench: database: %w", err)
	}
	if tables > 0 && !force {
		return "", fmt.Errorf("%w: the database holds %d tables", ErrNotEmpty, tables)
	}
	suffix := make([]byte, 6)
	rand.Read(suffix)
	schema := "loa_bench_" + hex.EncodeToString(suffix)
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", fmt.Errorf("bench: create schema: %w", err)
	}
	b.cleanups = append(b.cleanups, func() { db.Exec("DROP SCHEMA " + schema + " CASCADE") })
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", fmt.Errorf("bench: LOA_DATABASE_URL: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

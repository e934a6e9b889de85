// Package storage is Loa's source of truth: posts, deliveries, attempts,
// channels, users and the audit log, on SQLite or PostgreSQL through gorm.
package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
)

// Errors callers translate (the API maps them to HTTP statuses in one place).
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
)

type dialect int

const (
	dialectSQLite dialect = iota + 1
	dialectPostgres
)

// Store is the one concrete store over gorm.
type Store struct {
	db      *gorm.DB
	dialect dialect
	now     func() time.Time
	// rootAgency names the root agency a new schema gets.
	rootAgency string
}

// Options says which database to open.
type Options struct {
	// DatabaseURL is a postgres:// URL; empty means SQLite in DataDir.
	DatabaseURL string
	DataDir     string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// RootAgencyName (LOA_AGENCY_NAME) names the one agency the schema
	// starts with, on a fresh install and when upgrading a database from
	// before agencies; empty means DefaultRootAgencyName.
	RootAgencyName string
}

// DefaultRootAgencyName is LOA_AGENCY_NAME's default.
const DefaultRootAgencyName = "Cơ quan"

// Open connects to the database named by o. It does not migrate.
func Open(ctx context.Context, o Options) (*Store, error) {
	s := &Store{now: o.Now, rootAgency: o.RootAgencyName}
	if s.rootAgency == "" {
		s.rootAgency = DefaultRootAgencyName
	}
	if s.now == nil {
		s.now = time.Now
	}
	var dial gorm.Dialector
	if o.DatabaseURL != "" {
		s.dialect = dialectPostgres
		dial = postgres.Open(o.DatabaseURL)
	} else {
		s.dialect = dialectSQLite
		dsn, err := sqliteDSN(o.DataDir)
		if err != nil {
			return nil, err
		}
		dial = sqlite.Open(dsn)
	}
	db, err := gorm.Open(dial, &gorm.Config{
		Logger:         logger.Discard,
		TranslateError: true,
		NowFunc:        func() time.Time { return s.nowUTC() },
	})
	if err != nil {
		return nil, fmt.Errorf("storage: open: %w", err)
	}
	s.db = db
	if err := s.configurePool(); err != nil {
		return nil, err
	}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func sqliteDSN(dataDir string) (string, error) {
	if dataDir == "" {
		return "", errors.New("storage: SQLite needs a data directory")
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", fmt.Errorf("storage: create data dir: %w", err)
	}
	path := filepath.Join(dataDir, "loa.db")
	if err := makePrivate(path); err != nil {
		return "", err
	}
	// WAL lets readers run beside the writer; immediate transactions take the
	// write lock up front so busy_timeout applies instead of failing mid-way.
	pragmas := []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"}
	q := make([]string, 0, len(pragmas)+1)
	for _, p := range pragmas {
		q = append(q, "_pragma="+p)
	}
	q = append(q, "_txlock=immediate")
	return "file:" + path + "?" + strings.Join(q, "&"), nil
}

// makePrivate creates the database file readable by its owner only, and
// narrows an existing one and its companions: they hold users, tokens'
// hashes and sealed channel credentials. SQLite creates the -wal and -shm
// files with the database file's permissions.
func makePrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("storage: create database file: %w", err)
	}
	f.Close()
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		err := os.Chmod(path+suffix, 0o600)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("storage: restrict database file: %w", err)
		}
	}
	return nil
}

// ConcurrentWriters is how many write transactions are worth running at
// once: SQLite has one writer; PostgreSQL flushes concurrent commits together.
func (s *Store) ConcurrentWriters() int {
	if s.dialect == dialectSQLite {
		return 1
	}
	return 2
}

func (s *Store) configurePool() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("storage: pool: %w", err)
	}
	if s.dialect == dialectSQLite {
		sqlDB.SetMaxOpenConns(4)
	} else {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(10)
	}
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("storage: ping: %w", err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("storage: ping: %w", err)
	}
	return nil
}

// Close closes the connection pool.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Driver names the database in use, for logs and health output.
func (s *Store) Driver() string {
	if s.dialect == dialectPostgres {
		return "postgres"
	}
	return "sqlite"
}

func (s *Store) nowUTC() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// translate maps gorm errors to the package's errors, keeping context.
func translate(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("storage: %s: %w", what, ErrNotFound)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return fmt.Errorf("storage: %s: %w", what, ErrConflict)
	}
	return fmt.Errorf("storage: %s: %w", what, err)
}

// forUpdate makes tx's next read lock the rows it returns until the
// transaction ends. PostgreSQL needs FOR UPDATE; SQLite's immediate
// transactions already hold the database's write lock.
func (s *Store) forUpdate(tx *gorm.DB) *gorm.DB {
	if s.dialect == dialectPostgres {
		return tx.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return tx
}

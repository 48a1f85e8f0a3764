// Package store keeps gnd's state (workspaces, keys, sources, jobs, chunks,
// fetch validators) in SQL. One implementation serves two backends: an
// embedded SQLite database (pure-Go driver, WAL) and PostgreSQL for
// scale-out, where many processes share one database and claim jobs with
// FOR UPDATE SKIP LOCKED. Both run the same migrations and the same tests.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Backend names.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// ErrLeaseLost is returned by worker writes when the job is no longer running
// under the caller's lease: it was cancelled, deleted, released or taken over.
var ErrLeaseLost = errors.New("job lease lost: the job was cancelled, deleted or taken over by another worker")

// DB is a gnd database on one of the two backends.
type DB struct {
	db      *sql.DB
	backend string
	now     func() time.Time
}

// OpenSQLite opens (creating if needed) the SQLite database gnd.db in dir and
// applies migrations.
func OpenSQLite(ctx context.Context, dir string) (*DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir %s: %w", dir, err)
	}
	path := filepath.Join(dir, "gnd.db")
	// Every transaction takes the write lock at BEGIN (_txlock=immediate), so
	// concurrent writers queue on busy_timeout instead of failing to upgrade.
	dsn := "file:" + path + "?_txlock=immediate" +
		"&_pragma=journal_mode(WAL)&_pragma=busy_timeout(15000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	sqlDB, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	sqlDB.SetMaxOpenConns(8)
	return open(ctx, sqlDB, SQLite)
}

// OpenPostgres connects to the PostgreSQL database at url (postgres://…) and
// applies migrations.
func OpenPostgres(ctx context.Context, url string) (*DB, error) {
	sqlDB, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	sqlDB.SetMaxOpenConns(16)
	return open(ctx, sqlDB, Postgres)
}

// Open picks the backend from databaseURL: a postgres:// or postgresql:// URL
// selects PostgreSQL, an empty one the SQLite database in dataDir.
func Open(ctx context.Context, databaseURL, dataDir string) (*DB, error) {
	if databaseURL == "" {
		return OpenSQLite(ctx, dataDir)
	}
	if strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://") {
		return OpenPostgres(ctx, databaseURL)
	}
	return nil, fmt.Errorf("database URL must start with postgres:// or postgresql://, got %q", redactURL(databaseURL))
}

func open(ctx context.Context, sqlDB *sql.DB, backend string) (*DB, error) {
	db := &DB{db: sqlDB, backend: backend, now: func() time.Time { return time.Now().UTC() }}
	pingCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("connect to %s: %w", backend, err)
	}
	if err := db.migrate(ctx); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the database.
func (db *DB) Close() error { return db.db.Close() }

// Backend returns "sqlite" or "postgres".
func (db *DB) Backend() string { return db.backend }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.db.PingContext(ctx) }

// SetClock replaces the clock, for tests that move time.
func (db *DB) SetClock(now func() time.Time) { db.now = now }

// q rewrites ? placeholders to $n for PostgreSQL. Queries in this package
// never contain a literal question mark.
func (db *DB) q(query string) string {
	if db.backend != Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

func (db *DB) exec(ctx context.Context, ex execer, query string, args ...any) (sql.Result, error) {
	return ex.ExecContext(ctx, db.q(query), args...)
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// inTx runs fn in a transaction and commits if fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// micros converts a time to the stored form: microseconds since the Unix epoch.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

func nullMicros(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

func timePtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

func strPtr(v sql.NullString) *string {
	if !v.Valid {
		return nil
	}
	s := v.String
	return &s
}

func nullStr(s *string) sql.NullString {
	if s == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *s, Valid: true}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func redactURL(u string) string {
	if i := strings.Index(u, "@"); i >= 0 {
		if j := strings.Index(u, "://"); j >= 0 && j < i {
			return u[:j+3] + "…" + u[i:]
		}
	}
	return u
}

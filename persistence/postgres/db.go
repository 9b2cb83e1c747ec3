package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/bunnybook/bunnybook"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// DB is the PostgreSQL store. It is safe for concurrent use.
type DB struct {
	pool *pgxpool.Pool
}

var (
	_ bunnybook.Store = (*DB)(nil)
	_ bunnybook.Graph = (*DB)(nil)
)

//go:embed migrations/*.sql
var migrations embed.FS

// Open connects to the database at url (a postgres:// URL or a keyword/value
// DSN) and checks that it answers. It does not migrate.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse url: %w", err)
	}
	return OpenConfig(ctx, cfg)
}

// OpenConfig is Open with a parsed pool configuration, for callers that set
// what a URL cannot carry in every form (postgrestest gives each test's
// connections its own search_path this way) or tune the pool.
func OpenConfig(ctx context.Context, cfg *pgxpool.Config) (*DB, error) {
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fail("open", err)
	}
	db := &DB{pool: pool}
	if err := db.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// Close closes every connection of the pool, waiting for those in use.
func (db *DB) Close() { db.pool.Close() }

// Pool returns the underlying pool, for tools (seeding, EXPLAIN) that need
// plain SQL.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return fail("ping", db.pool.Ping(ctx))
}

// Migrate applies the embedded migrations that are not applied yet. It
// works in the first schema of the connection's search_path. Nodes that
// migrate one schema at the same time take turns: goose holds an advisory
// lock keyed by the schema's name while it migrates.
func (db *DB) Migrate(ctx context.Context) error {
	p, done, err := db.migrator(ctx)
	if err != nil {
		return err
	}
	defer done()
	if _, err := p.Up(ctx); err != nil {
		return fail("migrate", err)
	}
	return nil
}

// migrator returns the goose provider of the embedded migrations, for the
// first schema of the search_path, and the function that releases it.
func (db *DB) migrator(ctx context.Context) (*goose.Provider, func() error, error) {
	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	var lockID int64
	if err := db.pool.QueryRow(ctx, `SELECT hashtextextended('bunnybook migrations ' || current_schema(), 0)`).
		Scan(&lockID); err != nil {
		return nil, nil, fail("migrate", err)
	}
	// Polls every second, for up to 5 minutes, only while another node migrates.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(lockID), lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: migration lock: %w", err)
	}
	sqlDB := stdlib.OpenDBFromPool(db.pool)
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, dir, goose.WithSessionLocker(locker),
		goose.WithLogger(goose.NopLogger()), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		sqlDB.Close()
		return nil, nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	return p, sqlDB.Close, nil
}

// inTx runs fn in a transaction, committing if it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.pool, fn)
}

// keyset turns a page cursor into arguments for "(created_at, id) < ($n,
// $n+1)": a zero Before is +infinity, and an empty BeforeID is the smallest
// UUID, which excludes every item of that instant.
func keyset(p bunnybook.TimePage) (pgtype.Timestamptz, string) {
	before := pgtype.Timestamptz{Time: p.Before.Time, Valid: true}
	if p.Before.IsZero() {
		before = pgtype.Timestamptz{InfinityModifier: pgtype.Infinity, Valid: true}
	}
	id := p.BeforeID
	if id == "" || p.Before.IsZero() {
		id = "00000000-0000-0000-0000-000000000000"
	}
	return before, id
}

// limit is the LIMIT argument for a page size: NULL (no limit) when n <= 0.
func limit(n int) *int {
	if n <= 0 {
		return nil
	}
	return &n
}

// timeDst scans a timestamptz into a bunnybook.Time.
type timeDst struct{ t *bunnybook.Time }

func (d timeDst) ScanTimestamptz(v pgtype.Timestamptz) error {
	if !v.Valid || v.InfinityModifier != pgtype.Finite {
		return fmt.Errorf("unexpected timestamp %v", v)
	}
	*d.t = bunnybook.At(v.Time)
	return nil
}

// nullTimeDst scans a nullable timestamptz into a *bunnybook.Time.
type nullTimeDst struct{ t **bunnybook.Time }

func (d nullTimeDst) ScanTimestamptz(v pgtype.Timestamptz) error {
	if !v.Valid {
		*d.t = nil
		return nil
	}
	t := bunnybook.At(v.Time)
	*d.t = &t
	return nil
}

// nullTime is the argument for a nullable instant.
func nullTime(t *bunnybook.Time) *time.Time {
	if t == nil {
		return nil
	}
	return &t.Time
}

// querier is a pool or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// normalizeID returns a UUID in PostgreSQL's output form (lower case), so
// ids given by callers compare equal to ids read back.
func normalizeID(id string) string { return strings.ToLower(id) }

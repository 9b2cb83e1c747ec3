package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/bunnybook/bunnybook"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Compile-time checks that DB is a whole relational backend.
var (
	_ bunnybook.Store = (*DB)(nil)
	_ bunnybook.Graph = (*DB)(nil)
)

// readers is the size of the read pool. WAL lets readers run alongside the
// one writer; a few are enough for 2–4 cores.
const readers = 4

// busyTimeout is how long a connection waits for another process's lock
// (milliseconds). In this process writes are already serialized by the
// one-connection write pool.
const busyTimeout = 5000

// DB is Bunnybook's relational store in one SQLite file. It implements
// bunnybook.Store and bunnybook.Graph (friendships are relational tables).
//
// It keeps two pools on the same file: write, with a single connection, so
// write transactions queue in Go instead of failing with SQLITE_BUSY, and
// begin IMMEDIATE so a transaction never has to upgrade a read lock; and
// read, a few query-only connections that WAL lets run during a write.
type DB struct {
	path   string
	write  *sql.DB
	read   *sql.DB
	stmts  stmtCache // prepared statements of read
	wstmts stmtCache // prepared statements of write (see txExec)

	checkpoint *sql.DB       // one connection that checkpoints the WAL
	stop       chan struct{} // closed by Close: stops checkpoints
	stopped    chan struct{} // closed when checkpoints returns
	restartWAL atomic.Bool   // set by checkpoints: the WAL is long, the writer should let it start over
}

// checkpointEvery is how often the WAL is checkpointed into the database
// file, off the write path (see checkpoints).
const checkpointEvery = 500 * time.Millisecond

// walLimit is the WAL's size past which the checkpointer makes it start
// again from the beginning (see checkpoints).
const walLimit int64 = 16 << 20

// walKeep is the size the writer truncates a longer WAL file to when it
// starts over (SQLite's journal_size_limit). It is above what the WAL
// reaches under a steady load between two restarts (30–40 MiB at 3 000
// chat messages/s), so that a restarted WAL overwrites the file's blocks
// rather than giving them back and allocating them again.
const walKeep int64 = 64 << 20

// Open opens (creating it, and its directory, if needed) the SQLite database
// at path. Call Migrate before use and Close when done.
func Open(ctx context.Context, path string) (*DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite path %q: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("create directory of %s: %w", abs, err)
	}
	db := &DB{path: abs, stop: make(chan struct{}), stopped: make(chan struct{})}
	if db.write, err = openPool(ctx, abs, 1, false, "wal_autocheckpoint(0)", fmt.Sprintf("journal_size_limit(%d)", walKeep)); err != nil {
		return nil, err
	}
	if db.read, err = openPool(ctx, abs, readers, true); err != nil {
		db.write.Close()
		return nil, err
	}
	if db.checkpoint, err = openPool(ctx, abs, 1, false); err != nil {
		db.write.Close()
		db.read.Close()
		return nil, err
	}
	db.stmts.pool = db.read
	db.wstmts.pool = db.write
	go db.checkpoints()
	return db, nil
}

// checkpoints copies the WAL into the database file every checkpointEvery,
// on a connection of its own: the writer does not checkpoint (its
// automatic checkpoints ran inside commits, so every thousandth commit
// waited for a copy of a thousand pages). A passive checkpoint copies
// what no reader still needs and never blocks the writer or readers.
//
// SQLite writes the WAL from its beginning again only when a transaction
// starts while all of it is copied and no reader still reads it. Under a
// steady load, commits follow each other too closely for that, and the
// WAL grew by hundreds of MiB a minute (each commit appending to a longer
// file, too). Past walLimit the writer is asked to do it itself, between
// two of its transactions (see inTx): a restarting checkpoint there copies
// what is left, flushes the database file and waits for the WAL's
// readers. (The same checkpoint on this connection waited for a gap
// between the writer's back-to-back transactions, up to a second.)
//
// What the writer's checkpoint flushes is kept small: the checkpointer
// flushes the pages it copied itself (at 3 000 chat messages/s, 30 MiB
// and 20–40 ms every half second, which held off every commit when the
// writer's flush did it) and copies again what came meanwhile.
func (db *DB) checkpoints() {
	defer close(db.stopped)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-db.stop:
			return
		case <-t.C:
			frames, err := db.copyWAL()
			if err != nil || frames*pageSize <= walLimit {
				continue
			}
			if db.syncFile() == nil {
				db.copyWAL()
			}
			db.restartWAL.Store(true)
		}
	}
}

// copyWAL runs a passive checkpoint and returns the WAL's length in frames.
func (db *DB) copyWAL() (frames int64, err error) {
	var busy, copied int64
	err = db.checkpoint.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied)
	return frames, err
}

// syncFile flushes the database file to disk (any descriptor of a file
// flushes all of it).
func (db *DB) syncFile() error {
	f, err := os.Open(db.path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// pageSize is SQLite's default page size, which the database keeps.
const pageSize = 4096

// openPool opens a pool of n connections to the file at path, with the
// extra pragmas given.
func openPool(ctx context.Context, path string, n int, queryOnly bool, pragmas ...string) (*sql.DB, error) {
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(busyTimeout))
	q.Set("_foreign_keys", "on")
	q.Set("_journal_mode", "WAL")
	// FULL: a commit is on disk when it returns, so an acknowledged chat
	// message survives a power cut, not only a crash of the process.
	q.Set("_synchronous", "FULL")
	q.Set("_txlock", "immediate")
	// Reads are served from memory-mapped pages and a 32 MiB page cache per
	// connection rather than a pread per page (profiled: page reads were the
	// main cost of attaching a connection).
	q.Add("_pragma", "cache_size(-32768)")
	q.Add("_pragma", "mmap_size(268435456)")
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	if queryOnly {
		q.Set("_query_only", "on")
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	pool, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	pool.SetMaxOpenConns(n)
	pool.SetMaxIdleConns(n)
	pool.SetConnMaxLifetime(0)
	pool.SetConnMaxIdleTime(0)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, translate(err))
	}
	return pool, nil
}

// Migrate applies the embedded migrations that are not applied yet.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.migrator()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", db.path, err)
	}
	for _, q := range preparedWrites {
		if _, err := db.wstmts.get(ctx, q); err != nil {
			return fmt.Errorf("prepare statements of %s: %w", db.path, translate(err))
		}
	}
	return nil
}

// migrator returns the goose provider of the embedded migrations.
func (db *DB) migrator() (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.write, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// Close stops the checkpoints and closes the pools (the last connection
// to close checkpoints what is left).
func (db *DB) Close() error {
	close(db.stop)
	<-db.stopped
	db.stmts.close()
	db.wstmts.close()
	return errors.Join(db.checkpoint.Close(), db.read.Close(), db.write.Close())
}

// Ping reports whether the database file can be read and written.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite: %w", translate(err))
	}
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite: %w", translate(err))
	}
	return nil
}

// inTx runs fn in a write transaction and commits it if fn returns nil.
// Errors are translated. Only the wait for the write connection ends with
// ctx: once it has the connection, nothing the transaction does waits for
// another one (see txExec), and the driver would start a goroutine to
// watch ctx for BEGIN, for COMMIT and for the transaction.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return translate(err)
	}
	defer conn.Close()
	if db.restartWAL.CompareAndSwap(true, false) {
		// The WAL is long (see checkpoints): copy the rest of it and wait
		// for its readers, so that this transaction starts it over.
		conn.ExecContext(ctx, `PRAGMA wal_checkpoint(RESTART)`)
	}
	tx, err := conn.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return translate(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return translate(err)
	}
	return translate(tx.Commit())
}

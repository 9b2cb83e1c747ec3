package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps a pool's prepared statements by query text.
// Parsing a query costs modernc's SQLite several times more than running a
// small one, and every read query of this package is one of a few fixed
// texts, so the cache stays small. database/sql prepares a statement again
// on each connection that runs it.
type stmtCache struct {
	pool  *sql.DB
	stmts sync.Map // query text -> *sql.Stmt
}

// get returns the prepared statement for query.
func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := c.stmts.Load(query); ok {
		return s.(*sql.Stmt), nil
	}
	s, err := c.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := c.stmts.LoadOrStore(query, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), nil
	}
	return s, nil
}

// close closes every cached statement.
func (c *stmtCache) close() {
	c.stmts.Range(func(k, s any) bool {
		s.(*sql.Stmt).Close()
		c.stmts.Delete(k)
		return true
	})
}

// scanner is a row to scan: *sql.Row, *sql.Rows, or errRow.
type scanner interface{ Scan(dest ...any) error }

// errRow is a row whose query could not even be prepared.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// query runs a read query with a cached statement.
func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := db.stmts.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

// queryRow runs a one-row read query with a cached statement.
func (db *DB) queryRow(ctx context.Context, query string, args ...any) scanner {
	s, err := db.stmts.get(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return s.QueryRowContext(ctx, args...)
}

// preparedWrites are the write statements Migrate prepares on the write
// connection for txExec and txQueryRow: modernc's SQLite takes longer to
// parse the append's and the unread bookkeeping's statements than to run
// them.
var preparedWrites = []string{unreadDelete, unreadInsert, unreadMarkRead, unreadForOthers,
	groupActiveMember, insertMessage, advanceSeq, moveRead, markRead, isMember}

// txExec runs a statement in a write transaction, reusing its prepared
// form when Migrate prepared one. It cannot prepare it: tx holds the write
// pool's only connection.
//
// The statement does not end with ctx: inTx waited for the write
// connection under ctx, and after that nothing waits for another
// connection. (With a context that can end, the driver starts a goroutine
// per statement to interrupt it: at thousands of chat messages a second,
// a tenth of the server's allocations and a quarter of its goroutine
// wake-ups.)
func (db *DB) txExec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	ctx = context.WithoutCancel(ctx)
	if s, ok := db.wstmts.stmts.Load(query); ok {
		return tx.StmtContext(ctx, s.(*sql.Stmt)).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, query, args...)
}

// txQueryRow runs a one-row query in a write transaction, like txExec.
func (db *DB) txQueryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	ctx = context.WithoutCancel(ctx)
	if s, ok := db.wstmts.stmts.Load(query); ok {
		return tx.StmtContext(ctx, s.(*sql.Stmt)).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, query, args...)
}

package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/bunnybook/bunnybook"
)

var _ bunnybook.GraphOutbox = (*DB)(nil)

// appendGraphEvent adds e to the graph outbox inside tx. Writes are
// serialized by the one write connection, so ids commit in order.
func appendGraphEvent(ctx context.Context, tx execer, e bunnybook.GraphEvent) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO graph_outbox (kind, payload, created_at) VALUES (?, ?, ?)`,
		string(e.Kind), e.Payload(), time.Now().UnixMilli())
	return err
}

// PendingGraphEvents returns up to n events after the given id, in id
// order, or ErrGraphEventsPruned if some of them were deleted.
func (db *DB) PendingGraphEvents(ctx context.Context, after int64, n int) ([]bunnybook.GraphEvent, error) {
	var out []bunnybook.GraphEvent
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var pruned int64
		if err := tx.QueryRowContext(ctx, `SELECT pruned_upto FROM graph_outbox_state`).Scan(&pruned); err != nil {
			return err
		}
		if pruned > after {
			return bunnybook.ErrGraphEventsPruned
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, kind, payload FROM graph_outbox WHERE id > ? ORDER BY id LIMIT ?`,
			after, limit(n))
		if err != nil {
			return err
		}
		out, err = scanGraphEvents(rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pending graph events: %w", err)
	}
	return out, nil
}

// scanGraphEvents reads (id, kind, payload) rows and closes them.
func scanGraphEvents(rows *sql.Rows) ([]bunnybook.GraphEvent, error) {
	defer rows.Close()
	var out []bunnybook.GraphEvent
	for rows.Next() {
		var (
			id            int64
			kind, payload string
		)
		if err := rows.Scan(&id, &kind, &payload); err != nil {
			return nil, err
		}
		e, err := bunnybook.ParseGraphEvent(id, kind, payload)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// DeleteGraphEvents removes the events up to upToID and remembers the
// highest id deleted.
func (db *DB) DeleteGraphEvents(ctx context.Context, upToID int64) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var top sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT max(id) FROM graph_outbox WHERE id <= ?`, upToID).Scan(&top); err != nil {
			return err
		}
		if !top.Valid {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM graph_outbox WHERE id <= ?`, top.Int64); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE graph_outbox_state SET pruned_upto = max(pruned_upto, ?)`, top.Int64)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete graph events: %w", err)
	}
	return nil
}

// snapshotBatch is how many events GraphSnapshot hands over at a time.
const snapshotBatch = 2000

// GraphSnapshot reads every profile, request and friendship (each pair
// once) in one read transaction and returns the last outbox id it covers.
func (db *DB) GraphSnapshot(ctx context.Context, fn func([]bunnybook.GraphEvent) error) (int64, error) {
	var last int64
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM graph_outbox`).Scan(&last); err != nil {
			return err
		}
		var pruned int64
		if err := tx.QueryRowContext(ctx, `SELECT pruned_upto FROM graph_outbox_state`).Scan(&pruned); err != nil {
			return err
		}
		last = max(last, pruned)
		for _, q := range []struct {
			kind  bunnybook.GraphEventKind
			query string
		}{
			{bunnybook.GraphProfileCreated, `SELECT id, username FROM profile`},
			{bunnybook.GraphRequestSent, `SELECT from_id, to_id FROM friend_request`},
			{bunnybook.GraphFriendshipCreated, `SELECT profile_id, friend_id FROM friendship WHERE profile_id < friend_id`},
		} {
			if err := snapshotRows(ctx, tx, q.kind, q.query, fn); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("graph snapshot: %w", err)
	}
	return last, nil
}

// snapshotRows runs query and hands its (x, y) rows to fn as events of
// kind, in batches.
func snapshotRows(ctx context.Context, tx *sql.Tx, kind bunnybook.GraphEventKind, query string, fn func([]bunnybook.GraphEvent) error) error {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	return bunnybook.BatchSnapshotRows(rows, kind, snapshotBatch, fn)
}

// readTx runs fn in a read transaction on the read pool: one consistent
// view of the file (WAL snapshot) for all its queries.
func (db *DB) readTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return translate(err)
	}
	defer tx.Rollback()
	return translate(fn(tx))
}

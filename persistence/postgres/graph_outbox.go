package postgres

import (
	"context"
	"errors"

	"github.com/bunnybook/bunnybook"
	"github.com/jackc/pgx/v5"
)

var _ bunnybook.GraphOutbox = (*DB)(nil)

// outboxLock is the transaction-level advisory lock every writer of the
// graph outbox takes right before its insert and holds until commit. Ids
// come from a sequence, so without it a transaction could take id 10,
// commit after another took and committed 11, and a reader that already
// moved past 11 would miss 10. The lock is held only between the insert
// (the last statement of each transaction) and its commit.
const outboxLock = 7406853412261

// appendGraphEvent adds e to the graph outbox inside tx.
func appendGraphEvent(ctx context.Context, tx pgx.Tx, e bunnybook.GraphEvent) error {
	e.A, e.B = normalizeID(e.A), normalizeID(e.B)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(outboxLock)); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO graph_outbox (kind, payload) VALUES ($1, $2)`, string(e.Kind), e.Payload())
	return err
}

// PendingGraphEvents returns up to n events after the given id, in id
// order, or ErrGraphEventsPruned if some of them were deleted.
func (db *DB) PendingGraphEvents(ctx context.Context, after int64, n int) ([]bunnybook.GraphEvent, error) {
	var out []bunnybook.GraphEvent
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var pruned int64
		if err := tx.QueryRow(ctx, `SELECT pruned_upto FROM graph_outbox_state`).Scan(&pruned); err != nil {
			return err
		}
		if pruned > after {
			return bunnybook.ErrGraphEventsPruned
		}
		rows, err := tx.Query(ctx, `SELECT id, kind, payload::text FROM graph_outbox WHERE id > $1 ORDER BY id LIMIT $2`,
			after, limit(n))
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (bunnybook.GraphEvent, error) {
			var (
				id            int64
				kind, payload string
			)
			if err := r.Scan(&id, &kind, &payload); err != nil {
				return bunnybook.GraphEvent{}, err
			}
			return bunnybook.ParseGraphEvent(id, kind, payload)
		})
		return err
	})
	if errors.Is(err, bunnybook.ErrGraphEventsPruned) {
		return nil, err
	}
	return out, fail("pending graph events", err)
}

// DeleteGraphEvents removes the events up to upToID and remembers the
// highest id deleted.
func (db *DB) DeleteGraphEvents(ctx context.Context, upToID int64) error {
	return fail("delete graph events", db.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			WITH gone AS (DELETE FROM graph_outbox WHERE id <= $1 RETURNING id)
			UPDATE graph_outbox_state SET pruned_upto = greatest(pruned_upto, (SELECT max(id) FROM gone))
			WHERE EXISTS (SELECT 1 FROM gone)`, upToID)
		return err
	}))
}

// snapshotBatch is how many events GraphSnapshot hands over at a time.
const snapshotBatch = 2000

// GraphSnapshot reads every profile, request and friendship (each pair
// once) in one repeatable-read transaction and returns the last outbox id
// it covers.
func (db *DB) GraphSnapshot(ctx context.Context, fn func([]bunnybook.GraphEvent) error) (int64, error) {
	var last int64
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			SELECT greatest((SELECT coalesce(max(id), 0) FROM graph_outbox), (SELECT pruned_upto FROM graph_outbox_state))`).
			Scan(&last)
		if err != nil {
			return err
		}
		for _, q := range []struct {
			kind  bunnybook.GraphEventKind
			query string
		}{
			{bunnybook.GraphProfileCreated, `SELECT id::text, username FROM profile`},
			{bunnybook.GraphRequestSent, `SELECT from_id::text, to_id::text FROM friend_request`},
			{bunnybook.GraphFriendshipCreated, `SELECT profile_id::text, friend_id::text FROM friendship WHERE profile_id < friend_id`},
		} {
			if err := snapshotRows(ctx, tx, q.kind, q.query, fn); err != nil {
				return err
			}
		}
		return nil
	})
	return last, fail("graph snapshot", err)
}

// snapshotRows runs query and hands its (x, y) rows to fn as events of
// kind, in batches.
func snapshotRows(ctx context.Context, tx pgx.Tx, kind bunnybook.GraphEventKind, query string, fn func([]bunnybook.GraphEvent) error) error {
	rows, err := tx.Query(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	return bunnybook.BatchSnapshotRows(rows, kind, snapshotBatch, fn)
}

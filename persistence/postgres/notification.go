package postgres

import (
	"context"

	"github.com/bunnybook/bunnybook"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// insertNotifications stores notes in tx, in one round trip. A note with a
// collapse key updates the recipient's unread note of that key instead, and
// gets its id.
func insertNotifications(ctx context.Context, tx pgx.Tx, notes []bunnybook.Notification) error {
	if len(notes) == 0 {
		return nil
	}
	var b pgx.Batch
	for i, n := range notes {
		payload := n.Data.Payload
		if payload == nil {
			payload = map[string]string{}
		}
		b.Queue(`
			INSERT INTO notification (id, profile_id, created_at, event, payload, read, visited, collapse_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (profile_id, collapse_key) WHERE collapse_key IS NOT NULL AND NOT read DO UPDATE
			SET created_at = excluded.created_at, event = excluded.event, payload = excluded.payload, visited = excluded.visited
			RETURNING id`,
			n.ID, n.ProfileID, n.CreatedAt.Time, n.Data.Event, payload, n.Read, n.Visited,
			pgtype.Text{String: n.Collapse, Valid: n.Collapse != ""},
		).QueryRow(func(row pgx.Row) error { return row.Scan(&notes[i].ID) })
	}
	return tx.SendBatch(ctx, &b).Close()
}

const notificationColumns = `id, created_at, profile_id, event, payload, read, visited`

func scanNotification(row pgx.CollectableRow) (bunnybook.Notification, error) {
	var n bunnybook.Notification
	err := row.Scan(&n.ID, timeDst{&n.CreatedAt}, &n.ProfileID, &n.Data.Event, &n.Data.Payload, &n.Read, &n.Visited)
	return n, err
}

// Notifications returns a page of the profile's notifications, newest first.
func (db *DB) Notifications(ctx context.Context, profileID string, page bunnybook.TimePage) ([]bunnybook.Notification, error) {
	before, beforeID := keyset(page)
	rows, err := db.pool.Query(ctx, `
		SELECT `+notificationColumns+` FROM notification
		WHERE profile_id = $1 AND (created_at, id) < ($2, $3)
		ORDER BY created_at DESC, id DESC
		LIMIT $4`, profileID, before, beforeID, limit(page.Limit))
	if err != nil {
		return nil, fail("notifications", err)
	}
	notes, err := pgx.CollectRows(rows, scanNotification)
	return notes, fail("notifications", err)
}

// MarkNotifications sets read and/or visited on owner's notifications ids
// and returns them in the order of ids. The rows are locked and checked
// before anything changes, so on error nothing is. A notification read is
// no longer collapsible (marking it unread again makes it a plain one).
func (db *DB) MarkNotifications(ctx context.Context, owner string, ids []string, read, visited *bool) ([]bunnybook.Notification, error) {
	var notes []bunnybook.Notification
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT profile_id FROM notification WHERE id = ANY($1) FOR UPDATE`, ids)
		if err != nil {
			return err
		}
		owners, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		if len(owners) < countDistinct(ids) {
			return bunnybook.Errorf(bunnybook.ENotFound, "no such notification")
		}
		for _, o := range owners {
			if o != normalizeID(owner) {
				return bunnybook.Errorf(bunnybook.EForbidden, "these notifications are not yours")
			}
		}
		rows, err = tx.Query(ctx, `
			UPDATE notification SET read = coalesce($2, read), visited = coalesce($3, visited),
				collapse_key = CASE WHEN coalesce($2, read) THEN NULL ELSE collapse_key END
			WHERE id = ANY($1)
			RETURNING `+notificationColumns, ids, read, visited)
		if err != nil {
			return err
		}
		notes, err = pgx.CollectRows(rows, scanNotification)
		return err
	})
	if err != nil {
		return nil, fail("mark notifications", err)
	}
	return inOrder(notes, ids), nil
}

// inOrder returns notes in the order of ids (each once).
func inOrder(notes []bunnybook.Notification, ids []string) []bunnybook.Notification {
	byID := make(map[string]bunnybook.Notification, len(notes))
	for _, n := range notes {
		byID[n.ID] = n
	}
	out := make([]bunnybook.Notification, 0, len(notes))
	for _, id := range ids {
		if n, ok := byID[normalizeID(id)]; ok {
			out = append(out, n)
			delete(byID, normalizeID(id))
		}
	}
	return out
}

func countDistinct(ids []string) int {
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		seen[normalizeID(id)] = true
	}
	return len(seen)
}

// UnreadNotificationCount counts the profile's unread notifications (an
// index-only count on the partial index of unread rows).
func (db *DB) UnreadNotificationCount(ctx context.Context, profileID string) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `SELECT count(*) FROM notification WHERE profile_id = $1 AND NOT read`, profileID).Scan(&n)
	return n, fail("unread notification count", err)
}

package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/bunnybook/bunnybook"
)

// insertNotification adds a notification or, when it has a collapse key,
// updates the recipient's unread one of that key; it returns the row's id.
const insertNotification = `
	INSERT INTO notification (id, profile_id, created_at, event, payload, read, visited, collapse_key)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (profile_id, collapse_key) WHERE collapse_key IS NOT NULL AND read = 0 DO UPDATE
	SET created_at = excluded.created_at, event = excluded.event, payload = excluded.payload, visited = excluded.visited
	RETURNING id`

// insertNotifications stores notes in tx. A note that collapsed into an
// unread one gets that one's id.
func insertNotifications(ctx context.Context, tx *sql.Tx, notes []bunnybook.Notification) error {
	for i, n := range notes {
		payload := n.Data.Payload
		if payload == nil {
			payload = map[string]string{}
		}
		b, err := json.Marshal(payload)
		if err != nil {
			return fmt.Errorf("encode notification payload: %w", err)
		}
		err = tx.QueryRowContext(ctx, insertNotification,
			n.ID, n.ProfileID, millis(n.CreatedAt), n.Data.Event, string(b), n.Read, n.Visited,
			sql.NullString{String: n.Collapse, Valid: n.Collapse != ""}).Scan(&notes[i].ID)
		if err != nil {
			return err
		}
	}
	return nil
}

const notificationColumns = `id, profile_id, created_at, event, payload, read, visited`

// scanNotifications reads rows of notificationColumns and closes them.
func scanNotifications(rows *sql.Rows) ([]bunnybook.Notification, error) {
	defer rows.Close()
	out := []bunnybook.Notification{}
	for rows.Next() {
		var n bunnybook.Notification
		var created int64
		var payload string
		if err := rows.Scan(&n.ID, &n.ProfileID, &created, &n.Data.Event, &payload, &n.Read, &n.Visited); err != nil {
			return nil, translate(err)
		}
		if err := json.Unmarshal([]byte(payload), &n.Data.Payload); err != nil {
			return nil, fmt.Errorf("decode payload of notification %s: %w", n.ID, err)
		}
		n.CreatedAt = bunnybook.UnixMilli(created)
		out = append(out, n)
	}
	return out, translate(rows.Err())
}

// Notifications returns a page of the profile's notifications, newest first.
func (db *DB) Notifications(ctx context.Context, profileID string, page bunnybook.TimePage) ([]bunnybook.Notification, error) {
	cond, args := keyset(page, "created_at", "id")
	rows, err := db.query(ctx, `
		SELECT `+notificationColumns+` FROM notification
		WHERE profile_id = ?`+cond+`
		ORDER BY created_at DESC, id DESC LIMIT ?`,
		append(append([]any{profileID}, args...), limit(page.Limit))...)
	if err != nil {
		return nil, fmt.Errorf("notifications: %w", translate(err))
	}
	ns, err := scanNotifications(rows)
	if err != nil {
		return nil, fmt.Errorf("notifications: %w", err)
	}
	return ns, nil
}

// MarkNotifications sets read and/or visited on the owner's notifications
// with the given ids and returns them, in the order of ids. A notification
// read is no longer collapsible (marking it unread again makes it a plain
// one). Every id must exist (else ENotFound) and be owner's (else
// EForbidden); the check comes before any change, in the same transaction.
func (db *DB) MarkNotifications(ctx context.Context, owner string, ids []string, read, visited *bool) ([]bunnybook.Notification, error) {
	if len(ids) == 0 {
		return []bunnybook.Notification{}, nil
	}
	in := "(?" + strings.Repeat(", ?", len(ids)-1) + ")"
	idArgs := make([]any, len(ids))
	for i, id := range ids {
		idArgs[i] = id
	}
	var out []bunnybook.Notification
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		owners := map[string]string{}
		rows, err := tx.QueryContext(ctx, `SELECT id, profile_id FROM notification WHERE id IN `+in, idArgs...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, profile string
			if err := rows.Scan(&id, &profile); err != nil {
				return err
			}
			owners[id] = profile
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			switch p, ok := owners[id]; {
			case !ok:
				return bunnybook.Errorf(bunnybook.ENotFound, "notification %s not found", id)
			case p != owner:
				return bunnybook.Errorf(bunnybook.EForbidden, "notification %s is not yours", id)
			}
		}
		_, err = tx.ExecContext(ctx, `
			UPDATE notification SET read = coalesce(?, read), visited = coalesce(?, visited),
				collapse_key = CASE WHEN coalesce(?, read) THEN NULL ELSE collapse_key END
			WHERE id IN `+in, append([]any{read, visited, read}, idArgs...)...)
		if err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT `+notificationColumns+` FROM notification WHERE id IN `+in, idArgs...)
		if err != nil {
			return err
		}
		byID := map[string]bunnybook.Notification{}
		ns, err := scanNotifications(rows)
		for _, n := range ns {
			byID[n.ID] = n
		}
		for _, id := range ids {
			if n, ok := byID[id]; ok {
				out = append(out, n)
				delete(byID, id) // once per id, also if ids repeats it
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("mark notifications: %w", err)
	}
	return out, nil
}

// UnreadNotificationCount counts the profile's unread notifications.
func (db *DB) UnreadNotificationCount(ctx context.Context, profileID string) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT count(*) FROM notification WHERE profile_id = ? AND read = 0`, profileID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("unread notification count: %w", translate(err))
	}
	return n, nil
}

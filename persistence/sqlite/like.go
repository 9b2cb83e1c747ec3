package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/bunnybook/bunnybook"
)

// likeTarget is the SQL of one kind of liked thing: a post or a comment.
type likeTarget struct {
	exists string // one row when the liked thing exists (args: where)
	insert string // the like row, no-op when there is one (args: profile, id, time)
	remove string // args: profile, where
	count  string // changes the count by ? (args: delta, id)
}

var (
	postTarget = likeTarget{
		exists: `SELECT 1 FROM post WHERE id = ?`,
		insert: `INSERT INTO post_like (profile_id, post_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		remove: `DELETE FROM post_like WHERE profile_id = ? AND post_id = ?`,
		count:  `UPDATE post SET likes_count = likes_count + ? WHERE id = ?`,
	}
	commentTarget = likeTarget{
		exists: `SELECT 1 FROM comment WHERE id = ? AND post_id = ?`,
		insert: `INSERT INTO comment_like (profile_id, comment_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		remove: `DELETE FROM comment_like WHERE profile_id = ? AND comment_id = (SELECT id FROM comment WHERE id = ? AND post_id = ?)`,
		count:  `UPDATE comment SET likes_count = likes_count + ? WHERE id = ?`,
	}
)

// target returns the SQL for l, the id of what it likes and the arguments
// that find it (a comment only on its post).
func target(l bunnybook.Like) (t likeTarget, id string, where []any) {
	if l.CommentID != "" {
		return commentTarget, l.CommentID, []any{l.CommentID, l.PostID}
	}
	return postTarget, l.PostID, []any{l.PostID}
}

// Like adds l, counts it and stores notes in one transaction, unless l
// exists already.
func (db *DB) Like(ctx context.Context, l bunnybook.Like, notes []bunnybook.Notification) (bool, error) {
	t, id, where := target(l)
	added := false
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, t.exists, where...).Scan(&one); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, t.insert, l.ProfileID, id, millis(bunnybook.Now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		added = true
		if _, err := tx.ExecContext(ctx, t.count, 1, id); err != nil {
			return err
		}
		return insertNotifications(ctx, tx, notes)
	})
	if err != nil {
		return false, fmt.Errorf("like: %w", err)
	}
	return added, nil
}

// Unlike removes l and uncounts it, in one transaction.
func (db *DB) Unlike(ctx context.Context, l bunnybook.Like) error {
	t, id, where := target(l)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, t.remove, append([]any{l.ProfileID}, where...)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, t.count, -1, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("unlike: %w", err)
	}
	return nil
}

// LikedPosts returns those of postIDs that profileID likes (one range of
// the like table's key; the ids go in as one JSON array, so the statement
// text, and its prepared form, is the same for any number of ids).
func (db *DB) LikedPosts(ctx context.Context, profileID string, postIDs []string) ([]string, error) {
	return db.liked(ctx, `SELECT post_id FROM post_like WHERE profile_id = ? AND post_id IN (SELECT value FROM json_each(?))`, profileID, postIDs)
}

// LikedComments returns those of commentIDs that profileID likes.
func (db *DB) LikedComments(ctx context.Context, profileID string, commentIDs []string) ([]string, error) {
	return db.liked(ctx, `SELECT comment_id FROM comment_like WHERE profile_id = ? AND comment_id IN (SELECT value FROM json_each(?))`, profileID, commentIDs)
}

func (db *DB) liked(ctx context.Context, query, profileID string, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return []string{}, nil
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, query, profileID, string(b))
	if err != nil {
		return nil, fmt.Errorf("liked: %w", translate(err))
	}
	return scanStrings(rows)
}

package postgres

import (
	"context"

	"github.com/bunnybook/bunnybook"
	"github.com/jackc/pgx/v5"
)

// likeTarget is the SQL of one kind of liked thing: a post or a comment.
type likeTarget struct {
	exists string // one row when the liked thing exists (args: where)
	insert string // the like row, no-op when there is one (args: profile, id)
	remove string // args: profile, where
	count  string // changes the count by $1 (args: delta, id)
}

var (
	postTarget = likeTarget{
		exists: `SELECT 1 FROM post WHERE id = $1`,
		insert: `INSERT INTO post_like (profile_id, post_id, created_at) VALUES ($1, $2, now()) ON CONFLICT DO NOTHING`,
		remove: `DELETE FROM post_like WHERE profile_id = $1 AND post_id = $2`,
		count:  `UPDATE post SET likes_count = likes_count + $1 WHERE id = $2`,
	}
	commentTarget = likeTarget{
		exists: `SELECT 1 FROM comment WHERE id = $1 AND post_id = $2`,
		insert: `INSERT INTO comment_like (profile_id, comment_id, created_at) VALUES ($1, $2, now()) ON CONFLICT DO NOTHING`,
		remove: `DELETE FROM comment_like WHERE profile_id = $1 AND comment_id = (SELECT id FROM comment WHERE id = $2 AND post_id = $3)`,
		count:  `UPDATE comment SET likes_count = likes_count + $1 WHERE id = $2`,
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
// exists already. Concurrent likes of one thing each insert their own row
// and add to the count under its row lock; a concurrent like by the same
// profile waits on the key and then inserts nothing.
func (db *DB) Like(ctx context.Context, l bunnybook.Like, notes []bunnybook.Notification) (bool, error) {
	t, id, where := target(l)
	added := false
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, t.exists, where...).Scan(&one); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, t.insert, l.ProfileID, id)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		added = true
		if _, err := tx.Exec(ctx, t.count, 1, id); err != nil {
			return err
		}
		return insertNotifications(ctx, tx, notes)
	})
	if err != nil {
		return false, fail("like", err)
	}
	return added, nil
}

// Unlike removes l and uncounts it, in one transaction.
func (db *DB) Unlike(ctx context.Context, l bunnybook.Like) error {
	t, id, where := target(l)
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, t.remove, append([]any{l.ProfileID}, where...)...)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		_, err = tx.Exec(ctx, t.count, -1, id)
		return err
	})
	return fail("unlike", err)
}

// LikedPosts returns those of postIDs that profileID likes (one range of
// the like table's key).
func (db *DB) LikedPosts(ctx context.Context, profileID string, postIDs []string) ([]string, error) {
	return db.liked(ctx, `SELECT post_id FROM post_like WHERE profile_id = $1 AND post_id = ANY($2)`, profileID, postIDs)
}

// LikedComments returns those of commentIDs that profileID likes.
func (db *DB) LikedComments(ctx context.Context, profileID string, commentIDs []string) ([]string, error) {
	return db.liked(ctx, `SELECT comment_id FROM comment_like WHERE profile_id = $1 AND comment_id = ANY($2)`, profileID, commentIDs)
}

func (db *DB) liked(ctx context.Context, query, profileID string, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return []string{}, nil
	}
	rows, err := db.pool.Query(ctx, query, profileID, ids)
	if err != nil {
		return nil, fail("liked", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return out, fail("liked", err)
}

package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/bunnybook/bunnybook"
)

// CreatePost inserts p and notes in one transaction.
func (db *DB) CreatePost(ctx context.Context, p *bunnybook.Post, notes []bunnybook.Notification) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO post (id, content, created_at, wall_profile_id, profile_id, privacy, comments_count)
			VALUES (?, ?, ?, ?, ?, ?, 0)`,
			p.ID, p.Content, millis(p.CreatedAt), p.WallProfileID, p.ProfileID, string(p.Privacy))
		if err != nil {
			return err
		}
		return insertNotifications(ctx, tx, notes)
	})
	if err != nil {
		return fmt.Errorf("create post: %w", err)
	}
	return nil
}

const postColumns = `p.id, p.content, p.created_at, p.wall_profile_id, p.profile_id, p.privacy, p.comments_count, p.likes_count, a.username`

// scanPost reads one row of postColumns.
func scanPost(row interface{ Scan(...any) error }) (bunnybook.Post, error) {
	var p bunnybook.Post
	var created int64
	err := row.Scan(&p.ID, &p.Content, &created, &p.WallProfileID, &p.ProfileID, &p.Privacy, &p.CommentsCount, &p.LikesCount, &p.Username)
	p.CreatedAt = bunnybook.UnixMilli(created)
	return p, err
}

// Post returns a post with its author's username, or ENotFound.
func (db *DB) Post(ctx context.Context, id string) (*bunnybook.Post, error) {
	p, err := scanPost(db.queryRow(ctx, `
		SELECT `+postColumns+` FROM post p JOIN profile a ON a.id = p.profile_id WHERE p.id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("post %s: %w", id, translate(err))
	}
	return &p, nil
}

// WallPosts returns a page of the wall's posts, newest first.
func (db *DB) WallPosts(ctx context.Context, wallID string, withFriendsOnly bool, page bunnybook.TimePage) ([]bunnybook.Post, error) {
	cond, args := keyset(page, "p.created_at", "p.id")
	if !withFriendsOnly {
		cond += " AND p.privacy = 'PUBLIC'"
	}
	rows, err := db.query(ctx, `
		SELECT `+postColumns+` FROM post p JOIN profile a ON a.id = p.profile_id
		WHERE p.wall_profile_id = ?`+cond+`
		ORDER BY p.created_at DESC, p.id DESC LIMIT ?`,
		append(append([]any{wallID}, args...), limit(page.Limit))...)
	if err != nil {
		return nil, fmt.Errorf("wall posts: %w", translate(err))
	}
	defer rows.Close()
	out := []bunnybook.Post{}
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, fmt.Errorf("wall posts: %w", translate(err))
		}
		out = append(out, p)
	}
	return out, translate(rows.Err())
}

// DeletePost deletes a post; its comments go with it (ON DELETE CASCADE).
func (db *DB) DeletePost(ctx context.Context, id string) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM post WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete post %s: %w", id, translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return bunnybook.Errorf(bunnybook.ENotFound, "post not found")
	}
	return nil
}

// CreateComment inserts c, counts it on its post and stores notes, in one
// transaction; ENotFound if the post is gone.
func (db *DB) CreateComment(ctx context.Context, c *bunnybook.Comment, notes []bunnybook.Notification) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE post SET comments_count = comments_count + 1 WHERE id = ?`, c.PostID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return bunnybook.Errorf(bunnybook.ENotFound, "post not found")
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO comment (id, content, created_at, post_id, profile_id) VALUES (?, ?, ?, ?, ?)`,
			c.ID, c.Content, millis(c.CreatedAt), c.PostID, c.ProfileID)
		if err != nil {
			return err
		}
		return insertNotifications(ctx, tx, notes)
	})
	if err != nil {
		return fmt.Errorf("create comment: %w", err)
	}
	return nil
}

const commentColumns = `c.id, c.content, c.created_at, c.post_id, c.profile_id, a.username, c.likes_count`

// scanComment reads one row of commentColumns.
func scanComment(row interface{ Scan(...any) error }) (bunnybook.Comment, error) {
	var c bunnybook.Comment
	var created int64
	err := row.Scan(&c.ID, &c.Content, &created, &c.PostID, &c.ProfileID, &c.Username, &c.LikesCount)
	c.CreatedAt = bunnybook.UnixMilli(created)
	return c, err
}

// Comments returns a page of a post's comments, newest first.
func (db *DB) Comments(ctx context.Context, postID string, page bunnybook.TimePage) ([]bunnybook.Comment, error) {
	cond, args := keyset(page, "c.created_at", "c.id")
	rows, err := db.query(ctx, `
		SELECT `+commentColumns+` FROM comment c JOIN profile a ON a.id = c.profile_id
		WHERE c.post_id = ?`+cond+`
		ORDER BY c.created_at DESC, c.id DESC LIMIT ?`,
		append(append([]any{postID}, args...), limit(page.Limit))...)
	if err != nil {
		return nil, fmt.Errorf("comments: %w", translate(err))
	}
	defer rows.Close()
	out := []bunnybook.Comment{}
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			return nil, fmt.Errorf("comments: %w", translate(err))
		}
		out = append(out, c)
	}
	return out, translate(rows.Err())
}

// CommentAuthors returns the distinct ids of the post's commenters.
func (db *DB) CommentAuthors(ctx context.Context, postID string) ([]string, error) {
	rows, err := db.query(ctx, `SELECT DISTINCT profile_id FROM comment WHERE post_id = ?`, postID)
	if err != nil {
		return nil, fmt.Errorf("comment authors: %w", translate(err))
	}
	return scanStrings(rows)
}

// scanStrings reads one-column text rows and closes them.
func scanStrings(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, translate(err)
		}
		out = append(out, s)
	}
	return out, translate(rows.Err())
}

// Comment returns a comment of the post, or ENotFound.
func (db *DB) Comment(ctx context.Context, postID, commentID string) (*bunnybook.Comment, error) {
	c, err := scanComment(db.queryRow(ctx, `
		SELECT `+commentColumns+` FROM comment c JOIN profile a ON a.id = c.profile_id
		WHERE c.id = ? AND c.post_id = ?`, commentID, postID))
	if err != nil {
		return nil, fmt.Errorf("comment %s: %w", commentID, translate(err))
	}
	return &c, nil
}

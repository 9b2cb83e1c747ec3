package postgres

import (
	"context"

	"github.com/bunnybook/bunnybook"
	"github.com/jackc/pgx/v5"
)

// CreatePost inserts p and notes in one transaction.
func (db *DB) CreatePost(ctx context.Context, p *bunnybook.Post, notes []bunnybook.Notification) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			INSERT INTO post (id, content, created_at, wall_profile_id, profile_id, privacy, comments_count)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			p.ID, p.Content, p.CreatedAt.Time, p.WallProfileID, p.ProfileID, string(p.Privacy), p.CommentsCount)
		if err != nil {
			return err
		}
		return insertNotifications(ctx, tx, notes)
	})
	return fail("create post", err)
}

const postColumns = `p.id, p.content, p.created_at, p.wall_profile_id, p.profile_id, p.privacy, p.comments_count, p.likes_count, a.username`

func scanPost(row pgx.Row) (bunnybook.Post, error) {
	var p bunnybook.Post
	err := row.Scan(&p.ID, &p.Content, timeDst{&p.CreatedAt}, &p.WallProfileID, &p.ProfileID,
		&p.Privacy, &p.CommentsCount, &p.LikesCount, &p.Username)
	return p, err
}

// Post returns a post with its author's username, or ENotFound.
func (db *DB) Post(ctx context.Context, id string) (*bunnybook.Post, error) {
	p, err := scanPost(db.pool.QueryRow(ctx, `
		SELECT `+postColumns+` FROM post p JOIN profile a ON a.id = p.profile_id
		WHERE p.id = $1`, id))
	if err != nil {
		return nil, fail("post "+id, err)
	}
	return &p, nil
}

// WallPosts returns a page of the wall's posts, newest first; FRIENDS posts
// only when withFriendsOnly.
func (db *DB) WallPosts(ctx context.Context, wallID string, withFriendsOnly bool, page bunnybook.TimePage) ([]bunnybook.Post, error) {
	before, beforeID := keyset(page)
	rows, err := db.pool.Query(ctx, `
		SELECT `+postColumns+` FROM post p JOIN profile a ON a.id = p.profile_id
		WHERE p.wall_profile_id = $1 AND (p.created_at, p.id) < ($2, $3)
		  AND ($4 OR p.privacy = 'PUBLIC')
		ORDER BY p.created_at DESC, p.id DESC
		LIMIT $5`, wallID, before, beforeID, withFriendsOnly, limit(page.Limit))
	if err != nil {
		return nil, fail("wall posts", err)
	}
	posts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (bunnybook.Post, error) { return scanPost(r) })
	return posts, fail("wall posts", err)
}

// DeletePost deletes a post and (by cascade) its comments, or returns ENotFound.
func (db *DB) DeletePost(ctx context.Context, id string) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM post WHERE id = $1`, id)
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	return fail("delete post "+id, err)
}

// CreateComment inserts c, increments the post's comment count and stores
// notes in one transaction. The count is bumped first: that locks the post
// row, so a concurrent delete waits, and a missing post is ENotFound.
func (db *DB) CreateComment(ctx context.Context, c *bunnybook.Comment, notes []bunnybook.Notification) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE post SET comments_count = comments_count + 1 WHERE id = $1`, c.PostID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return bunnybook.Errorf(bunnybook.ENotFound, "no such post")
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO comment (id, content, created_at, post_id, profile_id) VALUES ($1, $2, $3, $4, $5)`,
			c.ID, c.Content, c.CreatedAt.Time, c.PostID, c.ProfileID)
		if err != nil {
			return err
		}
		return insertNotifications(ctx, tx, notes)
	})
	return fail("create comment", err)
}

const commentColumns = `c.id, c.content, c.created_at, c.post_id, c.profile_id, a.username, c.likes_count`

func scanComment(row pgx.Row) (bunnybook.Comment, error) {
	var c bunnybook.Comment
	err := row.Scan(&c.ID, &c.Content, timeDst{&c.CreatedAt}, &c.PostID, &c.ProfileID, &c.Username, &c.LikesCount)
	return c, err
}

// Comments returns a page of a post's comments, newest first.
func (db *DB) Comments(ctx context.Context, postID string, page bunnybook.TimePage) ([]bunnybook.Comment, error) {
	before, beforeID := keyset(page)
	rows, err := db.pool.Query(ctx, `
		SELECT `+commentColumns+` FROM comment c JOIN profile a ON a.id = c.profile_id
		WHERE c.post_id = $1 AND (c.created_at, c.id) < ($2, $3)
		ORDER BY c.created_at DESC, c.id DESC
		LIMIT $4`, postID, before, beforeID, limit(page.Limit))
	if err != nil {
		return nil, fail("comments", err)
	}
	comments, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (bunnybook.Comment, error) { return scanComment(r) })
	return comments, fail("comments", err)
}

// CommentAuthors returns the distinct ids of everyone who commented on the post.
func (db *DB) CommentAuthors(ctx context.Context, postID string) ([]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT DISTINCT profile_id FROM comment WHERE post_id = $1`, postID)
	if err != nil {
		return nil, fail("comment authors", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, fail("comment authors", err)
}

// Comment returns a comment of the post, or ENotFound.
func (db *DB) Comment(ctx context.Context, postID, commentID string) (*bunnybook.Comment, error) {
	c, err := scanComment(db.pool.QueryRow(ctx, `
		SELECT `+commentColumns+` FROM comment c JOIN profile a ON a.id = c.profile_id
		WHERE c.id = $1 AND c.post_id = $2`, commentID, postID))
	if err != nil {
		return nil, fail("comment "+commentID, err)
	}
	return &c, nil
}

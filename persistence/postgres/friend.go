package postgres

import (
	"context"
	"errors"

	"github.com/bunnybook/bunnybook"
	"github.com/jackc/pgx/v5"
)

// lockPair locks the profile rows of a and b, in id order so that two
// transactions on one pair never deadlock, and reports ENotFound unless
// both exist. Every friendship change starts with it: changes that touch
// a profile wait for each other and each sees the state the previous one
// committed. (FOR NO KEY UPDATE does not block inserts that merely
// reference the profiles, such as posts.)
func lockPair(ctx context.Context, tx pgx.Tx, a, b string) error {
	var n int
	err := tx.QueryRow(ctx, `
		SELECT count(*) FROM (
			SELECT id FROM profile WHERE id IN ($1, $2) ORDER BY id FOR NO KEY UPDATE
		) locked`, a, b).Scan(&n)
	if err != nil {
		return err
	}
	if n < 2 {
		return bunnybook.Errorf(bunnybook.ENotFound, "no such profile")
	}
	return nil
}

// relationship returns how a relates to b.
func relationship(ctx context.Context, q querier, a, b string) (bunnybook.Relationship, error) {
	var friend, outgoing, incoming bool
	err := q.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM friendship WHERE profile_id = $1 AND friend_id = $2),
		       EXISTS (SELECT 1 FROM friend_request WHERE from_id = $1 AND to_id = $2),
		       EXISTS (SELECT 1 FROM friend_request WHERE from_id = $2 AND to_id = $1)`,
		a, b).Scan(&friend, &outgoing, &incoming)
	switch {
	case err != nil:
		return "", err
	case friend:
		return bunnybook.RelFriend, nil
	case outgoing:
		return bunnybook.RelOutgoing, nil
	case incoming:
		return bunnybook.RelIncoming, nil
	}
	return bunnybook.RelNone, nil
}

// SendFriendRequest records from → to and stores note, if the pair has no
// relationship.
func (db *DB) SendFriendRequest(ctx context.Context, from, to string, note bunnybook.Notification) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockPair(ctx, tx, from, to); err != nil {
			return err
		}
		rel, err := relationship(ctx, tx, from, to)
		if err != nil {
			return err
		}
		if rel != bunnybook.RelNone {
			return bunnybook.ErrUnexpectedRelationship()
		}
		_, err = tx.Exec(ctx, `INSERT INTO friend_request (from_id, to_id, created_at) VALUES ($1, $2, $3)`,
			from, to, note.CreatedAt.Time)
		if err != nil {
			return err
		}
		if err := insertNotifications(ctx, tx, []bunnybook.Notification{note}); err != nil {
			return err
		}
		return appendGraphEvent(ctx, tx, bunnybook.GraphEvent{Kind: bunnybook.GraphRequestSent, A: from, B: to})
	})
	return fail("send friend request", err)
}

// DeleteFriendRequest removes the request from → to.
func (db *DB) DeleteFriendRequest(ctx context.Context, from, to string) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM friend_request WHERE from_id = $1 AND to_id = $2`, from, to)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return bunnybook.ErrUnexpectedRelationship()
		}
		return appendGraphEvent(ctx, tx, bunnybook.GraphEvent{Kind: bunnybook.GraphRequestDeleted, A: from, B: to})
	})
	return fail("delete friend request", err)
}

// AcceptFriendRequest turns requester → accepter into a friendship,
// reactivates or creates the pair's private chat group and stores note.
func (db *DB) AcceptFriendRequest(ctx context.Context, requester, accepter string, note bunnybook.Notification) (string, error) {
	var group string
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockPair(ctx, tx, requester, accepter); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM friend_request WHERE from_id = $1 AND to_id = $2`, requester, accepter)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return bunnybook.ErrUnexpectedRelationship()
		}
		if group, err = openPrivateChat(ctx, tx, requester, accepter, note.CreatedAt); err != nil {
			return err
		}
		// Each row carries the pair's group and the friend's username (see
		// PrivateChats).
		_, err = tx.Exec(ctx, `
			INSERT INTO friendship (profile_id, friend_id, created_at, chat_group_id, friend_username)
			VALUES ($1, $2, $3, $4, (SELECT username FROM profile WHERE id = $2)),
			       ($2, $1, $3, $4, (SELECT username FROM profile WHERE id = $1))`,
			requester, accepter, note.CreatedAt.Time, group)
		if err != nil {
			return err
		}
		if err := insertNotifications(ctx, tx, []bunnybook.Notification{note}); err != nil {
			return err
		}
		return appendGraphEvent(ctx, tx, bunnybook.GraphEvent{Kind: bunnybook.GraphFriendshipCreated, A: requester, B: accepter})
	})
	if err != nil {
		return "", fail("accept friend request", err)
	}
	return group, nil
}

// openPrivateChat reactivates the pair's private group, or creates it with
// both members, and returns its id.
func openPrivateChat(ctx context.Context, tx pgx.Tx, a, b string, now bunnybook.Time) (string, error) {
	var id string
	err := tx.QueryRow(ctx, `
		INSERT INTO chat_group (id, private, active, pair_key, created_at) VALUES ($1, true, true, $2, $3)
		ON CONFLICT (pair_key) DO UPDATE SET active = true
		RETURNING id`, bunnybook.NewID(), pairKey(a, b), now.Time).Scan(&id)
	if err != nil {
		return "", err
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO chat_member (chat_group_id, profile_id) VALUES ($1, $2), ($1, $3)
		ON CONFLICT DO NOTHING`, id, a, b)
	if err != nil {
		return "", err
	}
	// A reactivated group's messages count as unread again where they were.
	_, err = tx.Exec(ctx, syncUnread, id)
	return id, err
}

// pairKey names a pair of profiles independently of their order.
func pairKey(a, b string) string {
	a, b = normalizeID(a), normalizeID(b)
	if b < a {
		a, b = b, a
	}
	return a + ":" + b
}

// Unfriend ends the friendship of a and b and deactivates their private
// chat group, returning its id ("" if none).
func (db *DB) Unfriend(ctx context.Context, a, b string) (string, error) {
	var group string
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockPair(ctx, tx, a, b); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			DELETE FROM friendship WHERE (profile_id, friend_id) IN (($1, $2), ($2, $1))`, a, b)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return bunnybook.ErrUnexpectedRelationship()
		}
		err = tx.QueryRow(ctx, `UPDATE chat_group SET active = false WHERE pair_key = $1 RETURNING id`,
			pairKey(a, b)).Scan(&group)
		switch {
		case err == nil:
			// An inactive group is nobody's unread conversation.
			if _, err := tx.Exec(ctx, syncUnread, group); err != nil {
				return err
			}
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		return appendGraphEvent(ctx, tx, bunnybook.GraphEvent{Kind: bunnybook.GraphFriendshipDeleted, A: a, B: b})
	})
	if err != nil {
		return "", fail("unfriend", err)
	}
	return group, nil
}

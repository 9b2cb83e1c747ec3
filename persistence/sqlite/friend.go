package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/bunnybook/bunnybook"
)

// Every friendship write runs in one IMMEDIATE transaction on the single
// write connection, so checking the state and changing it cannot interleave
// with another action on the same pair.

// relationshipQuery selects how ?1 relates to ?2.
const relationshipQuery = `
	SELECT CASE
		WHEN EXISTS (SELECT 1 FROM friendship WHERE profile_id = ?1 AND friend_id = ?2) THEN 'FRIEND'
		WHEN EXISTS (SELECT 1 FROM friend_request WHERE from_id = ?1 AND to_id = ?2) THEN 'OUTGOING_FRIEND_REQUEST'
		WHEN EXISTS (SELECT 1 FROM friend_request WHERE from_id = ?2 AND to_id = ?1) THEN 'INCOMING_FRIEND_REQUEST'
		ELSE 'NONE'
	END`

// Relationship returns how a relates to b.
func (db *DB) Relationship(ctx context.Context, a, b string) (bunnybook.Relationship, error) {
	var rel bunnybook.Relationship
	if err := db.queryRow(ctx, relationshipQuery, a, b).Scan(&rel); err != nil {
		return "", fmt.Errorf("relationship: %w", translate(err))
	}
	return rel, nil
}

// SendFriendRequest records from → to and stores note, if the pair has no
// relationship; ENotFound if to does not exist.
func (db *DB) SendFriendRequest(ctx context.Context, from, to string, note bunnybook.Notification) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM profile WHERE id = ?)`, to).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return bunnybook.Errorf(bunnybook.ENotFound, "profile not found")
		}
		var rel bunnybook.Relationship
		if err := tx.QueryRowContext(ctx, relationshipQuery, from, to).Scan(&rel); err != nil {
			return err
		}
		if rel != bunnybook.RelNone || from == to {
			return bunnybook.ErrUnexpectedRelationship()
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO friend_request (from_id, to_id, created_at) VALUES (?, ?, ?)`,
			from, to, millis(note.CreatedAt))
		if err != nil {
			return err
		}
		if err := insertNotifications(ctx, tx, []bunnybook.Notification{note}); err != nil {
			return err
		}
		return appendGraphEvent(ctx, tx, bunnybook.GraphEvent{Kind: bunnybook.GraphRequestSent, A: from, B: to})
	})
	if err != nil {
		return fmt.Errorf("send friend request: %w", err)
	}
	return nil
}

// DeleteFriendRequest removes the request from → to (cancel or reject).
func (db *DB) DeleteFriendRequest(ctx context.Context, from, to string) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM friend_request WHERE from_id = ? AND to_id = ?`, from, to)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return bunnybook.ErrUnexpectedRelationship()
		}
		return appendGraphEvent(ctx, tx, bunnybook.GraphEvent{Kind: bunnybook.GraphRequestDeleted, A: from, B: to})
	})
	if err != nil {
		return fmt.Errorf("delete friend request: %w", err)
	}
	return nil
}

// pairKey names the private chat group of two profiles, whatever their order.
func pairKey(a, b string) string {
	if a > b {
		a, b = b, a
	}
	return a + ":" + b
}

// AcceptFriendRequest turns requester → accepter into a friendship,
// reactivates the pair's private chat group or creates it, and stores note.
func (db *DB) AcceptFriendRequest(ctx context.Context, requester, accepter string, note bunnybook.Notification) (string, error) {
	var group string
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM friend_request WHERE from_id = ? AND to_id = ?`, requester, accepter)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return bunnybook.ErrUnexpectedRelationship()
		}
		now := millis(note.CreatedAt)
		if group, err = db.activatePrivateGroup(ctx, tx, requester, accepter, now); err != nil {
			return err
		}
		if err := insertFriendship(ctx, tx, requester, accepter, group, now); err != nil {
			return err
		}
		if err := insertNotifications(ctx, tx, []bunnybook.Notification{note}); err != nil {
			return err
		}
		return appendGraphEvent(ctx, tx, bunnybook.GraphEvent{Kind: bunnybook.GraphFriendshipCreated, A: requester, B: accepter})
	})
	if err != nil {
		return "", fmt.Errorf("accept friend request: %w", err)
	}
	return group, nil
}

// insertFriendship stores the friendship of a and b in both directions,
// each row with the pair's chat group and the friend's username.
func insertFriendship(ctx context.Context, tx *sql.Tx, a, b, group string, now int64) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO friendship (profile_id, friend_id, created_at, chat_group_id, friend_username)
		VALUES (?1, ?2, ?3, ?4, (SELECT username FROM profile WHERE id = ?2)),
		       (?2, ?1, ?3, ?4, (SELECT username FROM profile WHERE id = ?1))`,
		a, b, now, group)
	return err
}

// activatePrivateGroup reactivates the private group of a and b, or creates
// it with both as members, and returns its id.
func (db *DB) activatePrivateGroup(ctx context.Context, tx *sql.Tx, a, b string, now int64) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, `UPDATE chat_group SET active = 1 WHERE pair_key = ? RETURNING id`, pairKey(a, b)).Scan(&id)
	if err == nil {
		// Its messages count as unread again where they were.
		return id, db.syncUnread(ctx, tx, id)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	id = bunnybook.NewID()
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO chat_group (id, private, active, pair_key, last_seq, created_at) VALUES (?, 1, 1, ?, 0, ?)`,
		id, pairKey(a, b), now); err != nil {
		return "", err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO chat_member (chat_group_id, profile_id) VALUES (?1, ?2), (?1, ?3)`, id, a, b)
	return id, err
}

// Unfriend ends the friendship of a and b and deactivates their private
// chat group, returning its id ("" if none).
func (db *DB) Unfriend(ctx context.Context, a, b string) (string, error) {
	var group string
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			DELETE FROM friendship WHERE (profile_id = ?1 AND friend_id = ?2) OR (profile_id = ?2 AND friend_id = ?1)`, a, b)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return bunnybook.ErrUnexpectedRelationship()
		}
		if err := appendGraphEvent(ctx, tx, bunnybook.GraphEvent{Kind: bunnybook.GraphFriendshipDeleted, A: a, B: b}); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `UPDATE chat_group SET active = 0 WHERE pair_key = ? RETURNING id`, pairKey(a, b)).Scan(&group)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		return db.syncUnread(ctx, tx, group) // an inactive group is nobody's unread conversation
	})
	if err != nil {
		return "", fmt.Errorf("unfriend: %w", err)
	}
	return group, nil
}

// Friends returns a page of the profile's friends by username.
func (db *DB) Friends(ctx context.Context, id string, page bunnybook.NamePage) ([]bunnybook.Profile, error) {
	rows, err := db.query(ctx, `
		SELECT friend_id, friend_username FROM friendship
		WHERE profile_id = ? AND friend_username > ?
		ORDER BY friend_username LIMIT ?`, id, page.After, limit(page.Limit))
	if err != nil {
		return nil, fmt.Errorf("friends: %w", translate(err))
	}
	return scanProfiles(rows)
}

// FriendRequests returns a page, by username, of the profiles who sent id
// a request (incoming) or whom id sent one (outgoing).
func (db *DB) FriendRequests(ctx context.Context, id string, incoming bool, page bunnybook.NamePage) ([]bunnybook.Profile, error) {
	query := `
		SELECT p.id, p.username FROM friend_request r JOIN profile p ON p.id = r.to_id
		WHERE r.from_id = ? AND p.username > ?
		ORDER BY p.username LIMIT ?`
	if incoming {
		query = `
		SELECT p.id, p.username FROM friend_request r JOIN profile p ON p.id = r.from_id
		WHERE r.to_id = ? AND p.username > ?
		ORDER BY p.username LIMIT ?`
	}
	rows, err := db.query(ctx, query, id, page.After, limit(page.Limit))
	if err != nil {
		return nil, fmt.Errorf("friend requests: %w", translate(err))
	}
	return scanProfiles(rows)
}

// MutualFriends returns a page, by username, of the friends a and b share.
func (db *DB) MutualFriends(ctx context.Context, a, b string, page bunnybook.NamePage) ([]bunnybook.Profile, error) {
	rows, err := db.query(ctx, `
		SELECT fa.friend_id, fa.friend_username
		FROM friendship fa
		JOIN friendship fb ON fb.profile_id = ?2 AND fb.friend_id = fa.friend_id
		WHERE fa.profile_id = ?1 AND fa.friend_username > ?3
		ORDER BY fa.friend_username LIMIT ?4`, a, b, page.After, limit(page.Limit))
	if err != nil {
		return nil, fmt.Errorf("mutual friends: %w", translate(err))
	}
	return scanProfiles(rows)
}

// Suggestions returns friends of id's friends who are not id, not its
// friends and have no pending request with it, ranked by mutual friends
// (descending) then username, after the page's cursor.
func (db *DB) Suggestions(ctx context.Context, id string, page bunnybook.SuggestionPage) ([]bunnybook.Suggestion, error) {
	rows, err := db.query(ctx, `
		SELECT p.id, p.username, c.mutual
		FROM (
			SELECT f2.friend_id AS id, count(*) AS mutual
			FROM friendship f1 JOIN friendship f2 ON f2.profile_id = f1.friend_id
			WHERE f1.profile_id = ?1 AND f2.friend_id <> ?1
			GROUP BY f2.friend_id
		) c
		JOIN profile p ON p.id = c.id
		WHERE NOT EXISTS (SELECT 1 FROM friendship x WHERE x.profile_id = ?1 AND x.friend_id = c.id)
		  AND NOT EXISTS (SELECT 1 FROM friend_request r WHERE r.from_id = ?1 AND r.to_id = c.id)
		  AND NOT EXISTS (SELECT 1 FROM friend_request r WHERE r.from_id = c.id AND r.to_id = ?1)
		  AND (?2 = '' OR c.mutual < ?3 OR (c.mutual = ?3 AND p.username > ?2))
		ORDER BY c.mutual DESC, p.username
		LIMIT ?4`, id, page.AfterName, page.AfterCount, limit(page.Limit))
	if err != nil {
		return nil, fmt.Errorf("suggestions: %w", translate(err))
	}
	defer rows.Close()
	out := []bunnybook.Suggestion{}
	for rows.Next() {
		var s bunnybook.Suggestion
		if err := rows.Scan(&s.ID, &s.Username, &s.MutualFriendsCount); err != nil {
			return nil, fmt.Errorf("suggestions: %w", translate(err))
		}
		out = append(out, s)
	}
	return out, translate(rows.Err())
}

// FriendsAmong returns those of candidates who are friends of id, in the
// candidates' order.
func (db *DB) FriendsAmong(ctx context.Context, id string, candidates []string) ([]string, error) {
	list, err := json.Marshal(candidates)
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `
		SELECT friend_id FROM friendship
		WHERE profile_id = ? AND friend_id IN (SELECT value FROM json_each(?))`, id, string(list))
	if err != nil {
		return nil, fmt.Errorf("friends among: %w", translate(err))
	}
	friends, err := scanStrings(rows)
	if err != nil {
		return nil, fmt.Errorf("friends among: %w", err)
	}
	return bunnybook.KeepOrder(candidates, friends), nil
}

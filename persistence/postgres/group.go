package postgres

import (
	"context"
	"errors"

	"github.com/bunnybook/bunnybook"
	"github.com/jackc/pgx/v5"
)

// CreateGroupChat stores a group chat and its members, checking in the
// transaction that every other member is the creator's friend.
func (db *DB) CreateGroupChat(ctx context.Context, g *bunnybook.GroupChat) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		for _, m := range g.Members {
			if m.ProfileID == g.CreatedBy {
				continue
			}
			if err := mustBeFriends(ctx, tx, g.CreatedBy, m.ProfileID); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO chat_group (id, private, active, last_seq, created_at, name, created_by)
			VALUES ($1, false, true, 0, $2, $3, $4)`, g.ID, g.CreatedAt.Time, g.Name, g.CreatedBy); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO chat_member (chat_group_id, profile_id, private) SELECT $1, unnest($2::uuid[]), false`, g.ID, g.MemberIDs()); err != nil {
			return err
		}
		stored, err := loadGroupChat(ctx, tx, g.ID, false)
		if err == nil {
			*g = *stored
		}
		return err
	})
	return fail("create group chat", err)
}

// mustBeFriends returns EForbidden unless b is a's friend (ENotFound if b
// is no profile).
func mustBeFriends(ctx context.Context, tx pgx.Tx, a, b string) error {
	var friends, exists bool
	err := tx.QueryRow(ctx, `
		SELECT EXISTS (SELECT FROM friendship WHERE profile_id = $1 AND friend_id = $2),
		       EXISTS (SELECT FROM profile WHERE id = $2)`, a, b).Scan(&friends, &exists)
	switch {
	case err != nil:
		return err
	case !exists:
		return bunnybook.Errorf(bunnybook.ENotFound, "no profile %s", b)
	case !friends:
		return bunnybook.Errorf(bunnybook.EForbidden, "profile %s is not your friend: you may add only your friends", b)
	}
	return nil
}

// GroupChat returns a group chat with its members by username.
func (db *DB) GroupChat(ctx context.Context, id string) (*bunnybook.GroupChat, error) {
	g, err := loadGroupChat(ctx, db.pool, id, false)
	return g, fail("group chat "+id, err)
}

// queryer is what reading a group chat needs: the pool or a transaction.
type queryer interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// loadGroupChat reads a group chat (with lock, locking its row until the
// commit); ENotFound for private chats too.
func loadGroupChat(ctx context.Context, q queryer, id string, lock bool) (*bunnybook.GroupChat, error) {
	query := `
		SELECT g.name, coalesce(g.created_by::text, ''), g.created_at,
		       array(SELECT p.id::text FROM chat_member m JOIN profile p ON p.id = m.profile_id
		             WHERE m.chat_group_id = g.id ORDER BY p.username),
		       array(SELECT p.username FROM chat_member m JOIN profile p ON p.id = m.profile_id
		             WHERE m.chat_group_id = g.id ORDER BY p.username)
		FROM chat_group g WHERE g.id = $1 AND NOT g.private`
	if lock {
		query += ` FOR NO KEY UPDATE`
	}
	g := bunnybook.GroupChat{ID: id}
	var ids, names []string
	err := q.QueryRow(ctx, query, id).Scan(&g.Name, &g.CreatedBy, timeDst{&g.CreatedAt}, &ids, &names)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, bunnybook.Errorf(bunnybook.ENotFound, "no such group chat")
	}
	if err != nil {
		return nil, err
	}
	g.Members = make([]bunnybook.GroupMember, len(ids))
	for i := range ids {
		g.Members[i] = bunnybook.GroupMember{ProfileID: ids[i], Username: names[i]}
	}
	return &g, nil
}

// changeGroup runs change on a group chat that by is a member of, in one
// transaction that locks the group's row first (as appends do), and
// returns the group as it is afterwards.
func (db *DB) changeGroup(ctx context.Context, op, id, by string, change func(tx pgx.Tx, g *bunnybook.GroupChat) error) (*bunnybook.GroupChat, error) {
	var out *bunnybook.GroupChat
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		g, err := loadGroupChat(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := g.MayChange(by); err != nil {
			return err
		}
		if err := change(tx, g); err != nil {
			return err
		}
		out, err = loadGroupChat(ctx, tx, id, false)
		return err
	})
	return out, fail(op, err)
}

// RenameGroupChat renames a group chat; by must be a member.
func (db *DB) RenameGroupChat(ctx context.Context, id, by, name string) (*bunnybook.GroupChat, error) {
	return db.changeGroup(ctx, "rename group chat", id, by, func(tx pgx.Tx, _ *bunnybook.GroupChat) error {
		_, err := tx.Exec(ctx, `UPDATE chat_group SET name = $2 WHERE id = $1`, id, name)
		return err
	})
}

// AddGroupMember adds by's friend profileID to a group chat by is a member
// of; their read pointer starts at the newest message.
func (db *DB) AddGroupMember(ctx context.Context, id, by, profileID string) (*bunnybook.GroupChat, error) {
	return db.changeGroup(ctx, "add group member", id, by, func(tx pgx.Tx, g *bunnybook.GroupChat) error {
		if err := g.MayAdd(profileID); err != nil {
			return err
		}
		if err := mustBeFriends(ctx, tx, by, profileID); err != nil {
			return err
		}
		var b pgx.Batch
		b.Queue(`INSERT INTO chat_member (chat_group_id, profile_id, private) VALUES ($1, $2, false)`, id, profileID)
		b.Queue(`DELETE FROM chat_former_member WHERE chat_group_id = $1 AND profile_id = $2`, id, profileID)
		b.Queue(`DELETE FROM chat_unread WHERE chat_group_id = $1 AND profile_id = $2`, id, profileID)
		b.Queue(`
			INSERT INTO chat_read (profile_id, chat_group_id, seq, read_at)
			SELECT $2, id, last_seq, now() FROM chat_group WHERE id = $1
			ON CONFLICT (profile_id, chat_group_id) DO UPDATE SET seq = excluded.seq, read_at = excluded.read_at
			WHERE chat_read.seq < excluded.seq`, id, profileID)
		return tx.SendBatch(ctx, &b).Close()
	})
}

// RemoveGroupMember takes profileID out of a group chat (by leaving, or its
// creator removing them), keeping the seq they may read up to.
func (db *DB) RemoveGroupMember(ctx context.Context, id, by, profileID string) (*bunnybook.GroupChat, error) {
	return db.changeGroup(ctx, "remove group member", id, by, func(tx pgx.Tx, g *bunnybook.GroupChat) error {
		if err := g.MayRemove(by, profileID); err != nil {
			return err
		}
		var b pgx.Batch
		b.Queue(`DELETE FROM chat_member WHERE chat_group_id = $1 AND profile_id = $2`, id, profileID)
		b.Queue(`DELETE FROM chat_unread WHERE chat_group_id = $1 AND profile_id = $2`, id, profileID)
		b.Queue(`
			INSERT INTO chat_former_member (chat_group_id, profile_id, left_seq)
			SELECT id, $2, last_seq FROM chat_group WHERE id = $1
			ON CONFLICT (chat_group_id, profile_id) DO UPDATE SET left_seq = excluded.left_seq`, id, profileID)
		return tx.SendBatch(ctx, &b).Close()
	})
}

// GroupChats returns the profile's group chats, by name.
func (db *DB) GroupChats(ctx context.Context, profileID string) ([]bunnybook.GroupChatInfo, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT g.id::text, g.name,
		       array(SELECT o.profile_id::text FROM chat_member o WHERE o.chat_group_id = g.id ORDER BY o.profile_id)
		FROM chat_member m JOIN chat_group g ON g.id = m.chat_group_id
		WHERE m.profile_id = $1 AND NOT m.private
		ORDER BY g.name, g.id`, profileID)
	if err != nil {
		return nil, fail("group chats", err)
	}
	chats, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (bunnybook.GroupChatInfo, error) {
		var c bunnybook.GroupChatInfo
		err := r.Scan(&c.ChatGroupID, &c.Name, &c.MemberIDs)
		return c, err
	})
	return chats, fail("group chats", err)
}

// FormerMemberSeq returns the seq up to which a former member may read.
func (db *DB) FormerMemberSeq(ctx context.Context, groupID, profileID string) (int64, error) {
	var seq int64
	err := db.pool.QueryRow(ctx, `
		SELECT left_seq FROM chat_former_member WHERE chat_group_id = $1 AND profile_id = $2`, groupID, profileID).Scan(&seq)
	return seq, fail("former member seq", err)
}

// ChatMessagesUpTo returns a page of a group's messages with seq ≤ maxSeq,
// newest first.
func (db *DB) ChatMessagesUpTo(ctx context.Context, groupID string, maxSeq int64, page bunnybook.TimePage) ([]bunnybook.ChatMessage, error) {
	before, beforeID := keyset(page)
	rows, err := db.pool.Query(ctx, `
		SELECT `+messageColumns+` FROM chat_message
		WHERE chat_group_id = $1 AND seq <= $5 AND (created_at, id) < ($2, $3)
		ORDER BY created_at DESC, id DESC
		LIMIT $4`, groupID, before, beforeID, limit(page.Limit), maxSeq)
	if err != nil {
		return nil, fail("chat messages", err)
	}
	msgs, err := pgx.CollectRows(rows, scanMessage)
	return msgs, fail("chat messages", err)
}

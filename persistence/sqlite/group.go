package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/bunnybook/bunnybook"
)

// querier is what reading a group chat needs: the read pool or a write
// transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// CreateGroupChat stores a group chat and its members, checking in the
// transaction that every other member is the creator's friend.
func (db *DB) CreateGroupChat(ctx context.Context, g *bunnybook.GroupChat) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		for _, m := range g.Members {
			if m.ProfileID == g.CreatedBy {
				continue
			}
			if err := mustBeFriends(ctx, tx, g.CreatedBy, m.ProfileID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO chat_group (id, private, active, last_seq, created_at, name, created_by)
			VALUES (?, 0, 1, 0, ?, ?, ?)`, g.ID, millis(g.CreatedAt), g.Name, g.CreatedBy); err != nil {
			return err
		}
		for _, m := range g.Members {
			if _, err := tx.ExecContext(ctx, `INSERT INTO chat_member (chat_group_id, profile_id, private) VALUES (?, ?, 0)`, g.ID, m.ProfileID); err != nil {
				return err
			}
		}
		stored, err := loadGroupChat(ctx, tx, g.ID)
		if err == nil {
			*g = *stored
		}
		return err
	})
	return wrapGroup("create group chat", err)
}

// mustBeFriends returns EForbidden unless b is a's friend (ENotFound if b
// is no profile).
func mustBeFriends(ctx context.Context, tx *sql.Tx, a, b string) error {
	var friends, exists bool
	err := tx.QueryRowContext(ctx, `
		SELECT EXISTS (SELECT 1 FROM friendship WHERE profile_id = ? AND friend_id = ?),
		       EXISTS (SELECT 1 FROM profile WHERE id = ?)`, a, b, b).Scan(&friends, &exists)
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
	g, err := loadGroupChat(ctx, db.read, id)
	return g, wrapGroup("group chat "+id, err)
}

// loadGroupChat reads a group chat; ENotFound for private chats too.
func loadGroupChat(ctx context.Context, q querier, id string) (*bunnybook.GroupChat, error) {
	g := bunnybook.GroupChat{ID: id}
	var created int64
	err := q.QueryRowContext(ctx, `
		SELECT name, coalesce(created_by, ''), created_at FROM chat_group WHERE id = ? AND private = 0`, id).
		Scan(&g.Name, &g.CreatedBy, &created)
	if err == sql.ErrNoRows {
		return nil, bunnybook.Errorf(bunnybook.ENotFound, "no such group chat")
	}
	if err != nil {
		return nil, err
	}
	g.CreatedAt = bunnybook.UnixMilli(created)
	rows, err := q.QueryContext(ctx, `
		SELECT p.id, p.username FROM chat_member m JOIN profile p ON p.id = m.profile_id
		WHERE m.chat_group_id = ? ORDER BY p.username`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	g.Members = []bunnybook.GroupMember{}
	for rows.Next() {
		var m bunnybook.GroupMember
		if err := rows.Scan(&m.ProfileID, &m.Username); err != nil {
			return nil, err
		}
		g.Members = append(g.Members, m)
	}
	return &g, rows.Err()
}

// changeGroup runs change on a group chat that by is a member of, in one
// transaction, and returns the group as it is afterwards. SQLite's one
// writer keeps what change checks true until the commit.
func (db *DB) changeGroup(ctx context.Context, op, id, by string, change func(tx *sql.Tx, g *bunnybook.GroupChat) error) (*bunnybook.GroupChat, error) {
	var out *bunnybook.GroupChat
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		g, err := loadGroupChat(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := g.MayChange(by); err != nil {
			return err
		}
		if err := change(tx, g); err != nil {
			return err
		}
		out, err = loadGroupChat(ctx, tx, id)
		return err
	})
	return out, wrapGroup(op, err)
}

// RenameGroupChat renames a group chat; by must be a member.
func (db *DB) RenameGroupChat(ctx context.Context, id, by, name string) (*bunnybook.GroupChat, error) {
	return db.changeGroup(ctx, "rename group chat", id, by, func(tx *sql.Tx, _ *bunnybook.GroupChat) error {
		_, err := tx.ExecContext(ctx, `UPDATE chat_group SET name = ? WHERE id = ?`, name, id)
		return err
	})
}

// AddGroupMember adds by's friend profileID to a group chat by is a member
// of; their read pointer starts at the newest message.
func (db *DB) AddGroupMember(ctx context.Context, id, by, profileID string) (*bunnybook.GroupChat, error) {
	return db.changeGroup(ctx, "add group member", id, by, func(tx *sql.Tx, g *bunnybook.GroupChat) error {
		if err := g.MayAdd(profileID); err != nil {
			return err
		}
		if err := mustBeFriends(ctx, tx, by, profileID); err != nil {
			return err
		}
		for _, q := range []string{
			`INSERT INTO chat_member (chat_group_id, profile_id, private) VALUES (?1, ?2, 0)`,
			`DELETE FROM chat_former_member WHERE chat_group_id = ?1 AND profile_id = ?2`,
			`DELETE FROM chat_unread WHERE chat_group_id = ?1 AND profile_id = ?2`,
			`INSERT INTO chat_read (profile_id, chat_group_id, seq, read_at)
			 SELECT ?2, id, last_seq, ?3 FROM chat_group WHERE id = ?1
			 ON CONFLICT (profile_id, chat_group_id) DO UPDATE SET seq = excluded.seq, read_at = excluded.read_at
			 WHERE excluded.seq > chat_read.seq`,
		} {
			if _, err := tx.ExecContext(ctx, q, id, profileID, millis(bunnybook.Now())); err != nil {
				return err
			}
		}
		return nil
	})
}

// RemoveGroupMember takes profileID out of a group chat (by leaving, or its
// creator removing them), keeping the seq they may read up to.
func (db *DB) RemoveGroupMember(ctx context.Context, id, by, profileID string) (*bunnybook.GroupChat, error) {
	return db.changeGroup(ctx, "remove group member", id, by, func(tx *sql.Tx, g *bunnybook.GroupChat) error {
		if err := g.MayRemove(by, profileID); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM chat_member WHERE chat_group_id = ?1 AND profile_id = ?2`,
			`DELETE FROM chat_unread WHERE chat_group_id = ?1 AND profile_id = ?2`,
			`INSERT INTO chat_former_member (chat_group_id, profile_id, left_seq)
			 SELECT id, ?2, last_seq FROM chat_group WHERE id = ?1
			 ON CONFLICT (chat_group_id, profile_id) DO UPDATE SET left_seq = excluded.left_seq`,
		} {
			if _, err := tx.ExecContext(ctx, q, id, profileID); err != nil {
				return err
			}
		}
		return nil
	})
}

// GroupChats returns the profile's group chats, by name: one range of
// chat_member's profile index, and each group's members by its key.
func (db *DB) GroupChats(ctx context.Context, profileID string) ([]bunnybook.GroupChatInfo, error) {
	rows, err := db.query(ctx, `
		SELECT g.id, g.name, (SELECT group_concat(o.profile_id, ',') FROM chat_member o WHERE o.chat_group_id = g.id)
		FROM chat_member m JOIN chat_group g ON g.id = m.chat_group_id
		WHERE m.profile_id = ? AND m.private = 0
		ORDER BY g.name, g.id`, profileID)
	if err != nil {
		return nil, wrapGroup("group chats", err)
	}
	defer rows.Close()
	out := []bunnybook.GroupChatInfo{}
	for rows.Next() {
		var c bunnybook.GroupChatInfo
		var members string
		if err := rows.Scan(&c.ChatGroupID, &c.Name, &members); err != nil {
			return nil, wrapGroup("group chats", err)
		}
		c.MemberIDs = strings.Split(members, ",")
		out = append(out, c)
	}
	return out, wrapGroup("group chats", rows.Err())
}

// FormerMemberSeq returns the seq up to which a former member may read.
func (db *DB) FormerMemberSeq(ctx context.Context, groupID, profileID string) (int64, error) {
	var seq int64
	err := db.queryRow(ctx, `
		SELECT left_seq FROM chat_former_member WHERE chat_group_id = ? AND profile_id = ?`, groupID, profileID).Scan(&seq)
	return seq, wrapGroup("former member seq", err)
}

// ChatMessagesUpTo returns a page of a group's messages with seq ≤ maxSeq,
// newest first.
func (db *DB) ChatMessagesUpTo(ctx context.Context, groupID string, maxSeq int64, page bunnybook.TimePage) ([]bunnybook.ChatMessage, error) {
	cond, args := keyset(page, "created_at", "id")
	ms, err := db.queryMessages(ctx, `
		SELECT `+messageColumns+` FROM chat_message
		WHERE chat_group_id = ? AND seq <= ?`+cond+`
		ORDER BY created_at DESC, id DESC LIMIT ?`,
		append(append([]any{groupID, maxSeq}, args...), limit(page.Limit))...)
	return ms, wrapGroup("chat messages", err)
}

func wrapGroup(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", op, translate(err))
}

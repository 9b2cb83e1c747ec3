package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"github.com/bunnybook/bunnybook"
)

// ChatGroup returns a group with its members (ordered by id), or ENotFound.
func (db *DB) ChatGroup(ctx context.Context, id string) (*bunnybook.ChatGroup, error) {
	g := bunnybook.ChatGroup{ID: id}
	var lastAt int64
	err := db.queryRow(ctx, `
		SELECT g.private, g.active, g.last_seq,
		       coalesce((SELECT m.created_at FROM chat_message m WHERE m.chat_group_id = g.id AND m.seq = g.last_seq), 0)
		FROM chat_group g WHERE g.id = ?`, id).
		Scan(&g.Private, &g.Active, &g.LastSeq, &lastAt)
	if err != nil {
		return nil, fmt.Errorf("chat group %s: %w", id, translate(err))
	}
	if lastAt != 0 {
		g.LastAt = bunnybook.UnixMilli(lastAt)
	}
	rows, err := db.query(ctx, `SELECT profile_id FROM chat_member WHERE chat_group_id = ? ORDER BY profile_id`, id)
	if err != nil {
		return nil, fmt.Errorf("chat group %s members: %w", id, translate(err))
	}
	if g.Members, err = scanStrings(rows); err != nil {
		return nil, fmt.Errorf("chat group %s members: %w", id, err)
	}
	return &g, nil
}

// PrivateChats returns the profile's active private chats, by the other
// member's username. A private group is active exactly while its pair are
// friends, so these are the profile's friendship rows, which carry the
// group and the friend's username: one range of the friendship key.
func (db *DB) PrivateChats(ctx context.Context, profileID string) ([]bunnybook.PrivateChat, error) {
	rows, err := db.query(ctx, `
		SELECT chat_group_id, friend_id, friend_username FROM friendship
		WHERE profile_id = ?
		ORDER BY friend_username`, profileID)
	if err != nil {
		return nil, fmt.Errorf("private chats: %w", translate(err))
	}
	defer rows.Close()
	out := []bunnybook.PrivateChat{}
	for rows.Next() {
		var c bunnybook.PrivateChat
		if err := rows.Scan(&c.ChatGroupID, &c.ProfileID, &c.Username); err != nil {
			return nil, fmt.Errorf("private chats: %w", translate(err))
		}
		out = append(out, c)
	}
	return out, translate(rows.Err())
}

const messageColumns = `id, seq, created_at, from_profile_id, chat_group_id, content, coalesce(client_id, '')`

// scanMessage reads one row of messageColumns.
func scanMessage(row interface{ Scan(...any) error }) (bunnybook.ChatMessage, error) {
	var m bunnybook.ChatMessage
	var created int64
	err := row.Scan(&m.ID, &m.Seq, &created, &m.FromProfileID, &m.ChatGroupID, &m.Content, &m.ClientID)
	m.CreatedAt = bunnybook.UnixMilli(created)
	return m, err
}

// queryMessages runs a query selecting messageColumns.
func (db *DB) queryMessages(ctx context.Context, query string, args ...any) ([]bunnybook.ChatMessage, error) {
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []bunnybook.ChatMessage{}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, m)
	}
	return out, translate(rows.Err())
}

// ChatMessages returns a page of a group's messages, newest first.
func (db *DB) ChatMessages(ctx context.Context, groupID string, page bunnybook.TimePage) ([]bunnybook.ChatMessage, error) {
	return db.ChatMessagesUpTo(ctx, groupID, math.MaxInt64, page)
}

// MessagesAfter returns up to n messages with seq > after, oldest first.
func (db *DB) MessagesAfter(ctx context.Context, groupID string, after int64, n int) ([]bunnybook.ChatMessage, error) {
	ms, err := db.queryMessages(ctx, `
		SELECT `+messageColumns+` FROM chat_message
		WHERE chat_group_id = ? AND seq > ? ORDER BY seq LIMIT ?`, groupID, after, limit(n))
	if err != nil {
		return nil, fmt.Errorf("messages after %d: %w", after, err)
	}
	return ms, nil
}

// MessageByClientID returns the message from sent with clientID in the
// group, or ENotFound.
func (db *DB) MessageByClientID(ctx context.Context, groupID, from, clientID string) (*bunnybook.ChatMessage, error) {
	m, err := scanMessage(db.queryRow(ctx, `
		SELECT `+messageColumns+` FROM chat_message
		WHERE chat_group_id = ? AND from_profile_id = ? AND client_id = ?`, groupID, from, clientID))
	if err != nil {
		return nil, fmt.Errorf("message by client id: %w", translate(err))
	}
	return &m, nil
}

// AppendMessages stores msgs in one transaction, advancing each group's
// last seq and each sender's read pointer. A duplicate seq or client id is
// EConflict, a group that is not active ErrChatClosed; either way nothing
// is stored.
func (db *DB) AppendMessages(ctx context.Context, msgs []bunnybook.ChatMessage) error {
	_, err := db.CommitChat(ctx, msgs, nil)
	return err
}

// CommitChat stores msgs as AppendMessages does, then applies marks in
// order as MarkChatRead does, in one transaction: the group commit of a
// node's chat writes.
func (db *DB) CommitChat(ctx context.Context, msgs []bunnybook.ChatMessage, marks []bunnybook.ReadMark) ([]bool, error) {
	if len(msgs) == 0 && len(marks) == 0 {
		return nil, nil
	}
	moved := make([]bool, len(marks))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.appendTx(ctx, tx, msgs); err != nil {
			return err
		}
		for i, m := range marks {
			var err error
			if moved[i], err = db.markTx(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("commit %d messages and %d read marks: %w", len(msgs), len(marks), err)
	}
	return moved, nil
}

// appendTx stores msgs in tx (see AppendMessages); none is nothing.
func (db *DB) appendTx(ctx context.Context, tx *sql.Tx, msgs []bunnybook.ChatMessage) error {
	runs, err := bunnybook.SeqRuns(msgs)
	if err != nil {
		return err
	}
	last := map[string]bunnybook.ChatMessage{}   // by group: its newest message
	own := map[[2]string]bunnybook.ChatMessage{} // by (group, sender): the sender's newest
	for _, m := range msgs {
		last[m.ChatGroupID] = m
		own[[2]string{m.ChatGroupID, m.FromProfileID}] = m
		if err := db.insertMessage(ctx, tx, m); err != nil {
			return err
		}
	}
	for _, m := range own { // each sender has read up to their own message
		if _, err := db.txExec(ctx, tx, moveRead, m.FromProfileID, m.ChatGroupID, m.Seq, millis(m.CreatedAt)); err != nil {
			return err
		}
	}
	for g, m := range last {
		if err := db.advanceSeq(ctx, tx, g, runs[g]); err != nil {
			return err
		}
		if err := db.unreadAfterAppend(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

// advanceSeq moves a group's last seq to the end of run, which must follow it.
func (db *DB) advanceSeq(ctx context.Context, tx *sql.Tx, group string, run bunnybook.SeqRun) error {
	res, err := db.txExec(ctx, tx, advanceSeq, run.Last, group, run.First-1)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	return bunnybook.ErrSeqGap(run.First)
}

// unreadAfterAppend adds a row to chat_unread for every member of
// last's group but its sender: nobody can have read a message just
// stored. The sender's own row is left as it is, although their pointer
// moved to their message, and UnreadConversations checks it. So a message
// writes no unread row at all when the others had not read the one
// before, as in a conversation going back and forth, instead of deleting
// one row and inserting another each time.
func (db *DB) unreadAfterAppend(ctx context.Context, tx *sql.Tx, last bunnybook.ChatMessage) error {
	_, err := db.txExec(ctx, tx, unreadForOthers, last.ChatGroupID, last.FromProfileID)
	return err
}

// whyNotStored returns the error of a message insertMessage did not store:
// its group does not exist or is not active, or its sender is not a
// member (one who left or was removed since the conversation accepted
// their message).
func (db *DB) whyNotStored(ctx context.Context, tx *sql.Tx, m bunnybook.ChatMessage) error {
	var active, member bool
	err := db.txQueryRow(ctx, tx, groupActiveMember, m.ChatGroupID, m.FromProfileID).Scan(&active, &member)
	switch {
	case err == sql.ErrNoRows:
		return bunnybook.Errorf(bunnybook.ENotFound, "no such chat group")
	case err != nil:
		return err
	case !active:
		return bunnybook.ErrChatClosed()
	case !member:
		return bunnybook.Errorf(bunnybook.EForbidden, "you are not a member of this conversation")
	}
	return fmt.Errorf("message %s not stored", m.ID)
}

// The statements of an append, prepared once (see preparedWrites).
// insertMessage stores a message only if its group is active and its
// sender a member, checked in the appending transaction (SQLite has one
// writer, so that holds until the commit): one statement per message.
const (
	groupActiveMember = `
		SELECT active, EXISTS (SELECT 1 FROM chat_member WHERE chat_group_id = ?1 AND profile_id = ?2)
		FROM chat_group WHERE id = ?1`
	insertMessage = `
		INSERT INTO chat_message (id, chat_group_id, seq, from_profile_id, content, client_id, created_at)
		SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
		WHERE EXISTS (SELECT 1 FROM chat_group WHERE id = ?2 AND active = 1)
		AND EXISTS (SELECT 1 FROM chat_member WHERE chat_group_id = ?2 AND profile_id = ?4)`
	advanceSeq = `UPDATE chat_group SET last_seq = ?1 WHERE id = ?2 AND last_seq = ?3`
	moveRead   = `
		INSERT INTO chat_read (profile_id, chat_group_id, seq, read_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (profile_id, chat_group_id) DO UPDATE SET seq = excluded.seq, read_at = excluded.read_at
		WHERE excluded.seq > chat_read.seq`
)

// insertMessage stores one message in tx (see the statement's comment).
func (db *DB) insertMessage(ctx context.Context, tx *sql.Tx, m bunnybook.ChatMessage) error {
	var clientID any
	if m.ClientID != "" {
		clientID = m.ClientID
	}
	res, err := db.txExec(ctx, tx, insertMessage, m.ID, m.ChatGroupID, m.Seq, m.FromProfileID, m.Content, clientID, millis(m.CreatedAt))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	return db.whyNotStored(ctx, tx, m)
}

// MarkChatRead moves the profile's read pointer in the group forward to
// seq and reports whether it moved.
func (db *DB) MarkChatRead(ctx context.Context, profileID, groupID string, seq int64, at bunnybook.Time) (bool, error) {
	moved, err := db.CommitChat(ctx, nil, []bunnybook.ReadMark{{ProfileID: profileID, ChatGroupID: groupID, Seq: seq, At: at}})
	if err != nil {
		return false, err
	}
	return moved[0], nil
}

// markTx moves a read pointer forward in tx and reports whether it moved.
// A mark of one who is not a member of the group (any more: they left or
// were removed while it waited for its round) is refused.
func (db *DB) markTx(ctx context.Context, tx *sql.Tx, m bunnybook.ReadMark) (bool, error) {
	res, err := db.txExec(ctx, tx, markRead, m.ProfileID, m.ChatGroupID, m.Seq, millis(m.At))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	if n == 0 {
		var member bool
		if err := db.txQueryRow(ctx, tx, isMember, m.ChatGroupID, m.ProfileID).Scan(&member); err != nil {
			return false, err
		}
		if !member {
			return false, bunnybook.Errorf(bunnybook.EForbidden, "you are not a member of this conversation")
		}
	}
	_, err = db.txExec(ctx, tx, unreadMarkRead, m.ProfileID, m.ChatGroupID, m.Seq)
	return n > 0, err
}

// A read mark's statements (see markTx), prepared once.
const (
	markRead = `
		INSERT INTO chat_read (profile_id, chat_group_id, seq, read_at)
		SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM chat_member WHERE chat_group_id = ?2 AND profile_id = ?1)
		ON CONFLICT (profile_id, chat_group_id) DO UPDATE SET seq = excluded.seq, read_at = excluded.read_at
		WHERE excluded.seq > chat_read.seq`
	isMember = `SELECT EXISTS (SELECT 1 FROM chat_member WHERE chat_group_id = ?1 AND profile_id = ?2)`
)

// unreadMembers selects (profile_id, chat_group_id) of the members of group
// ?1 who have not read it: it is active and its last message is after their
// read pointer. It is the definition of UnreadConversations.
//
// chat_unread holds a row for each unread (member, group) and maybe more:
// those of groups its member read since by sending to them (see
// unreadAfterAppend), or that were closed. UnreadConversations checks its
// rows against this definition, one row at a time.
const unreadMembers = `
	SELECT m.profile_id, m.chat_group_id FROM chat_member m
	JOIN chat_group g ON g.id = m.chat_group_id AND g.active = 1 AND g.last_seq > 0
	LEFT JOIN chat_read r ON r.profile_id = m.profile_id AND r.chat_group_id = m.chat_group_id
	WHERE m.chat_group_id = ?1 AND coalesce(r.seq, 0) < g.last_seq`

// The statements that keep chat_unread. unreadDelete and unreadInsert make
// it hold exactly the unread members of group ?1 (see syncUnread).
// unreadMarkRead follows profile ?1's pointer in group ?2 moving to seq ?3:
// a read pointer only moves forward, so marking can only make the group
// read, which it is once the pointer reaches the last message.
const (
	unreadDelete = `
		DELETE FROM chat_unread
		WHERE chat_group_id = ?1 AND (profile_id, chat_group_id) NOT IN (` + unreadMembers + `)`
	unreadInsert = `
		INSERT INTO chat_unread (profile_id, chat_group_id)` + unreadMembers + `
		ON CONFLICT DO NOTHING`
	unreadMarkRead = `
		DELETE FROM chat_unread WHERE profile_id = ?1 AND chat_group_id = ?2
		AND ?3 >= (SELECT last_seq FROM chat_group WHERE id = ?2)`
	unreadForOthers = `
		INSERT INTO chat_unread (profile_id, chat_group_id)
		SELECT profile_id, chat_group_id FROM chat_member WHERE chat_group_id = ?1 AND profile_id <> ?2
		ON CONFLICT DO NOTHING`
)

// syncUnread makes chat_unread hold exactly the group's unread members.
// The writes that may change them otherwise than an append does (the
// group's activation) call it in their transaction; a group has two
// members, so it is a few look-ups.
func (db *DB) syncUnread(ctx context.Context, tx *sql.Tx, group string) error {
	if _, err := db.txExec(ctx, tx, unreadDelete, group); err != nil {
		return err
	}
	_, err := db.txExec(ctx, tx, unreadInsert, group)
	return err
}

// Conversations returns a page of the profile's active conversations by
// their latest message, newest first (a group chat without messages by
// its creation time). The cursor's id is the chat group id (a
// conversation's only id). The unread count is the distance from the read
// pointer to the last seq, since a group's seqs have no holes. The page is
// chosen first, so that the look-ups of names and members' read pointers
// are made for its items only (SQLite would compute them for every
// conversation before sorting).
func (db *DB) Conversations(ctx context.Context, profileID string, page bunnybook.TimePage) ([]bunnybook.Conversation, error) {
	cond, args := keyset(page, "coalesce(msg.created_at, g.created_at)", "g.id")
	rows, err := db.query(ctx, `
		WITH page AS (
			SELECT g.id, g.private, g.name, g.last_seq, m.profile_id AS me, msg.from_profile_id, msg.content,
			       coalesce(msg.created_at, g.created_at) AS at, r.seq AS read_seq, r.read_at
			FROM chat_member m
			JOIN chat_group g ON g.id = m.chat_group_id AND g.active = 1 AND (g.last_seq > 0 OR g.private = 0)
			LEFT JOIN chat_message msg ON msg.chat_group_id = g.id AND msg.seq = g.last_seq
			LEFT JOIN chat_read r ON r.profile_id = m.profile_id AND r.chat_group_id = g.id
			WHERE m.profile_id = ?`+cond+`
			ORDER BY at DESC, g.id DESC LIMIT ?
		)
		SELECT coalesce(p.from_profile_id, ''), coalesce(sender.username, ''), coalesce(p.content, ''), p.at, p.id,
		       CASE WHEN p.private = 1 THEN coalesce((
		           SELECT o.username FROM chat_member om JOIN profile o ON o.id = om.profile_id
		           WHERE om.chat_group_id = p.id AND om.profile_id <> p.me), '')
		       ELSE p.name END,
		       p.last_seq, CASE WHEN p.last_seq > 0 AND p.read_seq >= p.last_seq THEN p.read_at END,
		       p.private, max(0, p.last_seq - coalesce(p.read_seq, 0)),
		       (SELECT json_group_array(json_object('profileId', o.profile_id, 'seq', coalesce(oread.seq, 0)))
		        FROM chat_member o
		        LEFT JOIN chat_read oread ON oread.profile_id = o.profile_id AND oread.chat_group_id = o.chat_group_id
		        WHERE o.chat_group_id = p.id)
		FROM page p
		LEFT JOIN profile sender ON sender.id = p.from_profile_id
		ORDER BY p.at DESC, p.id DESC`,
		append(append([]any{profileID}, args...), limit(page.Limit))...)
	if err != nil {
		return nil, fmt.Errorf("conversations: %w", translate(err))
	}
	defer rows.Close()
	out := []bunnybook.Conversation{}
	for rows.Next() {
		var c bunnybook.Conversation
		var created int64
		var readAt sql.NullInt64
		var private bool
		var readSeqs string
		if err := rows.Scan(&c.FromProfileID, &c.FromProfileUsername, &c.Content, &created, &c.ChatGroupID,
			&c.ChatGroupName, &c.Seq, &readAt, &private, &c.UnreadCount, &readSeqs); err != nil {
			return nil, fmt.Errorf("conversations: %w", translate(err))
		}
		c.CreatedAt, c.ReadAt = bunnybook.UnixMilli(created), timePtr(readAt)
		c.Kind = bunnybook.ConversationKind(private)
		if c.ReadSeqs, err = bunnybook.ParseReadSeqs([]byte(readSeqs)); err != nil {
			return nil, fmt.Errorf("conversations: %w", err)
		}
		out = append(out, c)
	}
	return out, translate(rows.Err())
}

// UnreadConversations returns the ids of the profile's active groups whose
// latest message is after the profile's read pointer: those of its rows in
// chat_unread that still are (see unreadMembers).
func (db *DB) UnreadConversations(ctx context.Context, profileID string) ([]string, error) {
	rows, err := db.query(ctx, `
		SELECT u.chat_group_id FROM chat_unread u
		JOIN chat_group g ON g.id = u.chat_group_id AND g.active = 1
		LEFT JOIN chat_read r ON r.profile_id = u.profile_id AND r.chat_group_id = u.chat_group_id
		WHERE u.profile_id = ? AND coalesce(r.seq, 0) < g.last_seq
		ORDER BY u.chat_group_id`, profileID)
	if err != nil {
		return nil, fmt.Errorf("unread conversations: %w", translate(err))
	}
	return scanStrings(rows)
}

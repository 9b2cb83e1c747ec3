package postgres

import (
	"context"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/bunnybook/bunnybook"
	"github.com/jackc/pgx/v5"
)

// ChatGroup returns a group with its members (by id), or ENotFound.
func (db *DB) ChatGroup(ctx context.Context, id string) (*bunnybook.ChatGroup, error) {
	var g bunnybook.ChatGroup
	var lastAt *bunnybook.Time
	err := db.pool.QueryRow(ctx, `
		SELECT g.id, g.private, g.active, g.last_seq,
		       array(SELECT m.profile_id::text FROM chat_member m WHERE m.chat_group_id = g.id ORDER BY m.profile_id),
		       (SELECT m.created_at FROM chat_message m WHERE m.chat_group_id = g.id AND m.seq = g.last_seq)
		FROM chat_group g WHERE g.id = $1`, id).Scan(&g.ID, &g.Private, &g.Active, &g.LastSeq, &g.Members, nullTimeDst{&lastAt})
	if err != nil {
		return nil, fail("chat group "+id, err)
	}
	if lastAt != nil {
		g.LastAt = *lastAt
	}
	return &g, nil
}

// PrivateChats returns the profile's active private chats, by the other
// member's username. A private group is active exactly while its pair are
// friends, so these are the profile's friendship rows, which carry the
// group and the friend's username: one range of the friendship key.
func (db *DB) PrivateChats(ctx context.Context, profileID string) ([]bunnybook.PrivateChat, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT chat_group_id, friend_id, friend_username FROM friendship
		WHERE profile_id = $1
		ORDER BY friend_username`, profileID)
	if err != nil {
		return nil, fail("private chats", err)
	}
	chats, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (bunnybook.PrivateChat, error) {
		var c bunnybook.PrivateChat
		err := r.Scan(&c.ChatGroupID, &c.ProfileID, &c.Username)
		return c, err
	})
	return chats, fail("private chats", err)
}

const messageColumns = `id, seq, created_at, from_profile_id, chat_group_id, content, coalesce(client_id, '')`

func scanMessage(row pgx.CollectableRow) (bunnybook.ChatMessage, error) {
	var m bunnybook.ChatMessage
	err := row.Scan(&m.ID, &m.Seq, timeDst{&m.CreatedAt}, &m.FromProfileID, &m.ChatGroupID, &m.Content, &m.ClientID)
	return m, err
}

// ChatMessages returns a page of a group's messages, newest first.
func (db *DB) ChatMessages(ctx context.Context, groupID string, page bunnybook.TimePage) ([]bunnybook.ChatMessage, error) {
	return db.ChatMessagesUpTo(ctx, groupID, math.MaxInt64, page)
}

// MessagesAfter returns up to n messages with seq > after, oldest first.
func (db *DB) MessagesAfter(ctx context.Context, groupID string, after int64, n int) ([]bunnybook.ChatMessage, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT `+messageColumns+` FROM chat_message
		WHERE chat_group_id = $1 AND seq > $2
		ORDER BY seq LIMIT $3`, groupID, after, limit(n))
	if err != nil {
		return nil, fail("messages after", err)
	}
	msgs, err := pgx.CollectRows(rows, scanMessage)
	return msgs, fail("messages after", err)
}

// MessageByClientID returns the message from sent with clientID in the
// group, or ENotFound.
func (db *DB) MessageByClientID(ctx context.Context, groupID, from, clientID string) (*bunnybook.ChatMessage, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT `+messageColumns+` FROM chat_message
		WHERE chat_group_id = $1 AND from_profile_id = $2 AND client_id = $3`, groupID, from, clientID)
	if err != nil {
		return nil, fail("message by client id", err)
	}
	m, err := pgx.CollectExactlyOneRow(rows, scanMessage)
	if err != nil {
		return nil, fail("message by client id", err)
	}
	return &m, nil
}

// AppendMessages stores msgs, advances their groups' LastSeq and moves
// each sender's read pointer to their newest message, in one transaction
// and one round trip for the statements. A duplicate seq or client id
// violates a unique constraint: EConflict; a group that is not active is
// ErrChatClosed; either way the transaction stores nothing. An empty
// client id is stored as NULL, which never collides.
func (db *DB) AppendMessages(ctx context.Context, msgs []bunnybook.ChatMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	_, err := db.commitChat(ctx, msgs, nil)
	return fail("append messages", err)
}

// CommitChat stores msgs as AppendMessages does, then applies marks in
// order as MarkChatRead does, in one transaction and one round trip for
// the statements: the group commit of a node's chat writes.
func (db *DB) CommitChat(ctx context.Context, msgs []bunnybook.ChatMessage, marks []bunnybook.ReadMark) ([]bool, error) {
	if len(msgs) == 0 && len(marks) == 0 {
		return nil, nil
	}
	moved, err := db.commitChat(ctx, msgs, marks)
	return moved, fail("commit chat", err)
}

// MarkChatRead moves the profile's read pointer in the group forward to seq
// (never backward), records at and reports whether it moved.
func (db *DB) MarkChatRead(ctx context.Context, profileID, groupID string, seq int64, at bunnybook.Time) (bool, error) {
	moved, err := db.commitChat(ctx, nil, []bunnybook.ReadMark{{ProfileID: profileID, ChatGroupID: groupID, Seq: seq, At: at}})
	if err != nil {
		return false, fail("mark chat read", err)
	}
	return moved[0], nil
}

// commitChat queues the statements of msgs and marks in one batch after
// locking every group they touch (see lockActiveGroups) and runs it in a
// transaction.
func (db *DB) commitChat(ctx context.Context, msgs []bunnybook.ChatMessage, marks []bunnybook.ReadMark) ([]bool, error) {
	runs, err := bunnybook.SeqRuns(msgs)
	if err != nil {
		return nil, err
	}
	locked := slices.Collect(maps.Keys(runs))
	for _, m := range marks {
		locked = append(locked, m.ChatGroupID)
	}
	var b pgx.Batch
	b.Queue(lockActiveGroups, slices.Compact(slices.Sorted(slices.Values(locked))))
	if len(msgs) > 0 {
		queueAppend(&b, msgs)
	}
	for _, m := range marks {
		queueMark(&b, m)
	}
	moved := make([]bool, len(marks))
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		br := tx.SendBatch(ctx, &b)
		if err := readCommit(br, runs, len(msgs) > 0, moved); err != nil {
			br.Close()
			return err
		}
		return br.Close()
	})
	if err != nil {
		return nil, err
	}
	return moved, nil
}

// queueAppend queues the statements of an append after lockActiveGroups.
func queueAppend(b *pgx.Batch, msgs []bunnybook.ChatMessage) {
	var ids, groups, froms, contents, clients []string
	var seqs []int64
	var times []time.Time
	for _, m := range msgs {
		ids = append(ids, m.ID)
		groups = append(groups, m.ChatGroupID)
		seqs = append(seqs, m.Seq)
		froms = append(froms, m.FromProfileID)
		contents = append(contents, m.Content)
		clients = append(clients, m.ClientID)
		times = append(times, m.CreatedAt.Time)
	}
	b.Queue(strangers, groups, froms)
	b.Queue(`
		INSERT INTO chat_message (id, chat_group_id, seq, from_profile_id, content, client_id, created_at)
		SELECT id, g, seq, f, content, nullif(client, ''), t
		FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::uuid[], $5::text[], $6::text[], $7::timestamptz[])
		     AS m(id, g, seq, f, content, client, t)`,
		ids, groups, seqs, froms, contents, clients, times)
	b.Queue(`
		UPDATE chat_group g SET last_seq = greatest(g.last_seq, m.seq)
		FROM (SELECT g, max(seq) AS seq FROM unnest($1::uuid[], $2::bigint[]) AS m(g, seq) GROUP BY g) m
		WHERE g.id = m.g`, groups, seqs)
	b.Queue(`
		INSERT INTO chat_read (profile_id, chat_group_id, seq, read_at)
		SELECT DISTINCT ON (f, g) f, g, seq, t
		FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::timestamptz[]) AS m(f, g, seq, t)
		ORDER BY f, g, seq DESC
		ON CONFLICT (profile_id, chat_group_id) DO UPDATE SET seq = excluded.seq, read_at = excluded.read_at
		WHERE chat_read.seq < excluded.seq`, froms, groups, seqs, times)
	b.Queue(unreadAfterAppend, groups, froms, seqs)
}

// queueMark queues a read mark's two statements. The first moves the
// pointer if the profile is a member of the group (one who left or was
// removed while the mark waited is refused) and says whether it is and
// whether it moved. Its group is locked first (lockActiveGroups), as an
// append's update of last_seq locks it, so that the second sees the last
// seq of an append that committed meanwhile: without it, this mark could
// drop the unread row of a message it has not seen. A read pointer only
// moves forward, so marking can only make the group read: it is once the
// pointer reaches the last message.
func queueMark(b *pgx.Batch, m bunnybook.ReadMark) {
	b.Queue(`
		WITH member AS (
			SELECT EXISTS (SELECT 1 FROM chat_member WHERE chat_group_id = $2::uuid AND profile_id = $1::uuid) AS ok
		), moved AS (
			INSERT INTO chat_read (profile_id, chat_group_id, seq, read_at)
			SELECT $1::uuid, $2::uuid, $3::bigint, $4::timestamptz FROM member WHERE ok
			ON CONFLICT (profile_id, chat_group_id) DO UPDATE SET seq = excluded.seq, read_at = excluded.read_at
			WHERE chat_read.seq < excluded.seq
			RETURNING 1
		)
		SELECT ok, EXISTS (SELECT 1 FROM moved) FROM member`, m.ProfileID, m.ChatGroupID, m.Seq, m.At.Time)
	b.Queue(`
		DELETE FROM chat_unread WHERE profile_id = $1 AND chat_group_id = $2
		AND $3 >= (SELECT last_seq FROM chat_group WHERE id = $2)`, m.ProfileID, m.ChatGroupID, m.Seq)
}

// readCommit reads the answers of commitChat's batch up to the last mark:
// the locked groups (the messages' groups must be active), the strangers
// count and the append's statements when there are messages, then
// whether each mark moved.
func readCommit(br pgx.BatchResults, runs map[string]bunnybook.SeqRun, appending bool, moved []bool) error {
	if err := activeGroups(br, runs); err != nil {
		return err
	}
	if appending {
		var n int
		if err := br.QueryRow().Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return bunnybook.Errorf(bunnybook.EForbidden, "you are not a member of this conversation")
		}
		for range 4 {
			if _, err := br.Exec(); err != nil {
				return err
			}
		}
	}
	for i := range moved {
		var member bool
		if err := br.QueryRow().Scan(&member, &moved[i]); err != nil {
			return err
		}
		if !member { // they left or were removed while the mark waited
			return bunnybook.Errorf(bunnybook.EForbidden, "you are not a member of this conversation")
		}
		if _, err := br.Exec(); err != nil {
			return err
		}
	}
	return nil
}

// lockActiveGroups is the first statement of a commit: it locks the rows
// of the groups of its messages and read marks (as Unfriend's update
// does), so that the check that they are active holds until the commit and
// a mark sees the last seq of an append that committed meanwhile.
const lockActiveGroups = `SELECT id::text, active, last_seq FROM chat_group WHERE id = ANY($1::uuid[]) FOR NO KEY UPDATE`

// strangers counts the messages of an append whose sender is not a member
// of their group (one who left or was removed since the conversation
// accepted the message). It runs after lockActiveGroups, so a leave, which
// locks the group row too, cannot commit between this check and the append.
const strangers = `
	SELECT count(*) FROM unnest($1::uuid[], $2::uuid[]) AS m(g, f)
	WHERE NOT EXISTS (SELECT 1 FROM chat_member cm WHERE cm.chat_group_id = m.g AND cm.profile_id = m.f)`

// activeGroups reads the answer of lockActiveGroups: ENotFound unless every
// group of runs (the messages' groups) exists, ErrChatClosed unless every
// one is active, EConflict unless each run follows its group's last seq.
// The other locked groups, of read marks, may be closed (the conversation
// checks that); a missing one has no members, so its mark is refused
// (queueMark). (The statements queued after it run anyway, and are
// rolled back.)
func activeGroups(br pgx.BatchResults, runs map[string]bunnybook.SeqRun) error {
	rows, err := br.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	found := 0
	for rows.Next() {
		var id string
		var active bool
		var lastSeq int64
		if err := rows.Scan(&id, &active, &lastSeq); err != nil {
			return err
		}
		run, ok := runs[id]
		switch {
		case !ok:
			continue
		case !active:
			return bunnybook.ErrChatClosed()
		case run.First != lastSeq+1:
			return bunnybook.ErrSeqGap(run.First)
		}
		found++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if found < len(runs) {
		return bunnybook.Errorf(bunnybook.ENotFound, "no such chat group")
	}
	return nil
}

// unreadAfterAppend adds a row to chat_unread for every member of each
// group appended to but the sender of its newest message: nobody can have
// read a message just stored. The sender's own row is left as it is,
// although their pointer moved to their message, and UnreadConversations
// checks it: so a message writes no unread row at all when the others had
// not read the one before, as in a conversation going back and forth,
// instead of deleting one row and inserting another each time.
const unreadAfterAppend = `
	WITH newest AS (
		SELECT DISTINCT ON (g) g, f FROM unnest($1::uuid[], $2::uuid[], $3::bigint[]) AS m(g, f, seq)
		ORDER BY g, seq DESC
	)
	INSERT INTO chat_unread (profile_id, chat_group_id)
	SELECT m.profile_id, m.chat_group_id FROM chat_member m JOIN newest n ON m.chat_group_id = n.g AND m.profile_id <> n.f
	ON CONFLICT DO NOTHING`

// syncUnread makes chat_unread hold exactly the unread members of group
// $1: those of an active group whose last message is after their read
// pointer, the definition of UnreadConversations. The writes that change
// them otherwise than an append does (the group's activation) run it in
// their transaction after locking the group row; a group has two members, so it
// is a few look-ups. It takes one group, not an array, so that PostgreSQL
// keeps a generic plan instead of planning it at every run.
const syncUnread = `
	WITH unread AS (
		SELECT m.profile_id, m.chat_group_id FROM chat_member m
		JOIN chat_group g ON g.id = m.chat_group_id AND g.active AND g.last_seq > 0
		LEFT JOIN chat_read r ON r.profile_id = m.profile_id AND r.chat_group_id = m.chat_group_id
		WHERE m.chat_group_id = $1 AND coalesce(r.seq, 0) < g.last_seq
	), gone AS (
		DELETE FROM chat_unread u
		WHERE u.chat_group_id = $1
		  AND (u.profile_id, u.chat_group_id) NOT IN (SELECT profile_id, chat_group_id FROM unread)
	)
	INSERT INTO chat_unread (profile_id, chat_group_id) SELECT profile_id, chat_group_id FROM unread
	ON CONFLICT DO NOTHING`

// Conversations returns a page of the profile's active conversations by
// their latest message, newest first (a group chat without messages by its
// creation time). The latest message is found by the group's last_seq,
// through the (chat_group_id, seq) key. A Conversation carries no message
// id, so the page cursor's id (and the tie-break among messages of one
// millisecond) is the chat group id. The unread count is the distance from
// the read pointer to the last seq, since a group's seqs have no holes.
func (db *DB) Conversations(ctx context.Context, profileID string, page bunnybook.TimePage) ([]bunnybook.Conversation, error) {
	before, beforeID := keyset(page)
	rows, err := db.pool.Query(ctx, `
		SELECT coalesce(m.from_profile_id::text, ''), coalesce(sender.username, ''), coalesce(m.content, ''),
		       coalesce(m.created_at, g.created_at), g.id,
		       CASE WHEN g.private THEN coalesce(other.username, '') ELSE g.name END, g.last_seq,
		       CASE WHEN g.last_seq > 0 AND r.seq >= g.last_seq THEN r.read_at END,
		       g.private, greatest(0, g.last_seq - coalesce(r.seq, 0)),
		       (SELECT coalesce(json_agg(json_build_object('profileId', o.profile_id, 'seq', coalesce(oread.seq, 0))), '[]')
		        FROM chat_member o
		        LEFT JOIN chat_read oread ON oread.profile_id = o.profile_id AND oread.chat_group_id = o.chat_group_id
		        WHERE o.chat_group_id = g.id)::text
		FROM chat_member me
		JOIN chat_group g ON g.id = me.chat_group_id AND g.active AND (g.last_seq > 0 OR NOT g.private)
		LEFT JOIN chat_message m ON m.chat_group_id = g.id AND m.seq = g.last_seq
		LEFT JOIN profile sender ON sender.id = m.from_profile_id
		LEFT JOIN LATERAL (
			SELECT p.username FROM chat_member o JOIN profile p ON p.id = o.profile_id
			WHERE g.private AND o.chat_group_id = g.id AND o.profile_id <> me.profile_id
			ORDER BY p.username LIMIT 1
		) other ON true
		LEFT JOIN chat_read r ON r.profile_id = me.profile_id AND r.chat_group_id = g.id
		WHERE me.profile_id = $1 AND (coalesce(m.created_at, g.created_at), g.id) < ($2, $3)
		ORDER BY coalesce(m.created_at, g.created_at) DESC, g.id DESC
		LIMIT $4`, profileID, before, beforeID, limit(page.Limit))
	if err != nil {
		return nil, fail("conversations", err)
	}
	convs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (bunnybook.Conversation, error) {
		var c bunnybook.Conversation
		var private bool
		var readSeqs string
		err := r.Scan(&c.FromProfileID, &c.FromProfileUsername, &c.Content, timeDst{&c.CreatedAt},
			&c.ChatGroupID, &c.ChatGroupName, &c.Seq, nullTimeDst{&c.ReadAt}, &private, &c.UnreadCount, &readSeqs)
		if err != nil {
			return c, err
		}
		c.Kind = bunnybook.ConversationKind(private)
		c.ReadSeqs, err = bunnybook.ParseReadSeqs([]byte(readSeqs))
		return c, err
	})
	return convs, fail("conversations", err)
}

// UnreadConversations returns the ids of the profile's active groups whose
// latest message is after its read pointer: those of its rows in
// chat_unread that still are. chat_unread holds a row for each unread
// (member, group) and maybe more: those of groups its member read since by
// sending to them (see unreadAfterAppend), or that were closed.
func (db *DB) UnreadConversations(ctx context.Context, profileID string) ([]string, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT u.chat_group_id::text FROM chat_unread u
		JOIN chat_group g ON g.id = u.chat_group_id AND g.active
		LEFT JOIN chat_read r ON r.profile_id = u.profile_id AND r.chat_group_id = u.chat_group_id
		WHERE u.profile_id = $1 AND coalesce(r.seq, 0) < g.last_seq
		ORDER BY u.chat_group_id`, profileID)
	if err != nil {
		return nil, fail("unread conversations", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, fail("unread conversations", err)
}

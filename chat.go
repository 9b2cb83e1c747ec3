package bunnybook

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// ChatGroup is a conversation: a private chat (two members, created when
// they become friends, inactive while they are not) or a group chat
// (Private false, always active; see GroupChat).
type ChatGroup struct {
	ID      string
	Private bool
	Active  bool
	Members []string // profile ids
	LastSeq int64    // seq of the newest message, 0 when empty
	LastAt  Time     // when the newest message was created, zero when empty
}

// ChatMessage is one message of a conversation. Seq numbers a group's
// messages 1, 2, 3… in the order they were accepted.
type ChatMessage struct {
	ID            string `json:"id"`
	Seq           int64  `json:"seq"`
	CreatedAt     Time   `json:"createdAt"`
	FromProfileID string `json:"fromProfileId"`
	ChatGroupID   string `json:"chatGroupId"`
	Content       string `json:"content"`
	// ClientID is the sender's id for the message; resending the same one is
	// idempotent. Not shown to other members.
	ClientID string `json:"-"`
	// Reactions are set in history (always, {} when none); live frames
	// carry none (omitted): reactions come as frames of their own.
	Reactions Reactions `json:"reactions,omitzero"`
}

// PrivateChat is one of a profile's active private chats: the group and the
// other member (a friend).
type PrivateChat struct {
	ChatGroupID string `json:"chatGroupId"`
	ProfileID   string `json:"profileId"`
	Username    string `json:"username"`
}

// Conversation describes the latest message of a chat group, as seen by one member.
type Conversation struct {
	FromProfileID       string `json:"fromProfileId"`
	FromProfileUsername string `json:"fromProfileUsername"`
	Content             string `json:"content"`
	CreatedAt           Time   `json:"createdAt"`
	ChatGroupID         string `json:"chatGroupId"`
	ChatGroupName       string `json:"chatGroupName"` // the other member's username, or the group chat's name
	Seq                 int64  `json:"seq"`
	// ReadAt is when the member read this latest message, nil if unread.
	ReadAt *Time `json:"readAt"`
	// Kind is ConversationPrivate or ConversationGroup.
	Kind string `json:"kind"`
	// UnreadCount is how many messages are after the member's read pointer.
	UnreadCount int64 `json:"unreadCount"`
	// ReadSeqs are the members' read pointers (0 for none yet), by profile id.
	ReadSeqs []ReadSeq `json:"readSeqs"`
}

// Conversation kinds.
const (
	ConversationPrivate = "private"
	ConversationGroup   = "group"
)

// ReadSeq is how far one member has read a conversation: the seq of the
// newest message they read.
type ReadSeq struct {
	ProfileID string `json:"profileId"`
	Seq       int64  `json:"seq"`
}

// ReadMark is a member's read pointer moving forward to Seq in a chat
// group, at At (a chat.read).
type ReadMark struct {
	ProfileID   string
	ChatGroupID string
	Seq         int64
	At          Time
}

// SeqRun is the seqs a group's messages take in one append.
type SeqRun struct{ First, Last int64 }

// SeqRuns returns the run of seqs of each group's messages in msgs, or
// EConflict when a group's messages there do not number consecutively in
// order (the store then also checks that each run follows its group's last
// seq).
func SeqRuns(msgs []ChatMessage) (map[string]SeqRun, error) {
	runs := map[string]SeqRun{}
	for _, m := range msgs {
		r, ok := runs[m.ChatGroupID]
		switch {
		case !ok:
			r = SeqRun{m.Seq, m.Seq}
		case m.Seq == r.Last+1:
			r.Last = m.Seq
		default:
			return nil, Errorf(EConflict, "message seq %d does not follow %d", m.Seq, r.Last)
		}
		runs[m.ChatGroupID] = r
	}
	return runs, nil
}

// ChatStore keeps chat groups and messages.
type ChatStore interface {
	// ChatGroup returns a group with its members, or ENotFound.
	ChatGroup(ctx context.Context, id string) (*ChatGroup, error)
	// PrivateChats returns the profile's active private chats, by the other member's username.
	PrivateChats(ctx context.Context, profileID string) ([]PrivateChat, error)
	// ChatMessages returns a page of a group's messages, newest first.
	ChatMessages(ctx context.Context, groupID string, page TimePage) ([]ChatMessage, error)
	// MessagesAfter returns up to limit messages with seq > after, oldest first.
	MessagesAfter(ctx context.Context, groupID string, after int64, limit int) ([]ChatMessage, error)
	// MessageByClientID returns the message a sender sent with that client
	// id in that group, or ENotFound.
	MessageByClientID(ctx context.Context, groupID, from, clientID string) (*ChatMessage, error)
	// AppendMessages stores messages in one transaction. Each carries its
	// seq (assigned by the conversation's single writer): a group's
	// messages come in order and number on from the group's LastSeq, which
	// advances; each sender's read pointer moves to their message. A
	// duplicate seq or client id, or a seq that does not follow the one
	// before (a batch handed over after one that failed), is EConflict; a
	// group that is not active, or a sender who is not a member (both
	// checked in the same transaction), EForbidden; either way nothing is
	// stored.
	AppendMessages(ctx context.Context, msgs []ChatMessage) error
	// MarkChatRead moves the profile's read pointer in the group forward to
	// seq (never backward) and records at; moved reports whether it moved.
	MarkChatRead(ctx context.Context, profileID, groupID string, seq int64, at Time) (moved bool, err error)
	// CommitChat stores msgs as AppendMessages does and then applies marks
	// in order as MarkChatRead does, all in one transaction (one fsync on
	// SQLite): a mark sees the messages before it, so a mark of a seq
	// older than a message of the same call leaves the group unread.
	// moved[i] reports whether marks[i] moved its pointer (a later mark of
	// the same pointer sees the earlier ones). A mark of a profile that
	// is not a member of the group is EForbidden, as a message of one is:
	// the conversation checks before, but a member may leave while the
	// mark waits for the node's next commit. Any error stores nothing.
	CommitChat(ctx context.Context, msgs []ChatMessage, marks []ReadMark) (moved []bool, err error)
	// Conversations returns a page of the profile's active conversations
	// by their latest message, newest first: private chats that have
	// messages and group chats (one without messages by its creation time,
	// with empty message fields and seq 0).
	Conversations(ctx context.Context, profileID string, page TimePage) ([]Conversation, error)
	// UnreadConversations returns the ids of the profile's active groups whose
	// latest message is after the profile's read pointer.
	UnreadConversations(ctx context.Context, profileID string) ([]string, error)
}

// ConversationKind names the kind of a conversation.
func ConversationKind(private bool) string {
	if private {
		return ConversationPrivate
	}
	return ConversationGroup
}

// ParseReadSeqs decodes a JSON array of read pointers, as the stores
// aggregate them, sorted by profile id.
func ParseReadSeqs(b []byte) ([]ReadSeq, error) {
	out := []ReadSeq{}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("read seqs: %w", err)
	}
	slices.SortFunc(out, func(a, b ReadSeq) int { return strings.Compare(a.ProfileID, b.ProfileID) })
	return out, nil
}

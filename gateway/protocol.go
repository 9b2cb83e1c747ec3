package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/actors"
	"github.com/bunnybook/bunnybook/jsoncheck"
)

// Client frame types.
const (
	typeSend   = "chat.send"
	typeTyping = "chat.typing"
	typeRead   = "chat.read"
	typeResume = "resume"
	typeReact  = "chat.react"
	typePing   = "ping"
)

// Limits on what a client frame may carry.
const (
	maxClientIDLen = 64
	maxResumeChats = 200
)

// clientFrame is a decoded client → server frame. Which fields are set
// depends on Type; decodeFrame checks them.
type clientFrame struct {
	Type        string           `json:"type"`
	ID          json.RawMessage  `json:"id"` // the client's message id: a string or a number
	ChatGroupID string           `json:"chatGroupId"`
	Content     string           `json:"content"`
	Seq         int64            `json:"seq"`
	Chats       map[string]int64 `json:"chats"`
	MessageID   string           `json:"messageId"`
	Emoji       string           `json:"emoji"`

	clientID string // ID as text
}

// frameError is a protocol error to report in an error frame.
type frameError struct {
	id      string
	kind    string
	message string
}

func (e *frameError) Error() string { return e.kind + ": " + e.message }

// decodeFrame parses and validates one client frame: strict JSON (see
// jsoncheck: nothing after the object, no repeated names, valid UTF-8 and
// escapes), then the fields its type needs. Ids are lower-cased, as REST
// does, so any case of a UUID names the same conversation. Errors are
// *frameError, carrying the frame's id when it could be read.
func decodeFrame(b []byte) (*clientFrame, error) {
	if err := jsoncheck.Value(b); err != nil {
		return nil, &frameError{kind: bunnybook.EInvalid, message: "frame is not valid JSON: " + err.Error()}
	}
	var f clientFrame
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, &frameError{kind: bunnybook.EInvalid, message: "frame is not a JSON object of the protocol: " + jsonProblem(err)}
	}
	id, err := parseClientID(f.ID)
	if err != nil {
		return nil, &frameError{kind: bunnybook.EInvalid, message: err.Error()}
	}
	f.clientID = id
	invalid := func(format string, args ...any) error {
		return &frameError{id: id, kind: bunnybook.EInvalid, message: fmt.Sprintf(format, args...)}
	}
	switch f.Type {
	case typePing:
	case typeSend:
		if id == "" {
			return nil, invalid("chat.send needs an id")
		}
		if err := bunnybook.ValidateText("content", f.Content, bunnybook.ChatMessageMax, true); err != nil {
			return nil, invalid("content %s", bunnybook.AsError(err).Message)
		}
		fallthrough
	case typeTyping:
		if f.ChatGroupID, err = bunnybook.ParseID("chatGroupId", f.ChatGroupID); err != nil {
			return nil, invalid("chatGroupId must be a UUID")
		}
	case typeRead:
		if f.ChatGroupID, err = bunnybook.ParseID("chatGroupId", f.ChatGroupID); err != nil {
			return nil, invalid("chatGroupId must be a UUID")
		}
		if f.Seq < 1 {
			return nil, invalid("seq must be a positive integer")
		}
	case typeReact:
		if err := decodeReact(&f); err != nil {
			return nil, invalid("%s", err)
		}
	case typeResume:
		if len(f.Chats) > maxResumeChats {
			return nil, invalid("resume lists at most %d chats", maxResumeChats)
		}
		chats := make(map[string]int64, len(f.Chats))
		for gid, seq := range f.Chats {
			id, err := bunnybook.ParseID("chats", gid)
			if err != nil || seq < 0 {
				return nil, invalid("resume chats maps chat group ids to last seen seq (≥ 0)")
			}
			if _, dup := chats[id]; dup {
				return nil, invalid("resume names chat %s twice", id)
			}
			chats[id] = seq
		}
		f.Chats = chats
	case "":
		return nil, invalid("frame has no type")
	default:
		return nil, invalid("unknown frame type %q", f.Type)
	}
	return &f, nil
}

// parseClientID accepts a string or an integer id, as text.
func parseClientID(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return "", errors.New("id must be a string or a number")
		}
		if _, err := strconv.ParseInt(n.String(), 10, 64); err != nil {
			return "", errors.New("a numeric id must be an integer")
		}
		s = n.String()
	}
	if len(s) == 0 || len(s) > maxClientIDLen {
		return "", fmt.Errorf("id must be 1 to %d characters", maxClientIDLen)
	}
	return s, nil
}

func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return fmt.Sprintf("field %q must be %s", typeErr.Field, typeErr.Type)
	}
	return "malformed JSON"
}

// Server → client frames.

type errorFrame struct {
	Type    string `json:"type"` // "error"
	ID      string `json:"id,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func encodeError(id, kind, message string) []byte {
	return mustJSON(errorFrame{Type: "error", ID: id, Code: kind, Message: message})
}

type helloFrame struct {
	Type                     string                  `json:"type"` // "hello"
	ProfileID                string                  `json:"profileId"`
	PrivateChats             []bunnybook.PrivateChat `json:"privateChats"`
	GroupChats               []groupChat             `json:"groupChats"`
	OnlineFriends            []string                `json:"onlineFriends"`
	UnreadConversationIDs    []string                `json:"unreadConversationIds"`
	UnreadNotificationsCount int64                   `json:"unreadNotificationsCount"`
	ConnID                   string                  `json:"connId"`
}

type ackFrame struct {
	Type    string                `json:"type"` // "chat.ack"
	ID      string                `json:"id"`
	Message bunnybook.ChatMessage `json:"message"`
}

type chatMessageFrame struct {
	Type    string                `json:"type"` // "chat.message"
	Message bunnybook.ChatMessage `json:"message"`
}

type typingFrame struct {
	Type        string `json:"type"` // "chat.typing"
	ChatGroupID string `json:"chatGroupId"`
	ProfileID   string `json:"profileId"`
	Username    string `json:"username"`
}

type presenceFrame struct {
	Type      string `json:"type"` // "presence"
	ProfileID string `json:"profileId"`
	Online    bool   `json:"online"`
}

type notificationFrame struct {
	Type         string          `json:"type"` // "notification"
	Notification json.RawMessage `json:"notification"`
	UnreadCount  int64           `json:"unreadCount"`
}

type friendAddedFrame struct {
	Type        string `json:"type"` // "friend.added"
	ChatGroupID string `json:"chatGroupId"`
	ProfileID   string `json:"profileId"`
	Username    string `json:"username"`
}

type friendRemovedFrame struct {
	Type      string `json:"type"` // "friend.removed"
	ProfileID string `json:"profileId"`
}

// outPush is a grain's push made ready to write: its frame and, for a chat
// message, its group, seq and the connections that sent it (which got an
// ack instead). One is made per push and shared by the connections it is
// for. A chat.ack goes the same way (ack set), so that it too comes after
// the messages below it.
type outPush struct {
	frame   []byte
	gid     string
	seq     int64
	origins []string
	// prevAtMs (a message, Unix ms): when the one before it was created,
	// 0 when unknown (see pushLocked).
	prevAtMs int64
	ack      bool // a chat.ack: written even when its seq is known (a resend's)
	filled   bool // the gap below it was filled already (or could not be)

	forget string // a chat the profile left (group.removed): not to catch up on
}

// encodePush writes a grain's event as its frame; false for an event this
// gateway does not know (from a grain of a newer version).
func encodePush(p *actors.Push) (outPush, bool) {
	switch e := p.GetEvent().(type) {
	case *actors.Push_Message:
		m := e.Message.ToDomain()
		return outPush{frame: chatMessage(m), gid: m.ChatGroupID, seq: m.Seq, origins: p.GetOriginConns(), prevAtMs: p.GetPrevAtMs()}, true
	case *actors.Push_Typing:
		t := e.Typing
		return outPush{frame: mustJSON(typingFrame{"chat.typing", t.GetChatGroupId(), t.GetProfileId(), t.GetUsername()})}, true
	case *actors.Push_Presence:
		return outPush{frame: mustJSON(presenceFrame{"presence", e.Presence.GetProfileId(), e.Presence.GetOnline()})}, true
	case *actors.Push_Notification:
		n := e.Notification
		return outPush{frame: mustJSON(notificationFrame{"notification", n.GetNotification(), n.GetUnreadCount()})}, true
	case *actors.Push_FriendAdded:
		f := e.FriendAdded
		return outPush{frame: mustJSON(friendAddedFrame{"friend.added", f.GetChatGroupId(), f.GetProfileId(), f.GetUsername()})}, true
	case *actors.Push_FriendRemoved:
		return outPush{frame: mustJSON(friendRemovedFrame{"friend.removed", e.FriendRemoved.GetProfileId()})}, true
	case *actors.Push_Group:
		return encodeGroupEvent(e.Group)
	case *actors.Push_Reaction:
		r := e.Reaction
		return outPush{frame: mustJSON(reactionFrame{"chat.reaction", r.GetChatGroupId(), r.GetMessageId(), r.GetProfileId(), r.GetEmoji(), r.GetOn()})}, true
	case *actors.Push_Seen:
		s := e.Seen
		return outPush{frame: mustJSON(seenFrame{"chat.seen", s.GetChatGroupId(), s.GetProfileId(), s.GetSeq()})}, true
	}
	return outPush{}, false
}

// closeFor is the close code and reason for a grain's request to close.
func closeFor(r actors.CloseReason) (code int, reason string) {
	if r == actors.CloseReason_LOGGED_OUT {
		return CloseLoggedOut, "logged out"
	}
	return CloseInternal, "closed by the server"
}

var pongFrame = []byte(`{"type":"pong"}`)

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own frame types are encoded here
	}
	return b
}

package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/jsoncheck"
)

// Client frame types.
const (
	typeSend   = "chat.send"
	typeTyping = "chat.typing"
	typeRead   = "chat.read"
	typeResume = "resume"
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

type readFrame struct {
	Type        string `json:"type"` // "chat.read.ok"
	ChatGroupID string `json:"chatGroupId"`
	Seq         int64  `json:"seq"`
}

var pongFrame = []byte(`{"type":"pong"}`)

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own frame types are encoded here
	}
	return b
}

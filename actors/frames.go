package actors

import (
	"encoding/json"

	"github.com/bunnybook/bunnybook"
)

// Server → client frames that grains produce. The gateway writes them as
// they are; see docs/protocol.md.

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
	UnreadCount  int             `json:"unreadCount"`
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

// ChatMessageFrame encodes a chat.message frame.
func ChatMessageFrame(m bunnybook.ChatMessage) []byte {
	return encode(chatMessageFrame{Type: "chat.message", Message: m})
}

func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own frame types are encoded here
	}
	return b
}

// ToDomain converts a wire chat message to the domain type.
func (m *ChatMessage) ToDomain() bunnybook.ChatMessage {
	return bunnybook.ChatMessage{
		ID:            m.GetId(),
		Seq:           m.GetSeq(),
		CreatedAt:     bunnybook.UnixMilli(m.GetCreatedAtMs()),
		FromProfileID: m.GetFromProfileId(),
		ChatGroupID:   m.GetChatGroupId(),
		Content:       m.GetContent(),
	}
}

func chatMessageToWire(m bunnybook.ChatMessage) *ChatMessage {
	return &ChatMessage{
		Id:            m.ID,
		Seq:           m.Seq,
		CreatedAtMs:   m.CreatedAt.UnixMilli(),
		FromProfileId: m.FromProfileID,
		ChatGroupId:   m.ChatGroupID,
		Content:       m.Content,
	}
}

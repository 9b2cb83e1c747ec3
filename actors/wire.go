package actors

import (
	"github.com/bunnybook/bunnybook"
)

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

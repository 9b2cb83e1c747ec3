package bunnybook

import "context"

// Notifications returns a page of me's notifications.
func (s *Service) Notifications(ctx context.Context, me string, page TimePage) ([]Notification, error) {
	return s.Store.Notifications(ctx, me, page)
}

// MarkNotifications sets read and/or visited on me's notifications.
func (s *Service) MarkNotifications(ctx context.Context, me string, ids []string, read, visited *bool) ([]Notification, error) {
	if read == nil && visited == nil {
		return nil, Invalid("read", "give read, visited or both")
	}
	if len(ids) == 0 || len(ids) > 100 {
		return nil, Invalid("body", "must list 1 to 100 notification ids")
	}
	for i, id := range ids {
		var err error
		if ids[i], err = ParseID("body", id); err != nil {
			return nil, err
		}
	}
	return s.Store.MarkNotifications(ctx, me, distinct(ids), read, visited)
}

// Conversations returns a page of me's conversations.
func (s *Service) Conversations(ctx context.Context, me string, page TimePage) ([]Conversation, error) {
	return s.Store.Conversations(ctx, me, page)
}

// ChatMessages returns a page of a chat group's history, each message with
// its reactions.
func (s *Service) ChatMessages(ctx context.Context, me, groupID string, page TimePage) ([]ChatMessage, error) {
	msgs, err := s.chatHistory(ctx, me, groupID, page)
	if err != nil {
		return nil, err
	}
	if err := s.withReactions(ctx, msgs); err != nil {
		return nil, err
	}
	return msgs, nil
}

// chatHistory returns a page of a chat group's messages; only members
// (including former friends, whose group is inactive) may read it, and
// former members of a group chat what it held when they left.
func (s *Service) chatHistory(ctx context.Context, me, groupID string, page TimePage) ([]ChatMessage, error) {
	g, err := s.Store.ChatGroup(ctx, groupID)
	if err != nil {
		return nil, err
	}
	if !g.IsMember(me) {
		return s.groupHistory(ctx, me, g, page)
	}
	return s.Store.ChatMessages(ctx, groupID, page)
}

// IsMember reports whether profileID is a member of g.
func (g *ChatGroup) IsMember(profileID string) bool {
	for _, m := range g.Members {
		if m == profileID {
			return true
		}
	}
	return false
}

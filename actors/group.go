package actors

import (
	"context"
	"slices"

	"github.com/bunnybook/bunnybook"
)

// GroupChanged tells a group chat's conversation grain (unless the group
// is new) to re-read its members before it answers anything else (so that a former member's next
// send, typing or read mark is refused), then pushes the change to the
// members online: group.added to those who joined, group.updated to the
// others, group.removed to those who left.
func (h *Hub) GroupChanged(ctx context.Context, c bunnybook.GroupChange) {
	if !c.Created {
		if _, err := request[*Ack](h, c.Group.ID, ConversationKind, &GroupChanged{}); err != nil {
			// The grain re-reads its group within groupMaxAge anyway.
			h.logger.Warn("tell conversation of a group change", "chat_group_id", c.Group.ID, "error", err)
		}
	}
	members := make([]*GroupMember, len(c.Group.Members))
	for i, m := range c.Group.Members {
		members[i] = &GroupMember{ProfileId: m.ProfileID, Username: m.Username}
	}
	event := func(kind GroupEventKind) *Deliver {
		e := &GroupEvent{Kind: kind, ChatGroupId: c.Group.ID}
		if kind != GroupEventKind_GROUP_REMOVED {
			e.Name, e.Members = c.Group.Name, members
		}
		return &Deliver{Push: &Push{Event: &Push_Group{Group: e}}}
	}
	var updated []string
	for _, id := range c.Group.MemberIDs() {
		if !slices.Contains(c.Added, id) {
			updated = append(updated, id)
		}
	}
	for kind, ids := range map[GroupEventKind][]string{
		GroupEventKind_GROUP_ADDED:   c.Added,
		GroupEventKind_GROUP_UPDATED: updated,
		GroupEventKind_GROUP_REMOVED: c.Removed,
	} {
		if len(ids) > 0 {
			h.tell(ctx, ids, event(kind))
		}
	}
}

// groupChatsOf converts a profile's group chats for hello.
func groupChatsOf(chats []bunnybook.GroupChatInfo) []*GroupChatInfo {
	out := make([]*GroupChatInfo, len(chats))
	for i, c := range chats {
		out[i] = &GroupChatInfo{ChatGroupId: c.ChatGroupID, Name: c.Name, MemberIds: c.MemberIDs}
	}
	return out
}

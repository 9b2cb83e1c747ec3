package gateway

import (
	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/actors"
)

// groupChat is one of the profile's group chats in hello.
type groupChat struct {
	ChatGroupID string   `json:"chatGroupId"`
	Name        string   `json:"name"`
	MemberIDs   []string `json:"memberIds"`
}

func groupChats(in []*actors.GroupChatInfo) []groupChat {
	out := make([]groupChat, len(in))
	for i, g := range in {
		out[i] = groupChat{ChatGroupID: g.GetChatGroupId(), Name: g.GetName(), MemberIDs: orEmpty(g.GetMemberIds())}
	}
	return out
}

// groupFrame is group.added and group.updated.
type groupFrame struct {
	Type        string                  `json:"type"`
	ChatGroupID string                  `json:"chatGroupId"`
	Name        string                  `json:"name"`
	Members     []bunnybook.GroupMember `json:"members"`
}

type groupRemovedFrame struct {
	Type        string `json:"type"` // "group.removed"
	ChatGroupID string `json:"chatGroupId"`
}

// groupFrameTypes names the frame of each kind of group event.
var groupFrameTypes = map[actors.GroupEventKind]string{
	actors.GroupEventKind_GROUP_ADDED:   "group.added",
	actors.GroupEventKind_GROUP_UPDATED: "group.updated",
	actors.GroupEventKind_GROUP_REMOVED: "group.removed",
}

// encodeGroupEvent writes a group chat's change as its frame.
func encodeGroupEvent(e *actors.GroupEvent) (outPush, bool) {
	typ, ok := groupFrameTypes[e.GetKind()]
	if !ok {
		return outPush{}, false
	}
	if e.GetKind() == actors.GroupEventKind_GROUP_REMOVED {
		return outPush{frame: mustJSON(groupRemovedFrame{typ, e.GetChatGroupId()}), forget: e.GetChatGroupId()}, true
	}
	members := make([]bunnybook.GroupMember, len(e.GetMembers()))
	for i, m := range e.GetMembers() {
		members[i] = bunnybook.GroupMember{ProfileID: m.GetProfileId(), Username: m.GetUsername()}
	}
	return outPush{frame: mustJSON(groupFrame{typ, e.GetChatGroupId(), e.GetName(), members})}, true
}

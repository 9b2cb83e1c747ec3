package bunnybook

import (
	"context"
	"strings"
	"unicode/utf8"
)

// Group chat limits.
const (
	GroupNameMax    = 64 // characters, after trimming
	GroupMembersMax = 50 // the creator included
	GroupOthersMin  = 2  // members besides the creator at creation
	GroupOthersMax  = GroupMembersMax - 1
)

// GroupMember is a member of a group chat.
type GroupMember struct {
	ProfileID string `json:"profileId"`
	Username  string `json:"username"`
}

// GroupChat is a named chat group of up to GroupMembersMax members. Unlike
// a private chat it does not depend on friendship: members are added by
// members (each adds their own friends) and stay until they leave or its
// creator removes them. Its messages, typing and read marks work as a
// private chat's.
type GroupChat struct {
	ID        string        `json:"chatGroupId"`
	Name      string        `json:"name"`
	CreatedBy string        `json:"createdBy"`
	CreatedAt Time          `json:"createdAt"`
	Members   []GroupMember `json:"members"` // by username
}

// MemberIDs returns the ids of g's members.
func (g *GroupChat) MemberIDs() []string {
	ids := make([]string, len(g.Members))
	for i, m := range g.Members {
		ids[i] = m.ProfileID
	}
	return ids
}

// IsMember reports whether profileID is a member of g.
func (g *GroupChat) IsMember(profileID string) bool {
	for _, m := range g.Members {
		if m.ProfileID == profileID {
			return true
		}
	}
	return false
}

// MayChange returns EForbidden unless by is a member of g: only members
// rename a group chat or change its members.
func (g *GroupChat) MayChange(by string) error {
	if !g.IsMember(by) {
		return forbidden("you are not a member of this group chat")
	}
	return nil
}

// MayAdd checks that profileID can join g: not a member already
// (ErrAlreadyGroupMember), and g not full (EBadRequest).
func (g *GroupChat) MayAdd(profileID string) error {
	switch {
	case g.IsMember(profileID):
		return ErrAlreadyGroupMember(profileID)
	case len(g.Members) >= GroupMembersMax:
		return badRequest("a group chat has at most %d members", GroupMembersMax)
	}
	return nil
}

// MayRemove checks that by may take profileID out of g: anyone may leave,
// only the creator may remove others (EForbidden), and profileID must be
// a member (ENotFound).
func (g *GroupChat) MayRemove(by, profileID string) error {
	switch {
	case by != profileID && by != g.CreatedBy:
		return forbidden("only the group chat's creator may remove others")
	case !g.IsMember(profileID):
		return Errorf(ENotFound, "profile %s is not a member of this group chat", profileID)
	}
	return nil
}

// GroupChatInfo is one of a profile's group chats as the websocket hello
// lists them.
type GroupChatInfo struct {
	ChatGroupID string   `json:"chatGroupId"`
	Name        string   `json:"name"`
	MemberIDs   []string `json:"memberIds"`
}

// GroupChange is a committed change of a group chat, for Notifier: the
// group as it is now, who joined (every member when it was created) and
// who left or was removed.
type GroupChange struct {
	Group   GroupChat
	Created bool // the group is new: no conversation can hold a copy of it
	Added   []string
	Removed []string
}

// GroupStore keeps group chats. Each write is one transaction that checks
// the rules that depend on stored state, so a refused change writes nothing.
type GroupStore interface {
	// CreateGroupChat stores g (ID, Name, CreatedBy, CreatedAt set;
	// Members the creator and the others, by id) and fills in the members'
	// usernames. Every other member must be the creator's friend:
	// EForbidden otherwise, ENotFound for an unknown profile.
	CreateGroupChat(ctx context.Context, g *GroupChat) error
	// GroupChat returns a group chat with its members by username;
	// ENotFound for unknown ids and for private chats.
	GroupChat(ctx context.Context, id string) (*GroupChat, error)
	// RenameGroupChat renames a group chat; by must be a member (EForbidden).
	RenameGroupChat(ctx context.Context, id, by, name string) (*GroupChat, error)
	// AddGroupMember adds profileID to a group chat. by must be a member
	// (EForbidden) and profileID by's friend (EForbidden); a member already
	// is EConflict; a full group (GroupMembersMax) EBadRequest. The new
	// member's read pointer starts at the newest message: the history
	// before it is readable, but not unread.
	AddGroupMember(ctx context.Context, id, by, profileID string) (*GroupChat, error)
	// RemoveGroupMember takes profileID out of a group chat: by leaves
	// (by == profileID) or its creator removes another member (anyone
	// else: EForbidden); one who is not a member is ENotFound. The seq of
	// the newest message is kept as the former member's last readable one
	// (FormerMemberSeq), and the group leaves their unread conversations.
	RemoveGroupMember(ctx context.Context, id, by, profileID string) (*GroupChat, error)
	// GroupChats returns the profile's group chats, by name.
	GroupChats(ctx context.Context, profileID string) ([]GroupChatInfo, error)
	// FormerMemberSeq returns the seq of the newest message of the group
	// when profileID left it, or ENotFound if they are not a former member.
	FormerMemberSeq(ctx context.Context, groupID, profileID string) (int64, error)
	// ChatMessagesUpTo returns a page of a group's messages with seq ≤
	// maxSeq, newest first.
	ChatMessagesUpTo(ctx context.Context, groupID string, maxSeq int64, page TimePage) ([]ChatMessage, error)
}

// GroupName trims a group chat's name and checks it is 1 to GroupNameMax
// characters (EBadRequest).
func GroupName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", badRequest("name must be valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n < 1 || n > GroupNameMax {
		return "", badRequest("name must be 1 to %d characters (after trimming spaces)", GroupNameMax)
	}
	return s, nil
}

// groupOthers checks the ids a creator names as the other members:
// UUIDs (EInvalid), duplicates collapsed, not the creator, GroupOthersMin
// to GroupOthersMax of them (EBadRequest).
func groupOthers(creator string, ids []string) ([]string, error) {
	out := make([]string, 0, len(ids))
	for _, raw := range ids {
		id, err := ParseID("memberIds", raw)
		if err != nil {
			return nil, err
		}
		if id == creator {
			return nil, badRequest("memberIds must not list the creator: they are a member anyway")
		}
		out = append(out, id)
	}
	out = distinct(out)
	if len(out) < GroupOthersMin || len(out) > GroupOthersMax {
		return nil, badRequest("memberIds must name %d to %d other members", GroupOthersMin, GroupOthersMax)
	}
	return out, nil
}

// CreateGroupChat creates a group chat of me and the given friends and
// tells them all.
func (s *Service) CreateGroupChat(ctx context.Context, me, name string, memberIDs []string) (*GroupChat, error) {
	name, err := GroupName(name)
	if err != nil {
		return nil, err
	}
	others, err := groupOthers(me, memberIDs)
	if err != nil {
		return nil, err
	}
	g := &GroupChat{ID: NewID(), Name: name, CreatedBy: me, CreatedAt: Now()}
	for _, id := range append([]string{me}, others...) {
		g.Members = append(g.Members, GroupMember{ProfileID: id})
	}
	if err := s.Store.CreateGroupChat(ctx, g); err != nil {
		return nil, err
	}
	s.Notifier.GroupChanged(ctx, GroupChange{Group: *g, Created: true, Added: g.MemberIDs()})
	return g, nil
}

// GroupChat returns a group chat to one of its members (EForbidden for
// anyone else, ENotFound for unknown ids and private chats).
func (s *Service) GroupChat(ctx context.Context, me, id string) (*GroupChat, error) {
	g, err := s.Store.GroupChat(ctx, id)
	if err != nil {
		return nil, err
	}
	if !g.IsMember(me) {
		return nil, forbidden("only members may see this group chat")
	}
	return g, nil
}

// RenameGroupChat renames a group chat (any member may) and tells its members.
func (s *Service) RenameGroupChat(ctx context.Context, me, id, name string) (*GroupChat, error) {
	name, err := GroupName(name)
	if err != nil {
		return nil, err
	}
	g, err := s.Store.RenameGroupChat(ctx, id, me, name)
	if err != nil {
		return nil, err
	}
	s.Notifier.GroupChanged(ctx, GroupChange{Group: *g})
	return g, nil
}

// AddGroupMember adds one of me's friends to a group chat me is a member
// of, and tells the members.
func (s *Service) AddGroupMember(ctx context.Context, me, id, profileID string) (*GroupChat, error) {
	if profileID == me {
		return nil, ErrAlreadyGroupMember(me)
	}
	g, err := s.Store.AddGroupMember(ctx, id, me, profileID)
	if err != nil {
		return nil, err
	}
	s.Notifier.GroupChanged(ctx, GroupChange{Group: *g, Added: []string{profileID}})
	return g, nil
}

// RemoveGroupMember takes profileID out of a group chat: me leaving, or
// its creator removing another member. It tells the one removed and the
// members.
func (s *Service) RemoveGroupMember(ctx context.Context, me, id, profileID string) error {
	g, err := s.Store.RemoveGroupMember(ctx, id, me, profileID)
	if err != nil {
		return err
	}
	s.Notifier.GroupChanged(ctx, GroupChange{Group: *g, Removed: []string{profileID}})
	return nil
}

// groupHistory returns a page of a group chat's history for a former
// member: the messages up to the one that was newest when they left.
func (s *Service) groupHistory(ctx context.Context, me string, g *ChatGroup, page TimePage) ([]ChatMessage, error) {
	if g.Private {
		return nil, forbidden("only members may read this conversation")
	}
	seq, err := s.Store.FormerMemberSeq(ctx, g.ID, me)
	if ErrorKind(err) == ENotFound {
		return nil, forbidden("only members may read this conversation")
	}
	if err != nil {
		return nil, err
	}
	return s.Store.ChatMessagesUpTo(ctx, g.ID, seq, page)
}

// ErrAlreadyGroupMember is the conflict of adding a member of a group chat
// again. Its code is part of the API.
func ErrAlreadyGroupMember(profileID string) *Error {
	return &Error{Kind: EConflict, Code: "AlreadyGroupMember", Message: "profile " + profileID + " is a member of this group chat already"}
}

func badRequest(format string, args ...any) error {
	return Errorf(EBadRequest, format, args...)
}

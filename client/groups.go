package client

import (
	"context"
	"net/http"

	"github.com/bunnybook/bunnybook"
)

// CreateGroupChat creates a group chat of the caller and the given friends.
func (c *Client) CreateGroupChat(ctx context.Context, name string, memberIDs []string) (*bunnybook.GroupChat, error) {
	var g bunnybook.GroupChat
	err := c.Do(ctx, http.MethodPost, "/web/chat/groups", map[string]any{"name": name, "memberIds": memberIDs}, &g)
	return &g, err
}

// GroupChat reads a group chat the caller is a member of.
func (c *Client) GroupChat(ctx context.Context, id string) (*bunnybook.GroupChat, error) {
	var g bunnybook.GroupChat
	err := c.Do(ctx, http.MethodGet, "/web/chat/groups/"+id, nil, &g)
	return &g, err
}

// RenameGroupChat renames a group chat.
func (c *Client) RenameGroupChat(ctx context.Context, id, name string) (*bunnybook.GroupChat, error) {
	var g bunnybook.GroupChat
	err := c.Do(ctx, http.MethodPatch, "/web/chat/groups/"+id, map[string]any{"name": name}, &g)
	return &g, err
}

// AddGroupMember adds one of the caller's friends to a group chat.
func (c *Client) AddGroupMember(ctx context.Context, id, profileID string) (*bunnybook.GroupChat, error) {
	var g bunnybook.GroupChat
	err := c.Do(ctx, http.MethodPost, "/web/chat/groups/"+id+"/members", map[string]any{"profileId": profileID}, &g)
	return &g, err
}

// RemoveGroupMember leaves a group chat (profileID the caller's own) or,
// for its creator, removes a member.
func (c *Client) RemoveGroupMember(ctx context.Context, id, profileID string) error {
	return c.Do(ctx, http.MethodDelete, "/web/chat/groups/"+id+"/members/"+profileID, nil, nil)
}

// Conversations reads the newest page of the caller's conversations.
func (c *Client) Conversations(ctx context.Context) ([]bunnybook.Conversation, error) {
	var cs []bunnybook.Conversation
	err := c.Do(ctx, http.MethodGet, "/web/profiles/"+c.Profile.ID+"/conversations", nil, &cs)
	return cs, err
}

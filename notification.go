package bunnybook

import "context"

// Notification events (spec §7.2).
const (
	EventNewPostOnWall        = "NEW_POST_ON_WALL"
	EventNewCommentOnPost     = "NEW_COMMENT_ON_POST"
	EventNewFriendshipRequest = "NEW_FRIENDSHIP_REQUEST"
	EventNewFriend            = "NEW_FRIEND"
	EventNewLikeOnPost        = "NEW_LIKE_ON_POST"
)

// Notification tells a profile that something happened.
type Notification struct {
	ID        string           `json:"id"`
	CreatedAt Time             `json:"createdAt"`
	ProfileID string           `json:"profileId"` // recipient
	Data      NotificationData `json:"data"`
	Read      bool             `json:"read"`    // seen in the list
	Visited   bool             `json:"visited"` // its link was followed
	// Collapse, when not empty, makes the store update the recipient's
	// unread notification with the same key (its data and time) instead of
	// adding another one. Not part of the API.
	Collapse string `json:"-"`
}

// NotificationData is what happened: an event name and string fields.
type NotificationData struct {
	Event   string            `json:"event"`
	Payload map[string]string `json:"payload"`
}

// NotificationStore keeps notifications. They are created by the stores'
// write methods, in the transaction of the action that causes them.
type NotificationStore interface {
	// Notifications returns a page of the profile's notifications, newest first.
	Notifications(ctx context.Context, profileID string, page TimePage) ([]Notification, error)
	// MarkNotifications sets read and/or visited (nil = unchanged) on the
	// notifications with the given ids and returns them. All ids must exist
	// (else ENotFound) and belong to owner (else EForbidden); on error
	// nothing is changed.
	MarkNotifications(ctx context.Context, owner string, ids []string, read, visited *bool) ([]Notification, error)
	// UnreadNotificationCount counts the profile's notifications with read=false.
	UnreadNotificationCount(ctx context.Context, profileID string) (int, error)
}

// preview shortens content for a notification payload (spec §7.2).
func preview(s string) string {
	r := []rune(s)
	if len(r) <= 32 {
		return s
	}
	return string(r[:32]) + "..."
}

package bunnybook

import (
	"context"
	"time"
)

// Store is everything the relational backend (SQLite or PostgreSQL) keeps.
type Store interface {
	ProfileStore
	TokenStore
	PostStore
	NotificationStore
	FriendshipStore
	ChatStore
	GroupStore
	ReactionStore
	// Ping reports whether the store is reachable.
	Ping(ctx context.Context) error
}

// RateLimiter counts events per key in fixed windows.
type RateLimiter interface {
	// Allow counts one event for key in the current window of length window
	// and reports whether it is within limit; if not, retryAfter is the time
	// left in the window.
	Allow(ctx context.Context, key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, err error)
}

// Notifier tells online profiles about committed changes, in real time.
// Implementations never block on offline profiles and never fail the caller:
// the change is already stored, and clients catch up on their next load.
type Notifier interface {
	// NotificationCreated pushes n (and the new unread count) to its recipient.
	NotificationCreated(ctx context.Context, n Notification)
	// FriendAdded tells both profiles of a new friendship, and its chat
	// group that it is open again.
	FriendAdded(ctx context.Context, a, b Profile, chatGroupID string)
	// FriendRemoved tells both profiles that their friendship ended, and
	// their chat group ("" if none) that it is closed.
	FriendRemoved(ctx context.Context, a, b, chatGroupID string)
	// SessionEnded closes the profile's connections of a sign-in session
	// that was logged out.
	SessionEnded(ctx context.Context, profileID, sessionID string)
	// GroupChanged tells a group chat's conversation at once, and its
	// members, those who joined and those who left, of a change.
	GroupChanged(ctx context.Context, change GroupChange)
}

// NopNotifier is the Notifier used when nothing is listening.
type NopNotifier struct{}

func (NopNotifier) NotificationCreated(context.Context, Notification)     {}
func (NopNotifier) FriendAdded(context.Context, Profile, Profile, string) {}
func (NopNotifier) FriendRemoved(context.Context, string, string, string) {}
func (NopNotifier) SessionEnded(context.Context, string, string)          {}
func (NopNotifier) GroupChanged(context.Context, GroupChange)             {}

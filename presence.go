package bunnybook

import (
	"context"
	"time"
)

// Presence records which profiles are online. A profile is online while the
// node holding its connections keeps refreshing it; if that node dies, the
// entry expires after its TTL, so nobody stays "online" forever.
type Presence interface {
	// SetOnline marks the profiles online for ttl (refresh before it ends),
	// in one batch.
	SetOnline(ctx context.Context, ttl time.Duration, profileIDs ...string) error
	// SetOffline marks the profile offline now.
	SetOffline(ctx context.Context, profileID string) error
	// Online returns the subset of ids that are online, in the order given.
	Online(ctx context.Context, ids []string) ([]string, error)
}

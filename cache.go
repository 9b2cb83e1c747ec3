package bunnybook

import (
	"context"
	"time"
)

// Cache is a shared key-value cache with versioned namespaces, used for
// cache-aside reads (persistence/cached). It is an optimization: callers
// treat every error as a miss and read the source of truth instead.
//
// A namespace (say, one wall) has a version token, and values are stored
// under (namespace, version, key); Bump gives the namespace a new token, so
// every value cached under the old one becomes unreachable at once (it then
// expires by its TTL). Tokens are never reused, so a lost or expired version
// can never resurrect old values. Values are never modified in place, which
// makes a reader that read the source before a write and stores after it
// harmless: it stores under the old version.
type Cache interface {
	// Get returns the namespace's current version (creating one when it has
	// none) and the value stored under key in that version, ok=false when
	// there is none; in one round trip.
	Get(ctx context.Context, namespace, key string) (version string, value []byte, ok bool, err error)
	// Set stores value under key in the given version of the namespace, for
	// ttl. A version that was bumped meanwhile makes the value unreachable,
	// which is what a reader that raced a write needs.
	Set(ctx context.Context, namespace, version, key string, value []byte, ttl time.Duration) error
	// Bump gives each namespace a new version.
	Bump(ctx context.Context, namespaces ...string) error
	// BumpAll gives every namespace a new version (after a failed Bump,
	// whose namespaces are unknown to the others).
	BumpAll(ctx context.Context) error
	// Lock takes a short lock named key for ttl if nobody holds it and
	// reports whether it did; it is released by expiry. It spreads the
	// recomputation of a hot value over one caller instead of all of them.
	Lock(ctx context.Context, key string, ttl time.Duration) (bool, error)
}

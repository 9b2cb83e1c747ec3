package bunnybook

import (
	"context"
	"time"
)

// Cache is a shared key-value cache with versioned namespaces, used for
// cache-aside reads (persistence/cached). It is an optimization: callers
// treat every error as a miss and read the source of truth instead.
//
// A namespace (say, one wall) has a version token. Keys of cached values
// built from it include the token; Bump gives the namespace a new token, so
// every value cached under the old one becomes unreachable at once (it then
// expires by its TTL). Tokens are never reused, so a lost or expired version
// can never resurrect old values. Values are never modified in place, which
// makes a reader that read the source before a write and stores after it
// harmless: it stores under the old version.
type Cache interface {
	// Get returns the value stored under key, or ok=false when there is none.
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	// Set stores value under key for ttl.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Version returns the namespace's current version token, creating one
	// when it has none. The token also changes after BumpAll.
	Version(ctx context.Context, namespace string) (string, error)
	// Bump gives each namespace a new version token.
	Bump(ctx context.Context, namespaces ...string) error
	// BumpAll makes every value cached so far unreachable (after a failed
	// Bump, whose namespaces are unknown to the others).
	BumpAll(ctx context.Context) error
	// Lock takes a short lock named key for ttl if nobody holds it and
	// reports whether it did; it is released by expiry. It spreads the
	// recomputation of a hot value over one caller instead of all of them.
	Lock(ctx context.Context, key string, ttl time.Duration) (bool, error)
}

package bunnybook

import (
	"context"
	"time"
)

// Revocations is a deny-list of ended sign-in sessions (logout, refresh
// token reuse). An access token stays signed and unexpired until it runs
// out, so every check of one also asks whether its session was revoked.
// Kept in Redis, every node sees a revocation; in memory, only this node.
type Revocations interface {
	// Revoke denies the session for ttl: the life left to its access tokens.
	Revoke(ctx context.Context, sessionID string, ttl time.Duration) error
	// Revoked reports whether the session is denied.
	Revoked(ctx context.Context, sessionID string) (bool, error)
}

// Backoff says how long a key is locked after each of a run of attempts
// (say, logins to one account): the first Free attempts cost nothing; the
// next one locks the key for Base, and each one after that for twice as
// long as the one before, up to Max. A key's attempts are forgotten Forget
// after its lock ends with no new attempt.
type Backoff struct {
	Free      int
	Base, Max time.Duration
	Forget    time.Duration
}

// Lock returns how long the n-th attempt in a row locks the key.
func (b Backoff) Lock(n int) time.Duration {
	if n <= b.Free {
		return 0
	}
	d := b.Base
	for i := b.Free + 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// AttemptLimiter slows down guessing (of passwords, say) per key with a
// Backoff. An attempt is counted when it starts, so concurrent guesses
// cannot slip through together; a success resets the key.
type AttemptLimiter interface {
	// Attempt counts an attempt for key and locks the key for b.Lock(n) of
	// it; while the key is locked, it counts nothing and returns the time
	// left (the caller refuses the attempt and says when to retry).
	Attempt(ctx context.Context, key string, b Backoff) (wait time.Duration, err error)
	// Reset forgets key's attempts, after a success.
	Reset(ctx context.Context, key string) error
}

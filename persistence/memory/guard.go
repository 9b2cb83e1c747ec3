package memory

import (
	"context"
	"sync"
	"time"

	"github.com/bunnybook/bunnybook"
)

// Revocations is an in-memory bunnybook.Revocations, for one node. Entries
// are dropped when they expire. It is safe for concurrent use.
type Revocations struct {
	now func() time.Time

	mu        sync.Mutex // guards until and lastSweep
	until     map[string]time.Time
	lastSweep time.Time
}

// NewRevocations returns an empty deny-list.
func NewRevocations() *Revocations {
	return &Revocations{now: time.Now, until: map[string]time.Time{}}
}

// Revoke denies the session for ttl. It never fails.
func (r *Revocations) Revoke(_ context.Context, sessionID string, ttl time.Duration) error {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sweep(now)
	if end := now.Add(ttl); end.After(r.until[sessionID]) {
		r.until[sessionID] = end
	}
	return nil
}

// Revoked reports whether the session is denied. It never fails.
func (r *Revocations) Revoked(_ context.Context, sessionID string) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.now().Before(r.until[sessionID]), nil
}

// sweep drops expired entries, at most once per sweepEvery. Caller holds mu.
func (r *Revocations) sweep(now time.Time) {
	if now.Sub(r.lastSweep) < sweepEvery {
		return
	}
	r.lastSweep = now
	for id, end := range r.until {
		if !now.Before(end) {
			delete(r.until, id)
		}
	}
}

// Attempts is an in-memory bunnybook.AttemptLimiter, for one node. A key
// is dropped once its attempts are forgotten. It is safe for concurrent use.
type Attempts struct {
	now func() time.Time

	mu        sync.Mutex // guards keys and lastSweep
	keys      map[string]*attempts
	lastSweep time.Time
}

type attempts struct {
	n      int
	locked time.Time // end of the lock of the last attempt
	forget time.Time // when the key is dropped
}

// NewAttempts returns an empty AttemptLimiter.
func NewAttempts() *Attempts {
	return &Attempts{now: time.Now, keys: map[string]*attempts{}}
}

// Attempt counts an attempt for key unless it is locked; see
// bunnybook.AttemptLimiter. It never fails.
func (l *Attempts) Attempt(_ context.Context, key string, b bunnybook.Backoff) (time.Duration, error) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	a := l.keys[key]
	if a == nil || !now.Before(a.forget) {
		a = &attempts{}
		l.keys[key] = a
	}
	if now.Before(a.locked) {
		return a.locked.Sub(now), nil
	}
	a.n++
	a.locked = now.Add(b.Lock(a.n))
	a.forget = a.locked.Add(b.Forget)
	return 0, nil
}

// Reset forgets key's attempts. It never fails.
func (l *Attempts) Reset(_ context.Context, key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, key)
	return nil
}

// sweep drops forgotten keys, at most once per sweepEvery. Caller holds mu.
func (l *Attempts) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < sweepEvery {
		return
	}
	l.lastSweep = now
	for k, a := range l.keys {
		if !now.Before(a.forget) {
			delete(l.keys, k)
		}
	}
}

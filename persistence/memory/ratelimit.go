package memory

import (
	"context"
	"sync"
	"time"
)

// sweepEvery is how often, at most, Allow drops expired windows.
const sweepEvery = time.Second

// RateLimiter is an in-memory bunnybook.RateLimiter with fixed windows:
// a key's window starts at its first event and lasts the window length.
// Expired windows are dropped, so memory is bounded by the keys active
// within the longest window. It is safe for concurrent use.
type RateLimiter struct {
	now func() time.Time // a fake clock in tests

	mu        sync.Mutex // guards windows and lastSweep
	windows   map[windowKey]*window
	lastSweep time.Time
}

type windowKey struct {
	key    string
	length time.Duration
}

type window struct {
	end   time.Time
	count int
}

// NewRateLimiter returns an empty RateLimiter.
func NewRateLimiter() *RateLimiter {
	return &RateLimiter{now: time.Now, windows: make(map[windowKey]*window)}
}

// Allow counts one event for key in its current window of length window
// and reports whether the count is within limit; if not, retryAfter is the
// time left in the window. Limits with different window lengths on the
// same key are counted separately. It never fails.
func (l *RateLimiter) Allow(_ context.Context, key string, limit int, length time.Duration) (bool, time.Duration, error) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	k := windowKey{key, length}
	w := l.windows[k]
	if w == nil || !now.Before(w.end) {
		w = &window{end: now.Add(length)}
		l.windows[k] = w
	}
	if w.count >= limit {
		return false, w.end.Sub(now), nil
	}
	w.count++
	return true, 0, nil
}

// Len returns the number of live windows.
func (l *RateLimiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.windows)
}

// sweep drops expired windows, at most once per sweepEvery. Caller holds mu.
func (l *RateLimiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < sweepEvery {
		return
	}
	l.lastSweep = now
	for k, w := range l.windows {
		if !now.Before(w.end) {
			delete(l.windows, k)
		}
	}
}

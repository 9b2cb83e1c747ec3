// Package limittest is the contract test suite of bunnybook.RateLimiter and
// bunnybook.AttemptLimiter, run against every implementation (memory,
// Redis). Keys are fresh per run, so implementations that share state
// (Redis) can run it in parallel.
package limittest

import (
	"testing"
	"time"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/internal/testwait"
)

// RateLimiter checks l against the RateLimiter contract.
func RateLimiter(t *testing.T, l bunnybook.RateLimiter) {
	ctx := t.Context()
	key := bunnybook.NewID()
	for i := 1; i <= 3; i++ {
		if ok, _, err := l.Allow(ctx, key, 3, time.Minute); !ok || err != nil {
			t.Fatalf("event %d of 3: ok=%v err=%v, want allowed", i, ok, err)
		}
	}
	ok, retry, err := l.Allow(ctx, key, 3, time.Minute)
	if ok || err != nil || retry <= 0 || retry > time.Minute {
		t.Fatalf("event 4 of 3: ok=%v retry=%v err=%v, want refused with a retry within the window", ok, retry, err)
	}
	if ok, _, _ := l.Allow(ctx, key, 3, time.Hour); !ok {
		t.Fatal("a limit with another window on the same key is counted on its own")
	}
	if ok, _, _ := l.Allow(ctx, bunnybook.NewID(), 3, time.Minute); !ok {
		t.Fatal("another key has its own window")
	}
	short := bunnybook.NewID()
	l.Allow(ctx, short, 1, 100*time.Millisecond)
	testwait.For(t, 5*time.Second, "a new window after the old one ended", func() bool {
		ok, _, _ := l.Allow(ctx, short, 1, 100*time.Millisecond)
		return ok
	})
}

// testBackoff locks after two free attempts, for 200 ms, then 400 ms, up
// to 800 ms; attempts are forgotten 300 ms after the last lock ends.
var testBackoff = bunnybook.Backoff{Free: 2, Base: 200 * time.Millisecond, Max: 800 * time.Millisecond, Forget: 300 * time.Millisecond}

// AttemptLimiter checks l against the AttemptLimiter contract.
func AttemptLimiter(t *testing.T, l bunnybook.AttemptLimiter) {
	t.Run("backoff", func(t *testing.T) {
		key := bunnybook.NewID()
		mustAttempt(t, l, key, 0) // 1: free
		mustAttempt(t, l, key, 0) // 2: free
		mustAttempt(t, l, key, 0) // 3: counted, locks for 200 ms
		wantLocked(t, l, key, testBackoff.Lock(3))
		wantLocked(t, l, key, testBackoff.Lock(3)) // refused attempts count nothing
		testwait.For(t, 5*time.Second, "the lock ends", func() bool { return attempt(t, l, key) == 0 })
		wantLocked(t, l, key, testBackoff.Lock(4)) // attempt 4 locked for twice as long
	})
	t.Run("reset", func(t *testing.T) {
		key := bunnybook.NewID()
		for range 3 {
			attempt(t, l, key)
		}
		wantLocked(t, l, key, testBackoff.Lock(3))
		if err := l.Reset(t.Context(), key); err != nil {
			t.Fatalf("Reset: %v", err)
		}
		mustAttempt(t, l, key, 0)
		mustAttempt(t, l, key, 0)
	})
	t.Run("keys are separate", func(t *testing.T) {
		key := bunnybook.NewID()
		for range 3 {
			attempt(t, l, key)
		}
		mustAttempt(t, l, bunnybook.NewID(), 0)
	})
	t.Run("forgotten", func(t *testing.T) {
		key := bunnybook.NewID()
		for range 3 {
			attempt(t, l, key)
		}
		// 200 ms lock + 300 ms forget: then the next two are free again.
		time.Sleep(testBackoff.Lock(3) + testBackoff.Forget + 100*time.Millisecond)
		mustAttempt(t, l, key, 0)
		mustAttempt(t, l, key, 0)
	})
}

func attempt(tb testing.TB, l bunnybook.AttemptLimiter, key string) time.Duration {
	tb.Helper()
	wait, err := l.Attempt(tb.Context(), key, testBackoff)
	if err != nil {
		tb.Fatalf("Attempt: %v", err)
	}
	return wait
}

func mustAttempt(tb testing.TB, l bunnybook.AttemptLimiter, key string, want time.Duration) {
	tb.Helper()
	if got := attempt(tb, l, key); got != want {
		tb.Fatalf("Attempt waits %v, want %v", got, want)
	}
}

// wantLocked fails unless an attempt now is refused with a wait of at most lock.
func wantLocked(tb testing.TB, l bunnybook.AttemptLimiter, key string, lock time.Duration) {
	tb.Helper()
	if got := attempt(tb, l, key); got <= 0 || got > lock {
		tb.Fatalf("Attempt while locked waits %v, want within (0, %v]", got, lock)
	}
}

// SharedAttempts checks that two limiters on one shared store (two nodes)
// count one key's attempts together.
func SharedAttempts(t *testing.T, a, b bunnybook.AttemptLimiter) {
	key := bunnybook.NewID()
	attempt(t, a, key)
	attempt(t, b, key)
	attempt(t, a, key) // the third in a row: locked
	wantLocked(t, b, key, testBackoff.Lock(3))
}

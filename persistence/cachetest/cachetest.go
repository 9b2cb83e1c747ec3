// Package cachetest is the contract test suite for bunnybook.Cache, run
// against every implementation (memory, Redis).
package cachetest

import (
	"context"
	"testing"
	"time"

	"github.com/bunnybook/bunnybook"
)

// Run checks c against the Cache contract. Keys and namespaces are fresh
// per run, so shared implementations (Redis) can run it in parallel; BumpAll
// is checked only when shared is false, since it affects every user of c.
func Run(t *testing.T, c bunnybook.Cache, shared bool) {
	ctx := context.Background()
	run := bunnybook.NewID()

	t.Run("get and set", func(t *testing.T) {
		ns := run + ":ns"
		v, _, ok := MustGet(t, c, ns, "key")
		if ok {
			t.Fatal("fresh key has a value")
		}
		MustSet(t, c, ns, v, "key", "hello", time.Minute)
		if v2, got, ok := MustGet(t, c, ns, "key"); !ok || string(got) != "hello" || v2 != v {
			t.Fatalf("Get = %q, %q, %v, want %q, hello, true", v2, got, ok, v)
		}
		if _, _, ok := MustGet(t, c, ns, "other"); ok {
			t.Fatal("another key of the namespace has the value")
		}
		if _, _, ok := MustGet(t, c, run+":other-ns", "key"); ok {
			t.Fatal("another namespace has the value")
		}
		MustSet(t, c, ns, v, "key", "", time.Minute)
		if _, got, ok := MustGet(t, c, ns, "key"); !ok || len(got) != 0 {
			t.Fatalf("Get of an empty value = %q, %v, want empty, true", got, ok)
		}
	})
	t.Run("values expire", func(t *testing.T) {
		ns := run + ":short"
		v, _, _ := MustGet(t, c, ns, "key")
		MustSet(t, c, ns, v, "key", "x", 200*time.Millisecond)
		poll(t, "value still there 5s after a 200ms ttl", func() bool {
			_, _, ok := MustGet(t, c, ns, "key")
			return !ok
		})
	})
	t.Run("versions", func(t *testing.T) {
		a, b := run+":ns-a", run+":ns-b"
		va, _, _ := MustGet(t, c, a, "key")
		vb, _, _ := MustGet(t, c, b, "key")
		if va == "" || va == vb {
			t.Fatalf("versions %q and %q: want two different, non-empty ones", va, vb)
		}
		MustSet(t, c, a, va, "key", "old", time.Minute)
		MustSet(t, c, b, vb, "key", "b", time.Minute)
		if got, _, _ := MustGet(t, c, a, "key"); got != va {
			t.Fatalf("version changed without a bump: %q, then %q", va, got)
		}
		if err := c.Bump(ctx, a); err != nil {
			t.Fatal(err)
		}
		va2, got, ok := MustGet(t, c, a, "key")
		if va2 == va || ok {
			t.Fatalf("after Bump: version %q (was %q), value %q, %v: want a new version and no value", va2, va, got, ok)
		}
		// A reader that read the old version stores under it: never seen.
		MustSet(t, c, a, va, "key", "stale", time.Minute)
		if _, got, ok := MustGet(t, c, a, "key"); ok {
			t.Fatalf("value %q stored under a bumped version is visible", got)
		}
		if v, got, ok := MustGet(t, c, b, "key"); v != vb || string(got) != "b" || !ok {
			t.Fatalf("Bump(a) changed b: %q %q %v", v, got, ok)
		}
		if err := c.Bump(ctx, a, b); err != nil {
			t.Fatal(err)
		}
		if v, _, _ := MustGet(t, c, a, "key"); v == va2 {
			t.Fatal("Bump(a, b) left a's version unchanged")
		}
		if v, _, _ := MustGet(t, c, b, "key"); v == vb {
			t.Fatal("Bump(a, b) left b's version unchanged")
		}
		if err := c.Bump(ctx); err != nil {
			t.Fatalf("Bump of nothing: %v", err)
		}
	})
	t.Run("bump all", func(t *testing.T) {
		if shared {
			t.Log("not run on a shared cache")
			return
		}
		a := run + ":all"
		va, _, _ := MustGet(t, c, a, "key")
		MustSet(t, c, a, va, "key", "x", time.Minute)
		if err := c.BumpAll(ctx); err != nil {
			t.Fatal(err)
		}
		if got, _, ok := MustGet(t, c, a, "key"); got == va || ok {
			t.Fatalf("after BumpAll: version %q (was %q), value found %v", got, va, ok)
		}
	})
	t.Run("lock", func(t *testing.T) {
		key := run + ":lock"
		if ok := MustLock(t, c, key, 200*time.Millisecond); !ok {
			t.Fatal("a free lock was refused")
		}
		if ok := MustLock(t, c, key, 200*time.Millisecond); ok {
			t.Fatal("a held lock was taken again")
		}
		poll(t, "lock still held 5s after a 200ms ttl", func() bool {
			return MustLock(t, c, key, time.Minute)
		})
	})
}

// MustGet calls c.Get and fails the test on error.
func MustGet(tb testing.TB, c bunnybook.Cache, ns, key string) (version string, value []byte, ok bool) {
	tb.Helper()
	version, value, ok, err := c.Get(context.Background(), ns, key)
	if err != nil {
		tb.Fatalf("Get %s %s: %v", ns, key, err)
	}
	if version == "" {
		tb.Fatalf("Get %s %s: empty version", ns, key)
	}
	return version, value, ok
}

// MustSet calls c.Set and fails the test on error.
func MustSet(tb testing.TB, c bunnybook.Cache, ns, version, key, value string, ttl time.Duration) {
	tb.Helper()
	if err := c.Set(context.Background(), ns, version, key, []byte(value), ttl); err != nil {
		tb.Fatalf("Set %s %s: %v", ns, key, err)
	}
}

// MustLock calls c.Lock and fails the test on error.
func MustLock(tb testing.TB, c bunnybook.Cache, key string, ttl time.Duration) bool {
	tb.Helper()
	ok, err := c.Lock(context.Background(), key, ttl)
	if err != nil {
		tb.Fatalf("Lock %s: %v", key, err)
	}
	return ok
}

// poll calls done every 20ms until it returns true, failing after 5s.
func poll(tb testing.TB, failure string, done func() bool) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			tb.Fatal(failure)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Package testwait waits, in tests, for an outcome that comes eventually.
package testwait

import (
	"errors"
	"testing"
	"time"
)

// Until calls fn, pausing every between calls, until it returns nil; once
// timeout has passed it fails tb with fn's last error.
func Until(tb testing.TB, timeout, every time.Duration, fn func() error) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := fn()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("after %s: %v", timeout, err)
		}
		time.Sleep(every)
	}
}

// For polls cond every 10 ms until it holds; once timeout has passed it
// fails tb, saying what it waited for.
func For(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	Until(tb, timeout, 10*time.Millisecond, func() error {
		if cond() {
			return nil
		}
		return errors.New("not yet: " + what)
	})
}

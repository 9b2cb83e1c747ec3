package bunnybook

import (
	"testing"
	"time"
)

func TestBackoffLock(t *testing.T) {
	b := Backoff{Free: 2, Base: time.Second, Max: 5 * time.Second}
	for n, want := range []time.Duration{0, 0, 0, time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second} {
		if got := b.Lock(n); got != want {
			t.Errorf("Lock(%d) = %v, want %v", n, got, want)
		}
	}
	if got := b.Lock(1 << 30); got != 5*time.Second {
		t.Errorf("Lock(huge) = %v, want the max", got)
	}
}

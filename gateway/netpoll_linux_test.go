package gateway

import (
	"errors"
	"log/slog"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	bbcluster "github.com/bunnybook/bunnybook/cluster"
)

// TestPollerCloses: closing the poller ends its goroutines (close waits
// for them) and releases its epoll descriptor.
func TestPollerCloses(t *testing.T) {
	p, err := newPoller(time.Minute, bbcluster.NewDispatcher(4, time.Second), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() {
		p.close()
		p.close() // twice is fine
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(wait):
		t.Fatal("close did not return: the poller's goroutines are still running")
	}
	if _, err := unix.EpollWait(p.epfd, make([]unix.EpollEvent, 1), 0); !errors.Is(err, unix.EBADF) {
		t.Fatalf("epoll descriptor after close: %v, want EBADF", err)
	}
}

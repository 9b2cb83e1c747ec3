//go:build !linux

package gateway

import (
	"errors"
	"log/slog"
	"time"
)

// poller is Linux-only (epoll); elsewhere each connection reads on a
// goroutine of its own.
type poller struct{}

func newPoller(time.Duration, *slog.Logger) (*poller, error) {
	return nil, errors.New("netpoll needs Linux")
}

func (p *poller) watch(*conn) error { return errors.New("netpoll needs Linux") }

func (p *poller) close() {}

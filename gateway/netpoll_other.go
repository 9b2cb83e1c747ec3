//go:build !linux

package gateway

import (
	"errors"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// poller is Linux-only (epoll); elsewhere each connection reads on a
// goroutine of its own.
type poller struct{}

func newPoller(time.Duration, actor.Dispatcher, *slog.Logger) (*poller, error) {
	return nil, errors.New("netpoll needs Linux")
}

func (p *poller) watch(*conn) error { return errors.New("netpoll needs Linux") }

func (p *poller) close() {}

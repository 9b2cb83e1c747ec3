package gateway

import (
	"errors"
	"log/slog"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// frameTimeout bounds reading one frame once its first bytes arrived.
const frameTimeout = 10 * time.Second

// pollEvents re-arms a connection for one readiness event at a time, so
// one connection's frames are read in order by one goroutine at a time.
const pollEvents = unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT

// poller waits for many idle connections with one epoll instance instead
// of one blocked goroutine each: a connection costs no goroutine (and no
// stack) until a frame arrives, then a short-lived goroutine reads and
// handles that frame. This is the design of gobwas/ws's netpoll example.
type poller struct {
	epfd   int
	idle   time.Duration
	logger *slog.Logger

	mu    sync.Mutex    // guards conns
	conns map[int]*conn // by file descriptor
}

func newPoller(idle time.Duration, logger *slog.Logger) (*poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	p := &poller{epfd: epfd, idle: idle, logger: logger, conns: map[int]*conn{}}
	go p.wait()
	go p.sweep()
	return p, nil
}

// watch hands an attached connection to the poller.
func (p *poller) watch(c *conn) error {
	sc, ok := c.nc.(syscall.Conn)
	if !ok {
		return errors.New("connection has no file descriptor")
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	if err := raw.Control(func(fd uintptr) { c.fd = int(fd) }); err != nil {
		return err
	}
	c.touch()
	p.mu.Lock()
	p.conns[c.fd] = c
	p.mu.Unlock()
	if err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, c.fd, &unix.EpollEvent{Events: pollEvents, Fd: int32(c.fd)}); err != nil {
		p.forget(c)
		return err
	}
	return nil
}

// forget stops watching c (before its descriptor is closed and reused).
func (p *poller) forget(c *conn) {
	p.mu.Lock()
	if p.conns[c.fd] == c {
		delete(p.conns, c.fd)
	}
	p.mu.Unlock()
	unix.EpollCtl(p.epfd, unix.EPOLL_CTL_DEL, c.fd, nil)
}

func (p *poller) wait() {
	events := make([]unix.EpollEvent, 256)
	for {
		n, err := unix.EpollWait(p.epfd, events, -1)
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			p.logger.Error("epoll wait failed: websocket reads stopped", "error", err)
			return
		}
		p.mu.Lock()
		for _, ev := range events[:n] {
			if c := p.conns[int(ev.Fd)]; c != nil {
				go p.step(c)
			}
		}
		p.mu.Unlock()
	}
}

// step reads and handles one frame of a readable connection, then waits
// for the next one (or closes the connection).
func (p *poller) step(c *conn) {
	c.smu.Lock()
	defer c.smu.Unlock()
	if c.done {
		return
	}
	code, reason := c.readFrame(time.Now().Add(frameTimeout))
	if code == 0 {
		c.touch()
		err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_MOD, c.fd, &unix.EpollEvent{Events: pollEvents, Fd: int32(c.fd)})
		if err == nil {
			return
		}
		code, reason = CloseInternal, "server error"
	}
	c.done = true
	p.forget(c)
	c.finish(code, reason)
}

// sweep closes connections that sent nothing within the idle timeout.
func (p *poller) sweep() {
	for range time.Tick(p.idle / 4) {
		p.mu.Lock()
		var idle []*conn
		for _, c := range p.conns {
			if c.idleFor() > p.idle {
				idle = append(idle, c)
			}
		}
		p.mu.Unlock()
		for _, c := range idle {
			if !c.smu.TryLock() {
				continue // a frame is being read right now
			}
			if !c.done {
				c.done = true
				p.forget(c)
				go func() {
					defer c.smu.Unlock()
					c.finish(CloseIdle, "idle: send a ping at least every 30 seconds")
				}()
				continue
			}
			c.smu.Unlock()
		}
	}
}

package gateway

import (
	"bufio"
	"errors"
	"log/slog"
	"sync"
	"syscall"
	"time"

	"github.com/asynkron/protoactor-go/actor"
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
	wake   int // an eventfd in the epoll set: written to stop wait
	idle   time.Duration
	logger *slog.Logger
	run    actor.Dispatcher // runs steps
	stop   chan struct{}    // closed by close: stops sweep
	done   sync.WaitGroup   // wait and sweep
	closed sync.Once

	mu    sync.Mutex    // guards conns
	conns map[int]*conn // by file descriptor
}

func newPoller(idle time.Duration, run actor.Dispatcher, logger *slog.Logger) (*poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	wake, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err == nil {
		err = unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wake, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wake)})
	}
	if err != nil {
		unix.Close(epfd)
		return nil, err
	}
	p := &poller{epfd: epfd, wake: wake, idle: idle, logger: logger, run: run, stop: make(chan struct{}), conns: map[int]*conn{}}
	p.done.Add(2)
	go p.wait()
	go p.sweep()
	return p, nil
}

// close stops the poller's goroutines and releases its descriptors (the
// connections are the server's to close). Closing twice is fine.
func (p *poller) close() {
	p.closed.Do(func() {
		close(p.stop)
		unix.Write(p.wake, []byte{1, 0, 0, 0, 0, 0, 0, 0})
		p.done.Wait()
		unix.Close(p.wake)
		unix.Close(p.epfd)
	})
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
	defer p.done.Done()
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
			if int(ev.Fd) == p.wake {
				p.mu.Unlock()
				return
			}
			if c := p.conns[int(ev.Fd)]; c != nil {
				p.run.Schedule(func() { p.step(c) })
			}
		}
		p.mu.Unlock()
	}
}

// readBuffer is the size of the buffer step reads a connection's frames
// through: one read system call takes in a frame's header and payload
// (three calls without it), and the frames that arrived with it.
const readBuffer = 4 << 10

// readers are the buffers of the steps running now: an idle connection
// holds none.
var readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, readBuffer) }}

// step reads and handles the frames of a readable connection (those that
// arrived together), then waits for the next ones (or closes the
// connection).
func (p *poller) step(c *conn) {
	c.smu.Lock()
	defer c.smu.Unlock()
	if c.done {
		return
	}
	br := readers.Get().(*bufio.Reader)
	br.Reset(c.nc)
	code, reason := c.readFrame(br, time.Now().Add(frameTimeout))
	for code == 0 && br.Buffered() > 0 { // read in already: handle it now, in order
		code, reason = c.readFrame(br, time.Now().Add(frameTimeout))
	}
	br.Reset(nil)
	readers.Put(br)
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
	defer p.done.Done()
	tick := time.NewTicker(p.idle / 4)
	defer tick.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-tick.C:
		}
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

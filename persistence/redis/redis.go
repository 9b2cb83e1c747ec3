package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/bunnybook/bunnybook"
)

// Defaults of Options.
const (
	DefaultPrefix = "bunnybook:"
	// DefaultTimeout is long enough that a Redis starved of CPU for a few
	// hundred milliseconds (measured: 60 000 connections setting up across
	// six nodes on two cores) is not taken for an outage, which would refuse
	// connections until the next probe.
	DefaultTimeout = time.Second
	DefaultBackoff = time.Second
)

// Options configures a Client. Zero values take the defaults.
type Options struct {
	// Prefix starts every key. Default DefaultPrefix.
	Prefix string
	// Timeout bounds dialing and each read and write, unless the URL sets
	// dial_timeout, read_timeout or write_timeout. Default 300 ms: a cache
	// that answers slower than that is better skipped.
	Timeout time.Duration
	// Backoff is how long, after a failure, calls fail fast before one is
	// let through to probe Redis again. Default 1 s.
	Backoff time.Duration
	// Logger receives the down / back lines. Default slog.Default().
	Logger *slog.Logger
}

// Client is a connection pool to one Redis with an outage detector. It is
// safe for concurrent use; Presence, RateLimiter and Cache share it.
type Client struct {
	rdb     *goredis.Client
	prefix  string
	backoff time.Duration
	log     *slog.Logger

	tokenPrefix string        // random per Client: version tokens never collide across nodes
	tokens      atomic.Uint64 // last token number handed out

	down    atomic.Bool // fast path: true while Redis is believed unreachable
	mu      sync.Mutex  // guards retryAt and probing
	retryAt time.Time
	probing bool
}

// Open connects to the Redis at url (redis://[user:password@]host:port/db
// or rediss:// for TLS) and checks it answers. The returned Client keeps
// working, and recovering, if Redis goes away later.
func Open(ctx context.Context, url string, o Options) (*Client, error) {
	c, err := New(url, o)
	if err != nil {
		return nil, err
	}
	if err := c.Ping(ctx); err != nil {
		c.Close()
		return nil, fmt.Errorf("redis at %s: %w", c.rdb.Options().Addr, err)
	}
	return c, nil
}

// New is Open without the check: for a server that starts degraded when
// Redis is down and uses it once it is up. Only a bad url is an error.
func New(url string, o Options) (*Client, error) {
	opt, err := goredis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	for _, d := range []*time.Duration{&opt.DialTimeout, &opt.ReadTimeout, &opt.WriteTimeout} {
		if *d == 0 {
			*d = o.Timeout
		}
	}
	// Under load (thousands of profile grains refreshing presence) callers
	// queue for a pooled connection: a busy pool is not a Redis outage, so
	// give it room and time (measured: the defaults, 20 connections and a
	// 300 ms wait, declared Redis down at 15 000 connections).
	if opt.PoolSize < 128 {
		opt.PoolSize = 128
	}
	opt.PoolTimeout = 2 * time.Second
	opt.MaxRetries = 1    // one retry covers a pooled connection broken by a Redis restart
	opt.DialerRetries = 1 // a refused dial means down: the outage detector probes again later
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return newClient(goredis.NewClient(opt), o), nil
}

// driverLogger sends go-redis's own log lines (pool dial failures, repeated
// every probe during an outage) to debug: the Client logs the outage
// itself, once. (go-redis has one logger for the whole process.)
type driverLogger struct{ log *slog.Logger }

func (l driverLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, fmt.Sprintf(format, v...))
}

func newClient(rdb *goredis.Client, o Options) *Client {
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if o.Backoff == 0 {
		o.Backoff = DefaultBackoff
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	goredis.SetLogger(driverLogger{o.Logger}) // the driver's own lines, at debug level
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return &Client{rdb: rdb, prefix: o.Prefix, backoff: o.Backoff, log: o.Logger, tokenPrefix: hex.EncodeToString(b[:])}
}

// Clone returns a new Client on the same Redis with the same settings (key
// prefix, timeouts, backoff, logger) but its own connection pool, outage
// detector and version tokens: what another node of the same deployment
// has. Tests use it to play two nodes; close it separately.
func (c *Client) Clone() *Client {
	return newClient(goredis.NewClient(c.rdb.Options()), Options{Prefix: c.prefix, Backoff: c.backoff, Logger: c.log})
}

// Close closes the connection pool.
func (c *Client) Close() error { return c.rdb.Close() }

// Ping reports whether Redis answers now. It always asks Redis (it is the
// readiness check), and its answer updates the outage detector.
func (c *Client) Ping(ctx context.Context) error {
	err := c.rdb.Ping(ctx).Err()
	c.report(ctx, err)
	return translate(err)
}

// Down reports whether Redis is believed unreachable right now.
func (c *Client) Down() bool { return c.down.Load() }

// do runs fn against Redis unless Redis is believed down, in which case it
// fails fast with ErrUnavailable (but lets one probe through per backoff).
func (c *Client) do(ctx context.Context, fn func(ctx context.Context, rdb *goredis.Client) error) error {
	if !c.allow() {
		return errDown
	}
	err := fn(ctx, c.rdb)
	c.report(ctx, err)
	return translate(err)
}

// allow reports whether a call may go to Redis.
func (c *Client) allow() bool {
	if !c.down.Load() {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.probing || time.Now().Before(c.retryAt) {
		return false
	}
	c.probing = true
	return true
}

// report updates the outage detector with the outcome of a call, logging
// the transitions (only those). A canceled caller or an error reply from
// Redis (it answered) says nothing about reachability.
func (c *Client) report(ctx context.Context, err error) {
	var reply goredis.Error
	if err != nil && (ctx.Err() != nil || errors.As(err, &reply) && !errors.Is(err, goredis.Nil)) {
		c.mu.Lock()
		c.probing = false
		c.mu.Unlock()
		return
	}
	failed := err != nil && !errors.Is(err, goredis.Nil)
	if !failed && !c.down.Load() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.probing = false
	if failed {
		c.retryAt = time.Now().Add(c.backoff)
		if !c.down.Swap(true) {
			c.log.Warn("redis unreachable: cache bypassed, rate limits node-local, presence unavailable", "err", err)
		}
		return
	}
	if c.down.Swap(false) {
		c.log.Info("redis reachable again: cache, shared rate limits and presence back")
	}
}

// key returns the full name of a key of the given kind ("c", "p", "rl", …).
func (c *Client) key(kind, name string) string { return c.prefix + kind + ":" + name }

// newToken returns a version token no other Client or call has returned.
func (c *Client) newToken() string {
	return c.tokenPrefix + strconv.FormatUint(c.tokens.Add(1), 36)
}

// errDown is returned while Redis is believed unreachable.
var errDown = bunnybook.Errorf(bunnybook.EUnavailable, "redis is unreachable (retrying)")

// translate turns a go-redis error into the domain's: nil and redis.Nil
// (no such key, handled by callers) pass through, everything else means
// Redis cannot serve and is EUnavailable, with the driver error kept in
// the chain.
func translate(err error) error {
	if err == nil || errors.Is(err, goredis.Nil) || bunnybook.AsError(err) != nil {
		return err
	}
	return fmt.Errorf("%w: %w", bunnybook.Errorf(bunnybook.EUnavailable, "redis is unavailable"), err)
}

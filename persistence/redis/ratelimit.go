package redis

import (
	"context"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/bunnybook/bunnybook"
)

// countScript counts one event in a fixed window: the first event of a
// window creates the counter with the window's expiry. It returns the
// count and the milliseconds left in the window. A counter that somehow
// lost its expiry gets one again, so no key can block a client forever.
var countScript = goredis.NewScript(`
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
`)

// RateLimiter is a bunnybook.RateLimiter whose fixed windows are shared by
// every node. While Redis is unreachable it counts with a node-local
// fallback instead (limits then apply per node); the Client logs the
// switch both ways.
type RateLimiter struct {
	c        *Client
	fallback bunnybook.RateLimiter
}

// RateLimiter returns a limiter on c that uses fallback (for example
// memory.NewRateLimiter()) while Redis is unreachable.
func (c *Client) RateLimiter(fallback bunnybook.RateLimiter) *RateLimiter {
	return &RateLimiter{c: c, fallback: fallback}
}

// Allow counts one event for key in its window of length window. A window
// starts with its first event; limits with different window lengths on the
// same key are counted separately. It never fails while the fallback does
// not.
func (l *RateLimiter) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	ms := window.Milliseconds()
	if ms < 1 {
		ms = 1
	}
	var res []int64
	err := l.c.do(ctx, func(ctx context.Context, rdb *goredis.Client) (err error) {
		k := l.c.key("rl", key+":"+strconv.FormatInt(ms, 10))
		res, err = countScript.Run(ctx, rdb, []string{k}, ms).Int64Slice()
		return err
	})
	if err != nil || len(res) != 2 {
		return l.fallback.Allow(ctx, key, limit, window)
	}
	if res[0] <= int64(limit) {
		return true, 0, nil
	}
	return false, time.Duration(res[1]) * time.Millisecond, nil
}

package redis

import (
	"context"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/bunnybook/bunnybook"
)

// Revocations is a bunnybook.Revocations shared by every node. Each
// revocation is also kept in a node-local fallback, which answers while
// Redis is unreachable (a node then still denies the sessions it revoked
// itself). A session found not revoked is believed for a second without
// asking Redis again (every authenticated request asks), so a revocation
// made on another node takes effect here within a second.
type Revocations struct {
	c        *Client
	fallback bunnybook.Revocations

	mu    sync.Mutex           // guards clear and swept
	clear map[string]time.Time // session id → until when it is known not revoked
	swept time.Time
}

// clearFor is how long a "not revoked" answer from Redis is believed.
const clearFor = time.Second

// Revocations returns a deny-list on c that also keeps revocations in
// fallback (for example memory.NewRevocations()).
func (c *Client) Revocations(fallback bunnybook.Revocations) *Revocations {
	return &Revocations{c: c, fallback: fallback, clear: map[string]time.Time{}}
}

// Revoke denies the session for ttl on every node (on this one only while
// Redis is unreachable; the Client logs the outage). It fails only if the
// fallback does.
func (r *Revocations) Revoke(ctx context.Context, sessionID string, ttl time.Duration) error {
	if err := r.fallback.Revoke(ctx, sessionID, ttl); err != nil {
		return err
	}
	r.c.do(ctx, func(ctx context.Context, rdb *goredis.Client) error {
		return rdb.Set(ctx, r.c.key("revoked", sessionID), 1, ttl).Err()
	})
	return nil
}

// Revoked reports whether the session is denied, here or by any node (by
// another node: from at most a second after). It answers from the fallback
// while Redis is unreachable.
func (r *Revocations) Revoked(ctx context.Context, sessionID string) (bool, error) {
	if denied, err := r.fallback.Revoked(ctx, sessionID); denied || err != nil {
		return denied, err
	}
	now := time.Now()
	if r.knownClear(sessionID, now) {
		return false, nil
	}
	var n int64
	err := r.c.do(ctx, func(ctx context.Context, rdb *goredis.Client) (err error) {
		n, err = rdb.Exists(ctx, r.c.key("revoked", sessionID)).Result()
		return err
	})
	if err != nil {
		return false, nil // unreachable: the fallback's answer
	}
	if n == 0 {
		r.markClear(sessionID, now)
	}
	return n > 0, nil
}

func (r *Revocations) knownClear(sessionID string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return now.Before(r.clear[sessionID])
}

// markClear remembers a "not revoked" answer, dropping expired ones once a
// second.
func (r *Revocations) markClear(sessionID string, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now.Sub(r.swept) > clearFor {
		r.swept = now
		for id, until := range r.clear {
			if !now.Before(until) {
				delete(r.clear, id)
			}
		}
	}
	r.clear[sessionID] = now.Add(clearFor)
}

// attemptScript counts an attempt for KEYS[1] unless it is locked, by
// Redis's clock (nodes' clocks may differ). ARGV: free attempts, base and
// max lock and forget time in ms (bunnybook.Backoff). It returns the ms
// left of the lock, or -1 when the attempt was counted. The same rule as
// bunnybook.Backoff.Lock, which the contract suite checks.
var attemptScript = goredis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local st = redis.call('HMGET', KEYS[1], 'n', 'locked')
local n, locked = tonumber(st[1]) or 0, tonumber(st[2]) or 0
if now < locked then
  return locked - now
end
n = n + 1
local free, base, max, forget = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local lock = 0
if n > free then
  lock = base
  for i = free + 2, n do
    if lock >= max then break end
    lock = lock * 2
  end
  lock = math.min(lock, max)
end
redis.call('HSET', KEYS[1], 'n', n, 'locked', now + lock)
redis.call('PEXPIRE', KEYS[1], lock + forget)
return -1
`)

// Attempts is a bunnybook.AttemptLimiter shared by every node. While Redis
// is unreachable it counts with a node-local fallback instead.
type Attempts struct {
	c        *Client
	fallback bunnybook.AttemptLimiter
}

// Attempts returns an AttemptLimiter on c that uses fallback (for example
// memory.NewAttempts()) while Redis is unreachable.
func (c *Client) Attempts(fallback bunnybook.AttemptLimiter) *Attempts {
	return &Attempts{c: c, fallback: fallback}
}

// Attempt counts an attempt for key unless it is locked; see
// bunnybook.AttemptLimiter.
func (l *Attempts) Attempt(ctx context.Context, key string, b bunnybook.Backoff) (time.Duration, error) {
	var left int64
	err := l.c.do(ctx, func(ctx context.Context, rdb *goredis.Client) (err error) {
		left, err = attemptScript.Run(ctx, rdb, []string{l.c.key("attempts", key)},
			b.Free, b.Base.Milliseconds(), b.Max.Milliseconds(), max(b.Forget.Milliseconds(), 1)).Int64()
		return err
	})
	if err != nil {
		return l.fallback.Attempt(ctx, key, b)
	}
	return time.Duration(max(left, 0)) * time.Millisecond, nil
}

// Reset forgets key's attempts, in Redis and in the fallback. It fails only
// if the fallback does.
func (l *Attempts) Reset(ctx context.Context, key string) error {
	l.c.do(ctx, func(ctx context.Context, rdb *goredis.Client) error {
		return rdb.Del(ctx, l.c.key("attempts", key)).Err()
	})
	return l.fallback.Reset(ctx, key)
}

package redis

import (
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// versionTTL is how long a namespace's version token lives after it was
// set. Losing one is always safe (a new token is made, values under the old
// one are never read again); the TTL only bounds memory, and is long so hot
// namespaces rarely lose their cached values to it.
const versionTTL = time.Hour

// getScript returns {version, value} for a namespace and key in one round
// trip: the version is "generation.token", creating the generation
// (KEYS[1], no expiry) or the namespace token (KEYS[2]) from the fresh
// tokens given when missing; the value key is ARGV[4] .. version .. ARGV[5]
// (computed here, so it is not in KEYS: standalone Redis only).
var getScript = goredis.NewScript(`
local g = redis.call('GET', KEYS[1])
if not g then
  g = ARGV[1]
  redis.call('SET', KEYS[1], g)
end
local v = redis.call('GET', KEYS[2])
if not v then
  v = ARGV[2]
  redis.call('SET', KEYS[2], v, 'PX', ARGV[3])
end
local version = g .. '.' .. v
return {version, redis.call('GET', ARGV[4] .. version .. ARGV[5])}
`)

// Cache is a bunnybook.Cache shared by every node.
type Cache struct{ c *Client }

// Cache returns the cache on c.
func (c *Client) Cache() *Cache { return &Cache{c} }

// Get returns the namespace's version and the value under key in it.
func (k *Cache) Get(ctx context.Context, ns, key string) (string, []byte, bool, error) {
	var res []any
	err := k.c.do(ctx, func(ctx context.Context, rdb *goredis.Client) (err error) {
		keys := []string{k.c.key("gen", ""), k.c.key("v", ns)}
		res, err = getScript.Run(ctx, rdb, keys, k.c.newToken(), k.c.newToken(), versionTTL.Milliseconds(),
			k.c.key("c", ns+"/"), "/"+key).Slice()
		return err
	})
	if err != nil {
		return "", nil, false, fmt.Errorf("cache get: %w", err)
	}
	version, _ := res[0].(string)
	if version == "" || len(res) < 2 {
		return "", nil, false, fmt.Errorf("cache get: unexpected reply %v", res)
	}
	value, ok := res[1].(string)
	return version, []byte(value), ok, nil
}

// Set stores value under key in version of ns, for ttl.
func (k *Cache) Set(ctx context.Context, ns, version, key string, value []byte, ttl time.Duration) error {
	err := k.c.do(ctx, func(ctx context.Context, rdb *goredis.Client) error {
		return rdb.Set(ctx, k.c.key("c", ns+"/"+version+"/"+key), value, ttl).Err()
	})
	if err != nil {
		return fmt.Errorf("cache set: %w", err)
	}
	return nil
}

// Bump gives each namespace a new token, in one round trip.
func (k *Cache) Bump(ctx context.Context, namespaces ...string) error {
	if len(namespaces) == 0 {
		return nil
	}
	err := k.c.do(ctx, func(ctx context.Context, rdb *goredis.Client) error {
		_, err := rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
			for _, ns := range namespaces {
				p.Set(ctx, k.c.key("v", ns), k.c.newToken(), versionTTL)
			}
			return nil
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("cache bump %v: %w", namespaces, err)
	}
	return nil
}

// BumpAll gives the whole cache a new generation, part of every version.
func (k *Cache) BumpAll(ctx context.Context) error {
	err := k.c.do(ctx, func(ctx context.Context, rdb *goredis.Client) error {
		return rdb.Set(ctx, k.c.key("gen", ""), k.c.newToken(), 0).Err()
	})
	if err != nil {
		return fmt.Errorf("cache bump all: %w", err)
	}
	return nil
}

// Lock takes the lock key (SET NX PX) unless someone holds it.
func (k *Cache) Lock(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	var ok bool
	err := k.c.do(ctx, func(ctx context.Context, rdb *goredis.Client) (err error) {
		ok, err = rdb.SetNX(ctx, k.c.key("lock", key), "1", ttl).Result()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("cache lock: %w", err)
	}
	return ok, nil
}

package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// versionTTL is how long a namespace's version token lives after it was
// set. Losing one is always safe (a new token is made, values under the old
// one are never read again); the TTL only bounds memory, and is long so hot
// namespaces rarely lose their cached values to it.
const versionTTL = time.Hour

// versionScript returns "generation.token" for a namespace, creating the
// generation (KEYS[1], no expiry) or the namespace token (KEYS[2]) with the
// fresh tokens given when missing, in one round trip.
var versionScript = goredis.NewScript(`
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
return g .. '.' .. v
`)

// Cache is a bunnybook.Cache shared by every node.
type Cache struct{ c *Client }

// Cache returns the cache on c.
func (c *Client) Cache() *Cache { return &Cache{c} }

// Get returns the value under key.
func (k *Cache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	var v []byte
	err := k.c.do(ctx, func(ctx context.Context, rdb *goredis.Client) (err error) {
		v, err = rdb.Get(ctx, k.c.key("c", key)).Bytes()
		return err
	})
	switch {
	case errors.Is(err, goredis.Nil):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("cache get: %w", err)
	}
	return v, true, nil
}

// Set stores value under key for ttl.
func (k *Cache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	err := k.c.do(ctx, func(ctx context.Context, rdb *goredis.Client) error {
		return rdb.Set(ctx, k.c.key("c", key), value, ttl).Err()
	})
	if err != nil {
		return fmt.Errorf("cache set: %w", err)
	}
	return nil
}

// Version returns the namespace's version token, creating it if needed.
func (k *Cache) Version(ctx context.Context, ns string) (string, error) {
	var v string
	err := k.c.do(ctx, func(ctx context.Context, rdb *goredis.Client) (err error) {
		keys := []string{k.c.key("gen", ""), k.c.key("v", ns)}
		v, err = versionScript.Run(ctx, rdb, keys, k.c.newToken(), k.c.newToken(), versionTTL.Milliseconds()).Text()
		return err
	})
	if err != nil {
		return "", fmt.Errorf("cache version of %s: %w", ns, err)
	}
	return v, nil
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

package main

import (
	"context"
	"fmt"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/api"
	"github.com/bunnybook/bunnybook/persistence/cached"
	"github.com/bunnybook/bunnybook/persistence/memory"
	"github.com/bunnybook/bunnybook/persistence/redis"
)

// redisParts is what Redis provides when BUNNYBOOK_REDIS_URL is set, and
// their single-node, in-memory stand-ins otherwise (the in-memory ones
// also stand in while Redis is down).
type redisParts struct {
	client      *redis.Client // nil without Redis
	limiter     bunnybook.RateLimiter
	attempts    bunnybook.AttemptLimiter
	revocations bunnybook.Revocations
	cache       bunnybook.Cache // nil: no caching
	checks      []api.Check     // /readyz: redis, reported but not fatal
	store       *cached.Store   // the Service's cached store, set by cached
}

// openRedis connects to Redis when configured and sets Presence (unless a
// test set one). A Redis that is down at start is not fatal: the node
// starts degraded (cache bypassed, local rate limits) and uses Redis as soon
// as it answers. Without Redis, a single node caches in memory; a node of a
// cluster (etcd, or a test's shared cluster) does not cache at all, since
// it would not see the other nodes' writes.
func (m *Main) openRedis(ctx context.Context) error {
	m.redis.limiter = memory.NewRateLimiter()
	m.redis.attempts = memory.NewAttempts()
	m.redis.revocations = memory.NewRevocations()
	if m.Config.RedisURL == "" {
		if len(m.Config.ClusterEtcd) == 0 && m.clusterAgent == nil {
			m.redis.cache = memory.NewCache()
		}
		return nil
	}
	c, err := redis.New(m.Config.RedisURL, redis.Options{Logger: m.Logger})
	if err != nil {
		return fmt.Errorf("open redis: %w", err)
	}
	m.closers = append(m.closers, c.Close)
	if err := c.Ping(ctx); err != nil {
		m.Logger.Warn("redis is down at start: starting degraded, will use it once it answers", "err", err)
	}
	m.redis.client = c
	m.redis.limiter = c.RateLimiter(m.redis.limiter)
	m.redis.attempts = c.Attempts(m.redis.attempts)
	m.redis.revocations = c.Revocations(m.redis.revocations)
	m.redis.cache = c.Cache()
	m.redis.checks = []api.Check{{Name: "redis", Ping: c.Ping, Optional: true}}
	if m.Presence == nil {
		m.Presence = c.Presence()
	}
	return nil
}

// cached wraps the Service's store and graph in the cache-aside decorator.
func (m *Main) cached(store bunnybook.Store, graph bunnybook.Graph) *cached.Store {
	m.redis.store = cached.New(store, graph, m.redis.cache, cached.Options{Logger: m.Logger})
	return m.redis.store
}

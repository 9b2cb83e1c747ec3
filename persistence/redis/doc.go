// Package redis implements Bunnybook's shared, multi-node contracts on
// Redis (github.com/redis/go-redis/v9): bunnybook.Presence,
// bunnybook.RateLimiter and bunnybook.Cache.
//
// Redis is never the source of truth, so an unreachable Redis degrades the
// server instead of failing it: a Client notices the first failure, logs one
// line, answers ErrUnavailable immediately for a second instead of waiting
// on timeouts, then lets one call through to probe, and logs one line when
// Redis answers again. The cache decorator treats errors as misses, and the
// rate limiter falls back to node-local counters meanwhile.
//
// Keys all start with the Client's prefix, so several deployments (or test
// runs) can share one Redis. A standalone Redis is assumed (scripts touch
// keys of different hash slots).
//
// Tests get a Client with a key prefix of their own, a second node's Client,
// or a throwaway redis-server from package redistest, next to this one.
package redis

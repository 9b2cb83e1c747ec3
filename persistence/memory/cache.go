package memory

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// versionTTL is how long an unused namespace version is kept. Dropping one
// is always safe: a new token is made and the old values are never read.
const versionTTL = time.Hour

// Cache is an in-memory bunnybook.Cache for a single node. Values and
// versions expire like Redis keys; expired entries are swept at most once
// per sweepEvery. It is safe for concurrent use.
type Cache struct {
	mu        sync.RWMutex // guards everything below
	values    map[string]entry
	versions  map[string]entry // namespace → token
	gen       uint64           // bumped by BumpAll, part of every version
	next      uint64           // last token handed out
	lastSweep time.Time
}

type entry struct {
	value  []byte
	expire time.Time
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{values: map[string]entry{}, versions: map[string]entry{}}
}

// Get returns the namespace's version and the live value under key in it.
func (c *Cache) Get(_ context.Context, ns, key string) (string, []byte, bool, error) {
	now := time.Now()
	c.mu.RLock()
	v, ok := c.versions[ns]
	if ok && now.Before(v.expire) {
		version := string(v.value)
		e, ok := c.values[valueKey(ns, version, key)]
		c.mu.RUnlock()
		if !ok || !now.Before(e.expire) {
			return version, nil, false, nil
		}
		return version, e.value, true, nil
	}
	c.mu.RUnlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok = c.versions[ns]
	if !ok || !now.Before(v.expire) { // still missing: nobody made it meanwhile
		v = c.newVersion(now)
		c.versions[ns] = v
	}
	return string(v.value), nil, false, nil
}

// Set stores value under key in version of ns, for ttl. The cache keeps
// value as is: callers must not modify it afterwards.
func (c *Cache) Set(_ context.Context, ns, version, key string, value []byte, ttl time.Duration) error {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sweep(now)
	c.values[valueKey(ns, version, key)] = entry{value: value, expire: now.Add(ttl)}
	return nil
}

// Bump gives each namespace a new token.
func (c *Cache) Bump(_ context.Context, namespaces ...string) error {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ns := range namespaces {
		c.versions[ns] = c.newVersion(now)
	}
	return nil
}

// BumpAll drops everything: values, versions and locks.
func (c *Cache) BumpAll(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.values)
	clear(c.versions)
	return nil
}

// Lock takes the lock key for ttl unless it is held.
func (c *Cache) Lock(_ context.Context, key string, ttl time.Duration) (bool, error) {
	now := time.Now()
	key = "lock\x00" + key
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.values[key]; ok && now.Before(e.expire) {
		return false, nil
	}
	c.values[key] = entry{expire: now.Add(ttl)}
	return true, nil
}

// Len returns the number of stored values and locks, live or not yet swept.
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.values)
}

func valueKey(ns, version, key string) string { return ns + "\x00" + version + "\x00" + key }

// newVersion returns a fresh token entry. Caller holds mu.
func (c *Cache) newVersion(now time.Time) entry {
	c.next++
	token := strconv.FormatUint(c.gen, 36) + "." + strconv.FormatUint(c.next, 36)
	return entry{value: []byte(token), expire: now.Add(versionTTL)}
}

// sweep drops expired entries, at most once per sweepEvery. Caller holds mu.
func (c *Cache) sweep(now time.Time) {
	if now.Sub(c.lastSweep) < sweepEvery {
		return
	}
	c.lastSweep = now
	for k, e := range c.values {
		if !now.Before(e.expire) {
			delete(c.values, k)
		}
	}
	for k, e := range c.versions {
		if !now.Before(e.expire) {
			delete(c.versions, k)
		}
	}
}

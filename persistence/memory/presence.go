package memory

import (
	"context"
	"sync"
	"time"
)

// Presence is an in-memory bunnybook.Presence for a single node: entries
// expire like Redis keys with a TTL. It is safe for concurrent use.
type Presence struct {
	mu     sync.Mutex // guards until
	until  map[string]time.Time
	lastGC time.Time
}

// NewPresence returns an empty registry.
func NewPresence() *Presence { return &Presence{until: map[string]time.Time{}} }

// SetOnline marks ids online for ttl.
func (p *Presence) SetOnline(_ context.Context, ttl time.Duration, ids ...string) error {
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range ids {
		p.until[id] = now.Add(ttl)
	}
	if now.Sub(p.lastGC) > time.Minute {
		p.lastGC = now
		for k, t := range p.until {
			if !t.After(now) {
				delete(p.until, k)
			}
		}
	}
	return nil
}

// SetOffline marks id offline.
func (p *Presence) SetOffline(_ context.Context, id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.until, id)
	return nil
}

// Online returns the ids that are online, in order.
func (p *Presence) Online(_ context.Context, ids []string) ([]string, error) {
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, id := range ids {
		if p.until[id].After(now) {
			out = append(out, id)
		}
	}
	return out, nil
}

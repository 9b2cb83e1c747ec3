package redis

import (
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Presence is a bunnybook.Presence shared by every node: a profile is
// online while its key, refreshed by the node holding its connections,
// has not expired.
type Presence struct{ c *Client }

// Presence returns the presence registry on c.
func (c *Client) Presence() *Presence { return &Presence{c} }

// SetOnline marks id online for ttl.
func (p *Presence) SetOnline(ctx context.Context, id string, ttl time.Duration) error {
	err := p.c.do(ctx, func(ctx context.Context, rdb *goredis.Client) error {
		return rdb.Set(ctx, p.c.key("p", id), "1", ttl).Err()
	})
	if err != nil {
		return fmt.Errorf("set %s online: %w", id, err)
	}
	return nil
}

// SetOffline marks id offline.
func (p *Presence) SetOffline(ctx context.Context, id string) error {
	err := p.c.do(ctx, func(ctx context.Context, rdb *goredis.Client) error {
		return rdb.Del(ctx, p.c.key("p", id)).Err()
	})
	if err != nil {
		return fmt.Errorf("set %s offline: %w", id, err)
	}
	return nil
}

// Online returns the ids that are online, in order, with one MGET.
func (p *Presence) Online(ctx context.Context, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = p.c.key("p", id)
	}
	var vals []any
	err := p.c.do(ctx, func(ctx context.Context, rdb *goredis.Client) (err error) {
		vals, err = rdb.MGet(ctx, keys...).Result()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("online lookup of %d profiles: %w", len(ids), err)
	}
	var out []string
	for i, v := range vals {
		if v != nil {
			out = append(out, ids[i])
		}
	}
	return out, nil
}

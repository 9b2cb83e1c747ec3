package redis

import (
	"context"
	"fmt"
	"slices"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Presence is a bunnybook.Presence shared by every node: a profile is
// online while its key, refreshed by the node holding its connections,
// has not expired.
type Presence struct{ c *Client }

// Presence returns the presence registry on c.
func (c *Client) Presence() *Presence { return &Presence{c} }

// batch is the most keys one Redis command or pipeline carries, so a node's
// whole heartbeat does not hold Redis up in one go.
const batch = 1000

// SetOnline marks ids online for ttl, pipelined.
func (p *Presence) SetOnline(ctx context.Context, ttl time.Duration, ids ...string) error {
	for chunk := range slices.Chunk(ids, batch) {
		err := p.c.do(ctx, func(ctx context.Context, rdb *goredis.Client) error {
			_, err := rdb.Pipelined(ctx, func(pipe goredis.Pipeliner) error {
				for _, id := range chunk {
					pipe.Set(ctx, p.c.key("p", id), "1", ttl)
				}
				return nil
			})
			return err
		})
		if err != nil {
			return fmt.Errorf("set %d profiles online: %w", len(chunk), err)
		}
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

// Online returns the ids that are online, in order, with one MGET per
// thousand ids.
func (p *Presence) Online(ctx context.Context, ids []string) ([]string, error) {
	var out []string
	keys := make([]string, 0, min(len(ids), batch))
	for chunk := range slices.Chunk(ids, batch) {
		keys = keys[:0]
		for _, id := range chunk {
			keys = append(keys, p.c.key("p", id))
		}
		var vals []any
		err := p.c.do(ctx, func(ctx context.Context, rdb *goredis.Client) (err error) {
			vals, err = rdb.MGet(ctx, keys...).Result()
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("online lookup of %d profiles: %w", len(ids), err)
		}
		for i, v := range vals {
			if v != nil {
				out = append(out, chunk[i])
			}
		}
	}
	return out, nil
}

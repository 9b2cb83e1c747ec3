package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pa "github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/automanaged"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/test"
	"github.com/asynkron/protoactor-go/remote"
)

// Config says how this node joins its cluster.
type Config struct {
	Name string // cluster name; nodes with the same name form one cluster; default "bunnybook"
	Host string // remoting bind host; default 127.0.0.1
	Port int    // remoting port; 0 = any free port
	// AdvertisedHost is host:port other nodes use to reach this one, when
	// it differs from Host:Port (containers). Default: the bound address.
	AdvertisedHost string
	// Peers lists every node's membership address (host:port of its
	// automanaged health endpoint), this one included. Empty = a
	// single-node cluster inside this process.
	Peers []string
	// MembershipPort is this node's automanaged health port, used with Peers.
	MembershipPort int
	// Agent, when set, joins an in-process cluster shared with other
	// members in the same process (tests).
	Agent *test.InMemAgent
	// Timeout bounds one grain call; default 5s.
	Timeout time.Duration
}

// Start starts a member that hosts kinds and waits until it can place them.
func Start(ctx context.Context, cfg Config, kinds []*pa.Kind, logger *slog.Logger) (c *pa.Cluster, err error) {
	if cfg.Name == "" {
		cfg.Name = "bunnybook"
	}
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	system := actor.NewActorSystem(actor.WithLoggerFactory(func(s *actor.ActorSystem) *slog.Logger {
		// The library reports routine membership work at info level: keep
		// its warnings and errors, unless the server logs at debug.
		h := logger.Handler()
		if !h.Enabled(context.Background(), slog.LevelDebug) {
			h = warnAndAbove{h}
		}
		return slog.New(h).With("lib", "protoactor", "system", s.ID)
	}))
	var provider pa.ClusterProvider
	switch {
	case len(cfg.Peers) > 0:
		provider = automanaged.NewWithConfig(2*time.Second, cfg.MembershipPort, cfg.Peers...)
	case cfg.Agent != nil:
		provider = test.NewTestProvider(cfg.Agent)
	default:
		// One node: the membership is this process. Proto.Actor's
		// in-memory provider (its package is named "test", but it is a
		// plain in-process member list) is exactly that, with no port to
		// open, no timer that could split it and nothing to configure.
		provider = test.NewTestProvider(test.NewInMemAgent())
	}
	var remoteOpts []remote.ConfigOption
	if cfg.AdvertisedHost != "" {
		remoteOpts = append(remoteOpts, remote.WithAdvertisedHost(cfg.AdvertisedHost))
	}
	conf := pa.Configure(cfg.Name, provider, NewPlacement(), remote.Configure(cfg.Host, cfg.Port, remoteOpts...),
		pa.WithKinds(kinds...), pa.WithRequestTimeout(cfg.Timeout))
	c = pa.New(system, conf)
	defer func() {
		// StartMember panics when it cannot start (e.g. the port is taken).
		if r := recover(); r != nil {
			err = fmt.Errorf("start cluster member: %v", r)
		}
	}()
	c.StartMember()
	if err := waitForKinds(ctx, c, kinds); err != nil {
		c.Shutdown(false)
		return nil, err
	}
	return c, nil
}

// waitForKinds polls the member list until this node's kinds are placeable
// (the library's consensus check is broken in this version).
func waitForKinds(ctx context.Context, c *pa.Cluster, kinds []*pa.Kind) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		if hasKinds(c, kinds) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cluster member did not become ready: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func hasKinds(c *pa.Cluster, kinds []*pa.Kind) bool {
	for _, k := range kinds {
		found := false
		for _, m := range c.MemberList.Members().Members() {
			for _, mk := range m.Kinds {
				found = found || mk == k.Kind
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// warnAndAbove drops records below warning level.
type warnAndAbove struct{ slog.Handler }

func (h warnAndAbove) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}

func (h warnAndAbove) WithAttrs(attrs []slog.Attr) slog.Handler {
	return warnAndAbove{h.Handler.WithAttrs(attrs)}
}

func (h warnAndAbove) WithGroup(name string) slog.Handler {
	return warnAndAbove{h.Handler.WithGroup(name)}
}

// Watchdog ends splits. With the automanaged provider one missed health
// poll (a process paused for two seconds is enough) makes members declare
// each other gone, and Proto.Actor never lets a member id back in: both
// sides live on, each alone, and a profile can then be active on both. The
// watchdog asks the peers' health endpoints who they are every two
// seconds; when a peer answers but has not been in our member list for
// longer than grace (if its id is lower than ours) or twice grace (if it is
// higher), the returned channel reports it, once. The process should then
// exit and be restarted by its supervisor with a new id, which the others
// let in. When both sides see the split, the higher id restarts first and
// the lower one stays; when only the lower one sees it, it restarts itself.
func Watchdog(ctx context.Context, c *pa.Cluster, peers []string, grace time.Duration) <-chan error {
	out := make(chan error, 1)
	client := &http.Client{Timeout: time.Second}
	go func() {
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		var since time.Time
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			peer, lower := splitPeer(ctx, c, client, peers)
			if peer == "" {
				since = time.Time{}
				continue
			}
			if since.IsZero() {
				since = time.Now()
			}
			limit := 2 * grace
			if lower {
				limit = grace
			}
			if d := time.Since(since); d > limit {
				out <- fmt.Errorf("split from the cluster: peer %s answers but has not been a member for %s; exiting so that this node restarts with a new identity", peer, d.Round(time.Second))
				return
			}
		}
	}()
	return out
}

// splitPeer returns a peer that answers its health endpoint but is not in
// our member list (one with a lower id than ours if there is one, and
// whether its id is lower), or "".
func splitPeer(ctx context.Context, c *pa.Cluster, client *http.Client, peers []string) (peer string, lower bool) {
	self := c.ActorSystem.ID
	for _, p := range peers {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p+"/_health", nil)
		if err != nil {
			continue
		}
		res, err := client.Do(req)
		if err != nil {
			continue // down or slow: the provider's business
		}
		var node struct{ ID string }
		err = json.NewDecoder(io.LimitReader(res.Body, 1<<16)).Decode(&node)
		res.Body.Close()
		if err != nil || node.ID == "" || node.ID == self || c.MemberList.ContainsMemberID(node.ID) {
			continue
		}
		if peer, lower = p, node.ID < self; lower {
			return peer, true
		}
	}
	return peer, false
}

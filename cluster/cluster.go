package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pa "github.com/asynkron/protoactor-go/cluster"
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
	// Etcd lists etcd endpoints (host:port). When set, membership lives
	// in etcd (see etcd.go); empty = a single-node cluster inside this
	// process (or Agent's in-process cluster).
	Etcd []string
	// LeaseTTL is how long this node stays a member after its last
	// successful keepalive to etcd, and so about how long the others take
	// to notice it died; whole seconds, default 5s.
	LeaseTTL time.Duration
	// Agent, when set, joins an in-process cluster shared with other
	// members in the same process (tests).
	Agent *test.InMemAgent
	// Timeout bounds one grain call; default 5s.
	Timeout time.Duration

	// heartbeatExpiry replaces heartbeatNever on the etcd path; only the
	// tests set it, to show what the default prevents.
	heartbeatExpiry time.Duration
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
	if cfg.LeaseTTL == 0 {
		cfg.LeaseTTL = 5 * time.Second
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
	logMembership(system, logger)
	opts := []pa.ConfigOption{pa.WithKinds(kinds...), pa.WithRequestTimeout(cfg.Timeout)}
	var provider pa.ClusterProvider
	switch {
	case len(cfg.Etcd) > 0:
		etcd := newEtcdProvider(cfg.Etcd, cfg.LeaseTTL, logger)
		provider = etcd
		defer func() {
			if err != nil {
				_ = etcd.Shutdown(false) // Cluster.Shutdown(false) skips the provider
			}
		}()
		// Gossip blocks the ActorSystem id of a member whose heartbeat it
		// has not seen for HeartbeatExpiration (20s), for good: a node
		// paused or cut off that long could never talk to the others again,
		// even after it re-registers in etcd under a new member id. etcd's
		// leases already decide who is in, so heartbeats never expire.
		hb := heartbeatNever
		if cfg.heartbeatExpiry > 0 {
			hb = cfg.heartbeatExpiry
		}
		opts = append(opts, pa.WithHeartbeatExpiration(hb))
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
	conf := pa.Configure(cfg.Name, provider, NewPlacement(), remote.Configure(cfg.Host, cfg.Port, remoteOpts...), opts...)
	c = pa.New(system, conf)
	defer func() {
		// StartMember panics when it cannot start (e.g. the port is taken).
		if r := recover(); r != nil {
			err = fmt.Errorf("start cluster member: %v", r)
			stopQuietly(c) // free the remoting port and gossip loop
		}
	}()
	c.StartMember()
	if err := waitForKinds(ctx, c, kinds); err != nil {
		c.Shutdown(false)
		return nil, err
	}
	return c, nil
}

// stopQuietly stops a member whose start failed part way; what was never
// started may panic on the way down.
func stopQuietly(c *pa.Cluster) {
	defer func() { _ = recover() }()
	c.Shutdown(false)
}

// heartbeatNever is a gossip heartbeat expiry that is never reached.
const heartbeatNever = time.Duration(math.MaxInt64)

// logMembership logs every member that joins or leaves this node's view
// of the cluster, from the topology events Proto.Actor publishes (the same
// events metrics can follow).
func logMembership(system *actor.ActorSystem, logger *slog.Logger) {
	system.EventStream.Subscribe(func(e any) {
		t, ok := e.(*pa.ClusterTopology)
		if !ok {
			return
		}
		for _, m := range t.Joined {
			logger.Info("cluster member joined", "node", system.ID, "member_id", m.Id, "address", m.Address(), "members", len(t.Members))
		}
		for _, m := range t.Left {
			logger.Info("cluster member left", "node", system.ID, "member_id", m.Id, "address", m.Address(), "members", len(t.Members))
		}
	})
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

// Leave takes this node out of the membership at once (its etcd lease is
// revoked), so that peers place its grains on themselves now rather than
// after the lease's TTL. The node goes on serving what it hosts until Stop.
func Leave(c *pa.Cluster) {
	if err := c.Config.ClusterProvider.Shutdown(true); err != nil {
		c.Logger().Warn("leave the cluster", "error", err)
	}
}

// Stop leaves the membership, stops the grains this node hosts (waiting a
// bounded time: see Placement.Shutdown) and then the actor system and
// remoting, without Proto.Actor's graceful path, which sleeps 2 s and may
// wait 10 s more for remoting to stop.
func Stop(c *pa.Cluster) {
	Leave(c)
	c.IdentityLookup.Shutdown()
	c.Shutdown(false)
}

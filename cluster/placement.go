package cluster

import (
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pa "github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/eventstream"
	"github.com/asynkron/protoactor-go/remote"
	"github.com/cespare/xxhash/v2"
)

// PlacementActorName is the name of the actor on every member that
// activates the grains that member owns.
const PlacementActorName = "bunnybook-placement"

const (
	// activationTimeout bounds one Get's wait for an owner's placement
	// actor. An activation is a spawn (microseconds) behind a queue of
	// other activations (tens of thousands a second), so a live owner
	// answers within milliseconds; past a second the owner is dead or cut
	// off, and the caller is better served by a nil PID and its own retry
	// (with backoff, within its request timeout) than by waiting longer.
	activationTimeout = time.Second
	// downMarkTTL is how long an address reported terminated by remoting
	// makes Get answer nil at once, if the membership neither removes it
	// nor sees it rejoin, nor remoting reconnects to it.
	downMarkTTL = 10 * time.Second
	// shutdownWait bounds Shutdown: all local grains together get this long
	// to finish their queued messages and stop.
	shutdownWait = 2 * time.Second
)

// Placement is the identity lookup of Bunnybook's cluster: it decides which
// member hosts each grain and activates grains there. It replaces
// Proto.Actor's disthash, keeping its contracts (grains spawned with their
// ClusterIdentity set, so they get ClusterInit, kind counts, PID cache
// entries, ActivationTerminated broadcasts on every member's event stream).
//
// The owner of an identity is chosen by rendezvous hashing over the
// members that host its kind (see view.owner). Each member runs one
// placement actor (PlacementActorName) that spawns the grains it owns as
// its children. Get asks the owner's placement actor for the PID; an owner
// that does not consider itself the owner in its own view (views disagree
// for a moment after a topology change) answers with an ActivationResponse
// without PID, and Get returns nil so that the caller retries with its
// backoff, instead of activating a second copy.
//
// Placement gives no single-activation guarantee: while members' views
// differ (between a join and the last member hearing of it) two members can
// each believe they own an identity.
type Placement struct {
	cluster *pa.Cluster
	logger  *slog.Logger
	self    string     // this member's address
	pid     *actor.PID // the placement actor; nil for a client
	view    atomic.Pointer[view]
	subs    []*eventstream.Subscription
	closed  atomic.Bool
	once    sync.Once

	mu   sync.Mutex           // guards down
	down map[string]time.Time // address → when remoting reported it terminated
}

var _ pa.IdentityLookup = (*Placement)(nil)

// NewPlacement returns an identity lookup to pass to pa.Configure.
func NewPlacement() *Placement {
	p := &Placement{down: map[string]time.Time{}}
	p.view.Store(newView(nil))
	return p
}

// Setup starts the placement actor (on a member) and follows the topology.
func (p *Placement) Setup(c *pa.Cluster, _ []string, isClient bool) {
	p.cluster, p.logger, p.self = c, c.Logger(), c.ActorSystem.Address()
	if !isClient {
		props := actor.PropsFromProducer(func() actor.Actor { return newPlacementActor(p) },
			actor.WithDispatcher(NewDispatcher(1, time.Minute)))
		pid, err := c.ActorSystem.Root.SpawnNamed(props, PlacementActorName)
		if err != nil {
			panic(err) // StartMember reports start failures by panicking; Start recovers
		}
		p.pid = pid
	}
	p.subs = append(p.subs, c.ActorSystem.EventStream.Subscribe(p.onEvent))
}

// onEvent runs on the publisher's goroutine (the member list's, remoting's).
func (p *Placement) onEvent(e any) {
	switch e := e.(type) {
	case *pa.ClusterTopology:
		p.onTopology(e)
	case *remote.EndpointTerminatedEvent:
		if e.Address != p.self && p.view.Load().has(e.Address) {
			p.mu.Lock()
			p.down[e.Address] = time.Now()
			p.mu.Unlock()
			// Calls to grains cached there would wait out their timeout.
			if m := memberAt(e.Address); m != nil {
				p.cluster.PidCache.RemoveByMember(m)
			}
		}
	case *remote.EndpointConnectedEvent:
		p.forgetDown(e.Address)
	case *pa.ActivationTerminated:
		// Broadcast by the grain's owner: a cached PID of a stopped grain
		// would cost the next call a dead letter and a retry.
		if ci := e.GetClusterIdentity(); ci != nil && e.GetPid() != nil {
			p.cluster.PidCache.RemoveByValue(ci.Identity, ci.Kind, e.GetPid())
		}
	}
}

func (p *Placement) onTopology(t *pa.ClusterTopology) {
	v := newView(t.Members)
	p.view.Store(v)
	p.mu.Lock()
	for addr := range p.down {
		if !v.has(addr) {
			delete(p.down, addr) // gone: no longer anyone's owner
		}
	}
	for _, m := range t.Joined {
		delete(p.down, m.Address()) // a new process at that address
	}
	p.mu.Unlock()
	if p.pid != nil && !p.closed.Load() {
		p.cluster.ActorSystem.Root.Send(p.pid, v)
	}
}

func (p *Placement) forgetDown(addr string) {
	p.mu.Lock()
	delete(p.down, addr)
	p.mu.Unlock()
}

// isDown reports whether remoting lost addr recently while it is still a
// member: its grains are unreachable until the membership removes it.
func (p *Placement) isDown(addr string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	at, ok := p.down[addr]
	if ok && time.Since(at) > downMarkTTL {
		delete(p.down, addr)
		ok = false
	}
	return ok
}

// Owner returns the address of the member that owns identity of kind in
// this member's current view, or "" when no member hosts kind.
func (p *Placement) Owner(identity, kind string) string {
	return p.view.Load().owner(kind, identity)
}

// Get returns the PID of the grain, activating it on its owner if needed,
// or nil when the owner is unknown, known to be down, refuses (it does not
// own the identity in its view) or does not answer within
// activationTimeout; callers (pa.DefaultContext) then retry.
func (p *Placement) Get(ci *pa.ClusterIdentity) *actor.PID {
	if p.closed.Load() {
		return nil
	}
	owner := p.Owner(ci.Identity, ci.Kind)
	if owner == "" || p.isDown(owner) {
		return nil
	}
	req := &pa.ActivationRequest{ClusterIdentity: ci}
	res, err := p.cluster.ActorSystem.Root.RequestFuture(actor.NewPID(owner, PlacementActorName), req, activationTimeout).Result()
	if err != nil {
		return nil
	}
	ar, _ := res.(*pa.ActivationResponse)
	return ar.GetPid()
}

// RemovePid tells every member that pid no longer serves ci.
func (p *Placement) RemovePid(ci *pa.ClusterIdentity, pid *actor.PID) {
	p.cluster.MemberList.BroadcastEvent(&pa.ActivationTerminated{Pid: pid, ClusterIdentity: ci}, true)
}

// Shutdown stops the local grains (poisoned, so each finishes the messages
// it has queued) and the placement actor, waiting at most shutdownWait for
// all of them together. It may be called more than once
// (pa.Cluster.Shutdown(true) does).
func (p *Placement) Shutdown() {
	p.once.Do(func() {
		p.closed.Store(true)
		for _, s := range p.subs {
			p.cluster.ActorSystem.EventStream.Unsubscribe(s)
		}
		if p.pid == nil {
			return
		}
		deadline := time.Now().Add(shutdownWait)
		stop := &stopGrains{done: make(chan struct{})}
		p.cluster.ActorSystem.Root.Send(p.pid, stop)
		select {
		case <-stop.done:
		case <-time.After(shutdownWait):
			p.logger.Warn("grains still running at shutdown; stopping them", slog.Int("grains", p.activeGrains()),
				slog.Duration("waited", shutdownWait))
		}
		// Stopping the placement actor stops the grains still left at once
		// (after their current message) and waits for them: bound that too,
		// leaving a moment for it when the poisoned grains took all the time.
		stopped := make(chan struct{})
		go func() {
			_ = p.cluster.ActorSystem.Root.StopFuture(p.pid).Wait()
			close(stopped)
		}()
		select {
		case <-stopped:
		case <-time.After(max(time.Until(deadline), 200*time.Millisecond)):
			p.logger.Warn("placement actor did not stop in time", slog.Duration("waited", shutdownWait))
		}
	})
}

// activeGrains counts this member's grains of every kind.
func (p *Placement) activeGrains() int {
	n := 0
	for _, k := range p.cluster.GetClusterKinds() {
		if ak, ok := p.cluster.TryGetClusterKind(k); ok {
			n += int(ak.Count())
		}
	}
	return n
}

// stopGrains asks the placement actor to poison every grain and refuse
// new activations; it closes done once no grain is left.
type stopGrains struct{ done chan struct{} }

// view is one member's picture of the cluster for placement, built from a
// ClusterTopology and never changed after.
type view struct {
	byKind map[string][]node // members hosting each kind
	addrs  map[string]bool
}

// node is a member as rendezvous hashing sees it.
type node struct {
	addr string
	hash uint64 // xxhash of addr
}

func newView(members []*pa.Member) *view {
	v := &view{byKind: map[string][]node{}, addrs: map[string]bool{}}
	for _, m := range members {
		addr := m.Address()
		if v.addrs[addr] {
			continue // a restarted process before its old self left: one address, one owner
		}
		v.addrs[addr] = true
		n := node{addr: addr, hash: xxhash.Sum64String(addr)}
		for _, k := range m.Kinds {
			v.byKind[k] = append(v.byKind[k], n)
		}
	}
	return v
}

func (v *view) has(addr string) bool { return v.addrs[addr] }

func (v *view) owner(kind, identity string) string {
	return rendezvous(v.byKind[kind], identity)
}

// rendezvous returns the address of the node with the highest score for
// identity, "" for no nodes. The score mixes the node's and the identity's
// 64-bit hashes with a finaliser, so that addresses differing in one
// character score independently (Proto.Actor's FNV-1a-32 rendezvous gave
// one member of three half the grains). No seed: every process agrees.
// Adding or removing a node only moves the identities it wins or held.
func rendezvous(nodes []node, identity string) string {
	h := xxhash.Sum64String(identity)
	best, bestScore := "", uint64(0)
	for _, n := range nodes {
		s := mix64(n.hash ^ h)
		if best == "" || s > bestScore || s == bestScore && n.addr < best {
			best, bestScore = n.addr, s
		}
	}
	return best
}

// mix64 is SplitMix64's finaliser: a bijection in which every input bit
// flips each output bit with probability about one half.
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// memberAt is a member with only the address host:port, or nil.
func memberAt(addr string) *pa.Member {
	host, port, err := net.SplitHostPort(addr)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil {
		return nil
	}
	return &pa.Member{Host: host, Port: int32(n)}
}

package cluster

import (
	"github.com/asynkron/protoactor-go/actor"
	pa "github.com/asynkron/protoactor-go/cluster"
)

// placementActor activates the grains its member owns, as its children,
// and keeps them in two indexes so that a grain's stop costs O(1) however
// many grains the member hosts. Its state is owned by the actor.
type placementActor struct {
	p       *Placement
	byKey   map[grainKey]*grain
	byPID   map[string]*grain // child PID's Id → grain
	stopped *stopGrains       // set by Shutdown: activate nothing more

	// props are the grain kinds' props, made once per kind: they give each
	// grain the identity in activating, set while activate spawns it (the
	// props' init runs inside the spawn): a Grain by SetIdentity, others as
	// the ClusterIdentity that pa.NewKind's middleware reads.
	// pa.WithClusterIdentity would copy the props for every activation, and
	// keep the copy as long as the grain lives.
	props      map[string]*actor.Props
	activating *pa.ClusterIdentity
}

// grainKey is a grain's kind and identity (ClusterIdentity.AsKey without
// the string it allocates).
type grainKey struct{ kind, identity string }

func keyOf(ci *pa.ClusterIdentity) grainKey { return grainKey{ci.Kind, ci.Identity} }

// grain is one activation.
type grain struct {
	ci      *pa.ClusterIdentity
	pid     *actor.PID
	leaving bool // poisoned: this member no longer owns it, or is stopping
}

func newPlacementActor(p *Placement) *placementActor {
	return &placementActor{p: p, byKey: map[grainKey]*grain{}, byPID: map[string]*grain{}, props: map[string]*actor.Props{}}
}

func (a *placementActor) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *pa.ActivationRequest:
		ctx.Respond(a.activate(ctx, msg.GetClusterIdentity()))
	case *actor.Terminated:
		a.terminated(msg.Who)
	case *view:
		a.rebalance(ctx)
	case *stopGrains:
		a.stopAll(ctx, msg)
	}
}

// activate returns the grain's PID, spawning it if needed. It answers
// without PID (the caller's Get returns nil and the caller retries) when
// this member does not own the identity in its current view, when the
// grain is on its way out, or when the member is shutting down; Failed is
// set for a kind this member does not host.
func (a *placementActor) activate(ctx actor.Context, ci *pa.ClusterIdentity) *pa.ActivationResponse {
	if ci == nil || a.stopped != nil || a.p.Owner(ci.Identity, ci.Kind) != a.p.self {
		return &pa.ActivationResponse{}
	}
	key := keyOf(ci)
	if g, ok := a.byKey[key]; ok {
		if g.leaving {
			return &pa.ActivationResponse{}
		}
		return &pa.ActivationResponse{Pid: g.pid}
	}
	kind, ok := a.p.cluster.TryGetClusterKind(ci.Kind)
	if !ok {
		return &pa.ActivationResponse{Failed: true}
	}
	props, ok := a.props[ci.Kind]
	if !ok {
		props = kind.Props.Clone(actor.WithOnInit(func(ctx actor.Context) {
			if g, ok := ctx.Actor().(Grain); ok {
				g.SetIdentity(a.activating.Identity)
			} else {
				pa.SetClusterIdentity(ctx, a.activating)
			}
		}))
		a.props[ci.Kind] = props
	}
	a.activating = ci
	pid := ctx.SpawnPrefix(props, ci.Identity)
	a.activating = nil
	kind.Inc()
	g := &grain{ci: ci, pid: pid}
	a.byKey[key], a.byPID[pid.Id] = g, g
	return &pa.ActivationResponse{Pid: pid}
}

// terminated forgets a stopped grain and tells every member, so that they
// drop it from their PID caches (not while shutting down: the members drop
// all of this member's PIDs when it leaves).
func (a *placementActor) terminated(who *actor.PID) {
	g, ok := a.byPID[who.Id]
	if !ok {
		return
	}
	delete(a.byPID, who.Id)
	if key := keyOf(g.ci); a.byKey[key] == g {
		delete(a.byKey, key)
	}
	if kind, ok := a.p.cluster.TryGetClusterKind(g.ci.Kind); ok {
		kind.Dec()
	}
	if a.stopped == nil {
		a.p.cluster.MemberList.BroadcastEvent(&pa.ActivationTerminated{Pid: g.pid, ClusterIdentity: g.ci}, true)
	} else if len(a.byPID) == 0 {
		close(a.stopped.done)
	}
}

// rebalance poisons, without waiting, the grains another member owns in
// the current view; they activate there on their next call.
func (a *placementActor) rebalance(ctx actor.Context) {
	for _, g := range a.byPID {
		if !g.leaving && a.p.Owner(g.ci.Identity, g.ci.Kind) != a.p.self {
			g.leaving = true
			ctx.Poison(g.pid)
		}
	}
}

// stopAll poisons every grain and refuses activations from now on.
func (a *placementActor) stopAll(ctx actor.Context, msg *stopGrains) {
	a.stopped = msg
	for _, g := range a.byPID {
		if !g.leaving {
			g.leaving = true
			ctx.Poison(g.pid)
		}
	}
	if len(a.byPID) == 0 {
		close(msg.done)
	}
}

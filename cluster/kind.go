package cluster

import (
	"github.com/asynkron/protoactor-go/actor"
	pa "github.com/asynkron/protoactor-go/cluster"
)

// Grain is an actor the placement tells its identity as it spawns it.
type Grain interface {
	actor.Actor
	// SetIdentity is called once, before the grain's first message
	// (actor.Started).
	SetIdentity(identity string)
}

// NewKind returns a kind of grains made by newGrain. Unlike pa.NewKind's,
// its grains get no pa.ClusterInit and carry no ClusterIdentity in their
// context, which spares each about 200 bytes (its context extensions): the
// placement tells them their identity with SetIdentity. The placement still
// counts them and broadcasts their stops (pa.ActivationTerminated).
func NewKind(kind string, newGrain func() Grain, opts ...actor.PropsOption) *pa.Kind {
	return &pa.Kind{Kind: kind, Props: actor.PropsFromProducer(func() actor.Actor { return newGrain() }, opts...)}
}

package gateway

import (
	"fmt"
	"slices"

	"github.com/asynkron/protoactor-go/actor"
	pa "github.com/asynkron/protoactor-go/cluster"

	"github.com/bunnybook/bunnybook/actors"
)

// router is the node's gateway actor. Profile grains, wherever they run,
// send it pushes and close requests addressed to connection ids; it hands
// them to the connections, and it follows the grains its connections are
// attached to, so that connections attach again when a grain stops: it
// watches grains on other nodes (whose node may die), and hears of the
// stop of every grain from the ActivationTerminated that the grain's
// placement broadcasts (Server.followGrains), which spares a watch, and its
// memory, per local grain. One actor per node instead of one per
// connection keeps an idle connection small.
type router struct {
	s        *Server
	attached map[grainKey][]*conn // open connections by the grain they are attached to
}

// grainKey identifies a grain's PID (PIDs arrive as distinct pointers).
type grainKey struct{ address, id string }

func keyOf(pid *actor.PID) grainKey { return grainKey{pid.GetAddress(), pid.GetId()} }

// Local messages from connections to the router.
type (
	watchGrain struct {
		c     *conn
		grain *actor.PID
	} // c attached to grain
	forget struct{ c *conn } // c closed
)

func (r *router) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actors.Push:
		p, ok := encodePush(m)
		if !ok {
			r.s.logger.Warn("push of an unknown event dropped", "event", fmt.Sprintf("%T", m.GetEvent()))
			return
		}
		for _, id := range m.GetConnIds() {
			if c := r.s.conn(id); c != nil {
				c.push(p)
			}
		}
	case *actors.CloseConnection:
		if c := r.s.conn(m.GetConnId()); c != nil {
			c.close(closeFor(m.GetReason()))
		}
	case watchGrain:
		r.forget(ctx, m.c) // a reattached connection leaves its former grain
		k := keyOf(m.grain)
		if len(r.attached[k]) == 0 && r.remote(ctx, k) {
			ctx.Watch(m.grain)
		}
		r.attached[k] = append(r.attached[k], m.c)
		m.c.filed = k
	case forget:
		r.forget(ctx, m.c)
	case *actor.Terminated: // a remote grain's node left
		r.stopped(ctx, m.Who)
	case *pa.ActivationTerminated:
		r.stopped(ctx, m.GetPid())
	}
}

// stopped attaches the connections of a grain that stopped (its node left,
// or rebalancing) again, which activates it wherever it now belongs.
func (r *router) stopped(ctx actor.Context, grain *actor.PID) {
	k := keyOf(grain)
	cs, ok := r.attached[k]
	if !ok {
		return // heard of twice (a remote grain's stop and its node's death), or nobody's grain
	}
	for _, c := range cs {
		c.filed = grainKey{}
		go c.reattach(grain)
	}
	delete(r.attached, k)
	if r.remote(ctx, k) {
		ctx.Unwatch(grain)
	}
}

// remote tells whether a grain runs on another node.
func (r *router) remote(ctx actor.Context, k grainKey) bool {
	return k.address != ctx.Self().GetAddress()
}

// forget takes c off the grain it is filed under, and stops watching a
// grain no connection uses any more.
func (r *router) forget(ctx actor.Context, c *conn) {
	k := c.filed
	if k == (grainKey{}) {
		return
	}
	c.filed = grainKey{}
	cs := slices.DeleteFunc(r.attached[k], func(o *conn) bool { return o == c })
	if len(cs) > 0 {
		r.attached[k] = cs
		return
	}
	delete(r.attached, k)
	if r.remote(ctx, k) {
		ctx.Unwatch(actor.NewPID(k.address, k.id))
	}
}

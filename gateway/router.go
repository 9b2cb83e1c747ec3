package gateway

import (
	"fmt"
	"slices"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bunnybook/bunnybook/actors"
)

// router is the node's gateway actor. Profile grains, wherever they run,
// send it pushes and close requests addressed to connection ids; it hands
// them to the connections, and it watches the grains its connections are
// attached to, so that connections attach again when a grain's node dies.
// One actor per node instead of one per connection keeps an idle
// connection small.
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
		if len(r.attached[k]) == 0 {
			ctx.Watch(m.grain)
		}
		r.attached[k] = append(r.attached[k], m.c)
		m.c.filed = k
	case forget:
		r.forget(ctx, m.c)
	case *actor.Terminated:
		// The grain stopped (its node left, or rebalancing): attach its
		// connections again, which activates it wherever it now belongs.
		k := keyOf(m.Who)
		for _, c := range r.attached[k] {
			c.filed = grainKey{}
			go c.reattach(m.Who)
		}
		delete(r.attached, k)
	}
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
	ctx.Unwatch(actor.NewPID(k.address, k.id))
}

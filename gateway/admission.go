package gateway

import (
	"sync/atomic"
)

// admission bounds the connections being set up on this node. Attaching a
// connection to its profile grain reads the store and presence; during a
// reconnect storm (a node restarts, thousands of clients come back at
// once) unbounded attaches would all slow down together until they time
// out after the sockets were accepted. Instead at most inFlight attach at
// once, at most queue more wait their turn (a parked goroutine and a
// socket each), and upgrades beyond that are refused before anything is
// done for them: HTTP 503 with Retry-After, which clients follow with
// jittered backoff (docs/protocol.md).
type admission struct {
	slots   chan struct{} // one per attach in flight
	limit   int64         // in flight + waiting
	pending atomic.Int64  // upgrades admitted, not yet attached
}

func newAdmission(inFlight, queue int) *admission {
	return &admission{slots: make(chan struct{}, inFlight), limit: int64(inFlight + queue)}
}

// admit reserves room for a new connection's setup, or refuses it when the
// node is full. An admitted upgrade must call attached or cancel.
func (a *admission) admit() bool {
	if a.pending.Add(1) > a.limit {
		a.pending.Add(-1)
		return false
	}
	return true
}

// cancel gives back the room of an admitted upgrade that is not served.
func (a *admission) cancel() { a.pending.Add(-1) }

// turn waits for an attach slot; release gives it back.
func (a *admission) turn()    { a.slots <- struct{}{} }
func (a *admission) release() { <-a.slots }

// attached ends the setup of an admitted connection.
func (a *admission) attached() { a.pending.Add(-1) }

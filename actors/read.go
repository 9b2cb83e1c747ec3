package actors

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/bunnybook/bunnybook"
)

// markDone reports a read mark's commit back to the grain (local message).
type markDone struct {
	mark   bunnybook.ReadMark
	waiter *actor.PID // who waits for the Ack
	moved  bool
	err    error
}

// markRead checks a member's read mark and hands it to the node's
// committer, which writes it with the other waiting marks and messages of
// the node (group commit): the grain goes on with its messages meanwhile,
// and answers when the commit is done (see marked). A mark's seq is at
// most the group's last seq as the grain knows it, which counts only
// committed messages, and the committer writes in order: the mark sees
// every message it may name.
func (g *conversationGrain) markRead(ctx actor.Context, m *MarkRead) {
	if err := g.member(m.GetProfileId(), true); err != nil {
		ctx.Respond(ackErrorOf(err))
		return
	}
	if m.GetSeq() > g.group.LastSeq {
		ctx.Respond(ackErrorOf(bunnybook.Errorf(bunnybook.EInvalid, "seq %d is past the newest message (%d)", m.GetSeq(), g.group.LastSeq)))
		return
	}
	done := markDone{
		mark:   bunnybook.ReadMark{ProfileID: m.GetProfileId(), ChatGroupID: g.id, Seq: m.GetSeq(), At: bunnybook.Now()},
		waiter: ctx.Sender(),
	}
	if g.stopping {
		// The grain's PoisonPill is queued: an answer from the committer
		// would come after it and be dropped. Write it now, alone.
		moved, err := g.cfg.committer.store(nil, []bunnybook.ReadMark{done.mark})
		done.moved, done.err = err == nil && moved[0], err
		g.marked(ctx, done)
		return
	}
	g.marking++
	self, root := ctx.Self(), ctx.ActorSystem().Root
	g.cfg.committer.markRead(done.mark, func(moved bool, err error) {
		done.moved, done.err = moved, err
		root.Send(self, done)
	})
}

// marked answers a committed read mark and, when the pointer moved, tells
// the members (see seen).
func (g *conversationGrain) marked(ctx actor.Context, d markDone) {
	if d.err != nil {
		if bunnybook.AsError(d.err) == nil {
			g.cfg.Logger.Error("store read mark", "chat_group_id", g.id, "error", d.err)
		}
		ctx.Send(d.waiter, ackErrorOf(d.err))
		return
	}
	if d.moved {
		if err := g.load(); err != nil { // a change since the mark dropped the group
			g.cfg.Logger.Warn("tell read mark", "chat_group_id", g.id, "error", err)
		} else {
			g.seen(ctx, d.mark.ProfileID, d.mark.Seq)
		}
	}
	ctx.Send(d.waiter, &Ack{})
}

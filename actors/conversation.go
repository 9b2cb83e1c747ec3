package actors

import (
	"context"
	"errors"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"

	"github.com/bunnybook/bunnybook"
)

// typingInterval is how often one member's typing is relayed at most.
const typingInterval = time.Second

// recentLimit is how many acknowledged messages a conversation remembers
// for idempotent resends without asking the store: a client resends the
// messages it sent just before its connection dropped and got no ack for,
// and an older resend is answered from the store (see committed). What is
// remembered is live heap for the GC to mark: 512 messages per
// conversation grew the heap by 4 MB/s at 3 000 msg/s, and each GC's mark
// phase, which takes one of two CPUs, to 100–250 ms.
const recentLimit = 16

// inFlightMax is how many batches of one conversation may be with the
// committer at once: a message accepted while one is being stored goes in
// the next round rather than waiting for it.
const inFlightMax = 4

// groupMaxAge is how long the grain trusts the group it read: friendship
// changes tell it at once (GroupChanged), and this bounds how stale it can
// be should such a message be lost.
const groupMaxAge = 10 * time.Second

// pending is a message waiting for its commit, with whoever waits for the
// ack and the connections they sent it from (a resend may come from
// another connection of the sender).
type pending struct {
	msg     bunnybook.ChatMessage
	origins []string
	waiters []*actor.PID
}

// batchDone reports a commit back to the grain (local message).
type batchDone struct {
	batch []*pending
	err   error
}

// conversationGrain is one active chat group. All fields are owned by the
// actor, except that a commit runs on its own goroutine with the batch it
// was handed.
type conversationGrain struct {
	cfg      *Config
	id       string
	group    *bunnybook.ChatGroup    // nil until loaded, after a change or a failed commit
	loadedAt time.Time               // when group was read
	queue    []*pending              // accepted, waiting for the next commit
	writing  [][]*pending            // batches with the committer, oldest first
	marking  int                     // read marks handed to the committer and not answered yet
	recent   []bunnybook.ChatMessage // acknowledged messages, a ring of up to recentLimit
	next     int                     // where the ring's next message goes
	typing   map[string]time.Time    // member → when their typing was last relayed
	stopping bool                    // a PoisonPill is queued: commit at once (see stop)
	fanout   *actor.PID              // the child that delivers pushes (see fanout)
}

func newConversationGrain(cfg *Config) *conversationGrain {
	return &conversationGrain{cfg: cfg, typing: map[string]time.Time{}}
}

// SetIdentity is bbcluster.Grain's.
func (g *conversationGrain) SetIdentity(id string) { g.id = id }

func (g *conversationGrain) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		g.cfg.Metrics.ConversationGrains.Inc()
		ctx.SetReceiveTimeout(g.cfg.IdleTimeout)
		// Not a child: a child stops with the grain and drops the pushes it
		// still holds; this one is poisoned when the grain stops, after them.
		g.fanout = ctx.ActorSystem().Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &fanout{cfg: g.cfg, id: g.id} },
			actor.WithDispatcher(g.cfg.Dispatcher)))
	case *actor.Stopping:
		ctx.Poison(g.fanout)
	case *actor.Stopped:
		g.cfg.Metrics.ConversationGrains.Dec()
	case *actor.ReceiveTimeout:
		// Idle: passivate, unless a commit is still due (the timeout is
		// one-shot, so arm it again).
		if g.idle() {
			g.stop(ctx)
		} else {
			ctx.SetReceiveTimeout(g.cfg.IdleTimeout)
		}
	case *GroupChanged:
		// Re-read on next use. (A grain activated just for this stops when
		// idle: stopping now would lose requests queued behind its
		// PoisonPill, which Proto.Actor drops.)
		g.group, g.typing = nil, map[string]time.Time{}
		if ctx.Sender() != nil { // a group chat's change waits for this (Hub.GroupChanged)
			ctx.Respond(&Ack{})
		}
	case *SendMessage:
		g.send(ctx, m)
		g.stopIfMissing(ctx)
	case batchDone:
		g.committed(ctx, m)
	case *Typing:
		ctx.Respond(g.relayTyping(ctx, m))
		g.stopIfMissing(ctx)
	case *MarkRead:
		g.markRead(ctx, m)
		g.stopIfMissing(ctx)
	case markDone:
		g.marking--
		g.marked(ctx, m)
	case *React:
		ctx.Respond(g.react(ctx, m))
		g.stopIfMissing(ctx)
	}
}

// stopIfMissing stops a grain activated for a chat group that does not
// exist, so made-up ids cannot pile up idle grains.
func (g *conversationGrain) stopIfMissing(ctx actor.Context) {
	if g.group == nil && g.idle() {
		g.stop(ctx)
	}
}

func (g *conversationGrain) idle() bool {
	return len(g.writing) == 0 && len(g.queue) == 0 && g.marking == 0
}

// stop passivates an idle grain. Its PoisonPill is queued behind messages
// that already arrived, which it still serves: a send among them is
// committed at once rather than in the background, so that its ack goes
// out before the grain stops. (Proto.Actor drops messages queued behind
// the PoisonPill: their senders time out, retry, and reach a new
// activation. Stopping only when idle keeps that rare.)
func (g *conversationGrain) stop(ctx actor.Context) {
	if !g.stopping {
		g.stopping = true
		ctx.Poison(ctx.Self())
	}
}

func (g *conversationGrain) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), g.cfg.StoreTimeout)
}

// load reads the group unless the copy the grain holds is recent enough.
func (g *conversationGrain) load() error {
	if g.group != nil && time.Since(g.loadedAt) < groupMaxAge {
		return nil
	}
	c, cancel := g.ctx()
	defer cancel()
	grp, err := g.cfg.Store.ChatGroup(c, g.id)
	if err != nil {
		return err
	}
	g.group, g.loadedAt = grp, time.Now()
	return nil
}

// member checks that profileID is a member of the group and, with open,
// that the group is active. Membership of a private chat never changes;
// whether it is active does, and typing and read marks trust the copy the
// grain holds (GroupChanged keeps it current), while sends do not need to:
// the store refuses a closed group in the appending transaction. A group
// chat's members change, and everything trusts the copy here: the Hub
// waits for GroupChanged to reach the grain before it answers the change.
func (g *conversationGrain) member(profileID string, open bool) error {
	if err := g.load(); err != nil {
		return err
	}
	if !g.group.IsMember(profileID) {
		return bunnybook.Errorf(bunnybook.EForbidden, "you are not a member of this conversation")
	}
	if open && !g.group.Active {
		return bunnybook.ErrChatClosed()
	}
	return nil
}

// send accepts a message for the next commit, or answers a resend.
func (g *conversationGrain) send(ctx actor.Context, m *SendMessage) {
	if err := g.member(m.GetFromProfileId(), false); err != nil {
		ctx.Respond(ackError(err))
		return
	}
	if err := bunnybook.ValidateText("content", m.GetContent(), bunnybook.ChatMessageMax, true); err != nil {
		ctx.Respond(ackError(err))
		return
	}
	from, clientID := m.GetFromProfileId(), m.GetClientId()
	if done := g.acked(from, clientID); done != nil {
		ctx.Respond(&MessageAck{Message: chatMessageToWire(*done)})
		return
	}
	if p := g.pending(from, clientID); p != nil {
		p.waiters = append(p.waiters, ctx.Sender())
		p.origins = append(p.origins, m.GetOriginConn())
		return
	}
	delete(g.typing, m.GetFromProfileId()) // a message ends its sender's typing
	g.queue = append(g.queue, &pending{
		msg: bunnybook.ChatMessage{
			ID:            bunnybook.NewID(),
			CreatedAt:     bunnybook.Now(),
			FromProfileID: m.GetFromProfileId(),
			ChatGroupID:   g.id,
			Content:       m.GetContent(),
			ClientID:      m.GetClientId(),
		},
		origins: []string{m.GetOriginConn()},
		waiters: []*actor.PID{ctx.Sender()},
	})
	g.startCommit(ctx)
}

// pending returns the message of a sender's client id waiting for its
// commit, if any.
func (g *conversationGrain) pending(from, clientID string) *pending {
	for _, batch := range g.writing {
		if p := find(batch, from, clientID); p != nil {
			return p
		}
	}
	return find(g.queue, from, clientID)
}

func find(batch []*pending, from, clientID string) *pending {
	for _, p := range batch {
		if p.msg.ClientID == clientID && p.msg.FromProfileID == from {
			return p
		}
	}
	return nil
}

// startCommit numbers the queue and hands it to the node's committer,
// which writes the batches of many conversations together (group commit).
// Up to inFlightMax batches go before the first is stored, each numbered
// on from the one before; the store refuses a batch whose seqs do not
// follow the group's last, so when one fails, those after it fail too and
// are settled from the store's state (see committed). After a failure, or
// when the grain stops, the batches in flight settle first.
func (g *conversationGrain) startCommit(ctx actor.Context) {
	if len(g.queue) == 0 || len(g.writing) >= inFlightMax || (len(g.writing) > 0 && (g.stopping || g.group == nil)) {
		return
	}
	var after int64 // the seq the batch numbers on from: the last in flight
	if n := len(g.writing); n > 0 {
		prev := g.writing[n-1]
		after = prev[len(prev)-1].msg.Seq
	}
	n := min(len(g.queue), g.cfg.BatchMax)
	batch := g.queue[:n:n]
	g.queue = g.queue[n:]
	g.writing = append(g.writing, batch)
	if g.stopping {
		g.committed(ctx, batchDone{batch: batch, err: g.commitNow(batch)})
		return
	}
	if len(g.writing) == 1 {
		if err := g.load(); err != nil {
			g.committed(ctx, batchDone{batch: batch, err: err})
			return
		}
		// This grain is the conversation's one writer: its last seq is the
		// group's (a second activation's write would conflict, and then the
		// batch is settled one message at a time from the store's state).
		after = g.group.LastSeq
	}
	self, root := ctx.Self(), ctx.ActorSystem().Root
	g.cfg.committer.commit(number(batch, after), func(err error) {
		root.Send(self, batchDone{batch: batch, err: err})
	})
}

// commitNow numbers and stores a batch alone, at once: the group's current
// seq is read from the store, which also refuses a closed group in the
// appending transaction.
func (g *conversationGrain) commitNow(batch []*pending) error {
	c, cancel := g.ctx()
	defer cancel()
	grp, err := g.cfg.Store.ChatGroup(c, g.id)
	if err != nil {
		return err
	}
	return g.cfg.committer.append(number(batch, grp.LastSeq))
}

// number gives a batch the seqs after lastSeq and returns its messages.
func number(batch []*pending, lastSeq int64) []bunnybook.ChatMessage {
	msgs := make([]bunnybook.ChatMessage, len(batch))
	for i, p := range batch {
		p.msg.Seq = lastSeq + int64(i) + 1
		msgs[i] = p.msg
	}
	return msgs
}

// committed answers the waiters of the oldest batch in flight, which
// finished, and fans its messages out.
func (g *conversationGrain) committed(ctx actor.Context, done batchDone) {
	g.writing = g.writing[1:]
	switch {
	case done.err == nil:
		g.deliver(ctx, done.batch)
	case bunnybook.ErrorKind(done.err) == bunnybook.EConflict,
		bunnybook.ErrorKind(done.err) == bunnybook.EForbidden && len(done.batch) > 1:
		// A resend of a message stored before this activation (or a second
		// activation elsewhere), a batch numbered after one that failed, or
		// a sender who left the group since their message was accepted:
		// settle the batch one message at a time, so that only the messages
		// at fault are refused.
		g.group = nil
		g.retryOneByOne(ctx, done.batch)
	default:
		g.group = nil // re-read it: the commit may have failed because it changed
		if bunnybook.ErrorKind(done.err) != bunnybook.EForbidden {
			g.cfg.Logger.Error("store chat messages", "chat_group_id", g.id, "error", done.err)
		}
		for _, p := range done.batch {
			g.reply(ctx, p, ackError(done.err))
		}
	}
	g.startCommit(ctx)
}

// advance moves the held group's newest message forward to m, stored.
func (g *conversationGrain) advance(m *bunnybook.ChatMessage) {
	if g.group != nil && m.Seq > g.group.LastSeq {
		g.group.LastSeq, g.group.LastAt = m.Seq, m.CreatedAt
	}
}

// prevAt is when the message before seq was created, in Unix ms, or 0
// when the grain does not know. Pushes and acks carry it: the gateway
// need not read the store to learn that a connection's first message of a
// chat has nothing below it newer than the connection.
func (g *conversationGrain) prevAt(seq int64) int64 {
	if g.group == nil || seq != g.group.LastSeq+1 || g.group.LastAt.IsZero() {
		return 0
	}
	return g.group.LastAt.UnixMilli()
}

// retryOneByOne commits each message alone; a message already stored is
// acknowledged with the stored copy.
func (g *conversationGrain) retryOneByOne(ctx actor.Context, batch []*pending) {
	for _, p := range batch {
		c, cancel := g.ctx()
		existing, err := g.cfg.Store.MessageByClientID(c, g.id, p.msg.FromProfileID, p.msg.ClientID)
		cancel()
		switch {
		case err == nil:
			p.msg = *existing
			g.remember(&p.msg)
			g.reply(ctx, p, &MessageAck{Message: chatMessageToWire(p.msg)})
		case bunnybook.ErrorKind(err) != bunnybook.ENotFound:
			g.reply(ctx, p, ackError(err))
		default:
			if err := g.commitNow([]*pending{p}); err != nil {
				g.reply(ctx, p, ackError(err))
				continue
			}
			g.deliver(ctx, []*pending{p})
		}
	}
}

// deliver acknowledges stored messages and pushes them to online members.
func (g *conversationGrain) deliver(ctx actor.Context, batch []*pending) {
	job := fanoutJob{msgs: make([]any, len(batch))}
	for i, p := range batch {
		prev := g.prevAt(p.msg.Seq)
		g.advance(&p.msg)
		g.remember(&p.msg)
		wire := chatMessageToWire(p.msg)
		g.reply(ctx, p, &MessageAck{Message: wire, PrevAtMs: prev})
		job.msgs[i] = &Deliver{Push: &Push{Event: &Push_Message{Message: wire}, OriginConns: p.origins, PrevAtMs: prev}}
	}
	g.cfg.Metrics.MessagesAcked.Add(float64(len(batch)))
	if err := g.load(); err != nil {
		g.cfg.Logger.Warn("fan out chat messages", "chat_group_id", g.id, "error", err)
		return
	}
	job.ids = g.group.Members
	ctx.Send(g.fanout, job)
}

// fanoutJob asks the fan-out to send msgs, in order, to the profile grains
// of the online ones among ids (local message).
type fanoutJob struct {
	ids  []string
	msgs []any
}

// fanout is the actor that delivers a conversation grain's pushes: the
// presence lookup and the placement of the members' profile grains (which
// waits when a member's node just died) happen here, in order, while the
// conversation goes on accepting and acknowledging messages. A push that
// cannot be delivered is not lost for the client: its connection re-attaches
// and the gateway replays what it missed (see the gateway's reattach).
type fanout struct {
	cfg *Config
	id  string
}

func (f *fanout) Receive(ctx actor.Context) {
	job, ok := ctx.Message().(fanoutJob)
	if !ok {
		return
	}
	c, cancel := context.WithTimeout(context.Background(), f.cfg.StoreTimeout)
	defer cancel()
	if err := tellOnline(c, cluster.GetCluster(ctx.ActorSystem()), f.cfg.Presence, f.cfg.keeper, job.ids, job.msgs...); err != nil {
		f.cfg.Logger.Warn("presence lookup", "chat_group_id", f.id, "error", err)
	}
}

func (g *conversationGrain) reply(ctx actor.Context, p *pending, ack *MessageAck) {
	for _, w := range p.waiters {
		ctx.Send(w, ack)
	}
}

// acked returns the remembered message of a sender's client id, if any.
func (g *conversationGrain) acked(from, clientID string) *bunnybook.ChatMessage {
	for i := range g.recent {
		if m := &g.recent[i]; m.ClientID == clientID && m.FromProfileID == from {
			return m
		}
	}
	return nil
}

// remember keeps a copy of an acknowledged message for idempotent resends,
// in place of the oldest one once there are recentLimit.
func (g *conversationGrain) remember(m *bunnybook.ChatMessage) {
	if g.acked(m.FromProfileID, m.ClientID) != nil {
		return
	}
	if len(g.recent) < recentLimit {
		g.recent = append(g.recent, *m)
		return
	}
	g.recent[g.next] = *m
	g.next = (g.next + 1) % recentLimit
}

// relayTyping tells the other online members that m's sender is typing,
// at most once per typingInterval per member.
func (g *conversationGrain) relayTyping(ctx actor.Context, m *Typing) *Ack {
	if err := g.member(m.GetProfileId(), true); err != nil {
		return ackErrorOf(err)
	}
	now := time.Now()
	if now.Sub(g.typing[m.GetProfileId()]) < typingInterval {
		return &Ack{}
	}
	g.typing[m.GetProfileId()] = now
	var others []string
	for _, id := range g.group.Members {
		if id != m.GetProfileId() {
			others = append(others, id)
		}
	}
	typing := &TypingEvent{ChatGroupId: g.id, ProfileId: m.GetProfileId(), Username: m.GetUsername()}
	ctx.Send(g.fanout, fanoutJob{ids: others, msgs: []any{&Deliver{Push: &Push{Event: &Push_Typing{Typing: typing}}}}})
	return &Ack{}
}

// errorOf splits err into a kind and a message fit for clients.
func errorOf(err error) (kind, message string) {
	var e *bunnybook.Error
	if errors.As(err, &e) {
		return e.Kind, e.Message
	}
	return bunnybook.EUnavailable, "the message could not be stored, try again"
}

func ackError(err error) *MessageAck {
	kind, msg := errorOf(err)
	return &MessageAck{ErrorKind: kind, ErrorMessage: msg}
}

func ackErrorOf(err error) *Ack {
	kind, msg := errorOf(err)
	return &Ack{ErrorKind: kind, ErrorMessage: msg}
}

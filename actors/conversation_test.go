package actors_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/actors"
	"github.com/bunnybook/bunnybook/internal/testwait"
	"github.com/bunnybook/bunnybook/persistence/memory"
	"github.com/bunnybook/bunnybook/persistence/storetest"
)

// TestResendFromAnotherConnectionIsAcked: a message resent (same id) from
// the sender's second connection while the first send is still being
// stored joins it: both connections get the ack only, never the message as
// a push, and the friend gets it once.
func TestResendFromAnotherConnectionIsAcked(t *testing.T) {
	h := newHarness(t, actors.Config{})
	a, b, group := h.friends()
	h.connect(a, "a1")
	h.connect(a, "a2")
	h.connect(b, "b1")

	// Both sends go straight to the grain's mailbox, in this order, as
	// the gateways of the two connections would send them.
	pid := h.cluster.Get(group, actors.ConversationKind)
	root := h.cluster.ActorSystem.Root
	arrived, open := h.store.close()
	first := root.RequestFuture(pid, &actors.SendMessage{FromProfileId: a, ClientId: "x", Content: "hi", OriginConn: "a1"}, wait)
	<-arrived // a1's message is being stored
	second := root.RequestFuture(pid, &actors.SendMessage{FromProfileId: a, ClientId: "x", Content: "hi", OriginConn: "a2"}, wait)
	must(t, h.hub.Typing(group, b, "bob")) // answered after the grain took a2's resend
	open()
	m1, m2 := ackOf(t, first), ackOf(t, second)
	if m1.GetId() != m2.GetId() || m1.GetSeq() != 1 {
		t.Fatalf("acks %+v and %+v, want the same message, seq 1", m1, m2)
	}
	// The grains push the message to a's connections and to b's: a's
	// connections are both origins, so their gateway writes it to neither.
	for range 2 {
		p := h.nextPush("chat.message")
		if slices.Contains(p.GetConnIds(), "b1") {
			continue
		}
		if !slices.Contains(p.GetOriginConns(), "a1") || !slices.Contains(p.GetOriginConns(), "a2") {
			t.Fatalf("push to %v with origins %v: want a1 and a2 as origins (they get acks)", p.GetConnIds(), p.GetOriginConns())
		}
		return
	}
	t.Fatal("no push to a's connections")
}

// TestBatchesAfterAFailedOneStayInOrder: messages accepted while the one
// before is being stored are handed to the committer numbered after it.
// When that one fails (here a resend of a message stored before this
// activation, so it is settled from the store), those after it must not
// leave a gap in the seqs: they are refused by the store and numbered
// again, in the order they were accepted.
func TestBatchesAfterAFailedOneStayInOrder(t *testing.T) {
	h := newHarness(t, actors.Config{})
	a, _, group := h.friends()
	stored := storetest.NewMessage(group, a, 1, bunnybook.Now())
	stored.ClientID = "x"
	storetest.MustAppend(t, h.store, stored)

	pid := h.cluster.Get(group, actors.ConversationKind)
	root := h.cluster.ActorSystem.Root
	arrived, open := h.store.close()
	resend := root.RequestFuture(pid, &actors.SendMessage{FromProfileId: a, ClientId: "x", Content: stored.Content, OriginConn: "a1"}, wait)
	<-arrived // numbered 2, and will conflict with the stored one
	y := root.RequestFuture(pid, &actors.SendMessage{FromProfileId: a, ClientId: "y", Content: "y", OriginConn: "a1"}, wait)
	z := root.RequestFuture(pid, &actors.SendMessage{FromProfileId: a, ClientId: "z", Content: "z", OriginConn: "a1"}, wait)
	must(t, h.hub.Typing(group, a, "ann")) // answered after the grain took y and z
	open()
	if m := ackOf(t, resend); m.GetId() != stored.ID || m.GetSeq() != 1 {
		t.Fatalf("resend acked as %v, want the stored message, seq 1", m)
	}
	if my, mz := ackOf(t, y), ackOf(t, z); my.GetSeq() != 2 || mz.GetSeq() != 3 {
		t.Fatalf("y and z acked with seqs %d and %d, want 2 and 3", my.GetSeq(), mz.GetSeq())
	}
	msgs, err := h.store.MessagesAfter(t.Context(), group, 0, 10)
	must(t, err)
	var seqs []int64
	for _, m := range msgs {
		seqs = append(seqs, m.Seq)
	}
	if !slices.Equal(seqs, []int64{1, 2, 3}) {
		t.Fatalf("stored seqs %v, want [1 2 3]", seqs)
	}
}

// ackOf waits for a SendMessage's answer and returns the acked message.
func ackOf(t *testing.T, f *actor.Future) *actors.ChatMessage {
	t.Helper()
	res, err := f.Result()
	if err != nil {
		t.Fatal(err)
	}
	ack, ok := res.(*actors.MessageAck)
	if !ok || ack.GetErrorKind() != "" {
		t.Fatalf("answer %v, want an ack", res)
	}
	return ack.GetMessage()
}

// TestConversationPassivates: an idle conversation grain stops; a message
// after that activates it again with seq continuing, and a resend of a
// message stored before is acknowledged with the stored copy (the grain no
// longer remembers it: the store's conflict settles it).
func TestConversationPassivates(t *testing.T) {
	h := newHarness(t, actors.Config{IdleTimeout: 200 * time.Millisecond})
	a, b, group := h.friends()
	h.connect(a, "a1")
	h.connect(b, "b1")
	first := h.send(group, a, "a1", "1")
	h.send(group, a, "a1", "2")
	grains := func() float64 { return gauge(t, h.metrics.ConversationGrains) }
	if grains() != 1 {
		t.Fatalf("conversation grains %v, want 1", grains())
	}
	testwait.For(t, wait, "the idle grain stops", func() bool { return grains() == 0 })

	again := h.send(group, a, "a1", "1")
	if again.ID != first.ID || again.Seq != 1 {
		t.Fatalf("resend after passivation acked %+v, want the stored %+v", again, first)
	}
	if third := h.send(group, a, "a1", "3"); third.Seq != 3 {
		t.Fatalf("next message seq %d, want 3", third.Seq)
	}
	stored, err := h.store.MessagesAfter(t.Context(), group, 0, 10)
	must(t, err)
	if len(stored) != 3 || stored[2].Seq != 3 || stored[0].ID != first.ID {
		t.Fatalf("stored %+v, want the three messages once each", stored)
	}
}

// TestOldResendIsAckedFromTheStore: a resend of a message the grain no
// longer remembers (recentLimit messages came after it) is acknowledged
// with the stored copy, and not stored twice.
func TestOldResendIsAckedFromTheStore(t *testing.T) {
	h := newHarness(t, actors.Config{})
	a, b, group := h.friends()
	h.connect(a, "a1")
	h.connect(b, "b1")
	first := h.send(group, a, "a1", "first")
	for i := range actors.RecentLimit {
		h.send(group, b, "b1", fmt.Sprint(i))
	}
	again := h.send(group, a, "a1", "first")
	if again.ID != first.ID || again.Seq != 1 {
		t.Fatalf("old resend acked %+v, want the stored %+v", again, first)
	}
	if next := h.send(group, a, "a1", "next"); next.Seq != actors.RecentLimit+2 {
		t.Fatalf("next message seq %d, want %d", next.Seq, actors.RecentLimit+2)
	}
}

// TestMessagesSayWhenTheOneBeforeWasCreated: a message's ack and pushes
// carry when the message before it was created, also once the
// conversation passivated (it is read with the group), so that a gateway
// need not read the store to know a connection's first message of a chat
// has nothing newer than the connection below it.
func TestMessagesSayWhenTheOneBeforeWasCreated(t *testing.T) {
	h := newHarness(t, actors.Config{IdleTimeout: 200 * time.Millisecond})
	a, b, group := h.friends()
	h.connect(a, "a1")
	h.connect(b, "b1")
	send := func(from, conn, clientID string) (*bunnybook.ChatMessage, int64) {
		t.Helper()
		m, prev, err := h.hub.Send(group, &actors.SendMessage{FromProfileId: from, ClientId: clientID, Content: "hi", OriginConn: conn})
		must(t, err)
		return m, prev
	}
	first, prev := send(a, "a1", "1")
	if prev != 0 {
		t.Fatalf("the first message says the one before was created at %d, want 0 (none)", prev)
	}
	second, prev := send(b, "b1", "2")
	if want := first.CreatedAt.UnixMilli(); prev != want {
		t.Fatalf("ack of the second message: previous created at %d, want %d", prev, want)
	}
	for pushed := 0; pushed < 2; { // to a and to b
		if p := h.nextPush("chat.message"); p.GetMessage().GetSeq() == 2 {
			if p.GetPrevAtMs() != first.CreatedAt.UnixMilli() {
				t.Fatalf("push of the second message: previous created at %d, want %d", p.GetPrevAtMs(), first.CreatedAt.UnixMilli())
			}
			pushed++
		}
	}
	testwait.For(t, wait, "the idle grain stops", func() bool { return gauge(t, h.metrics.ConversationGrains) == 0 })
	if _, prev := send(a, "a1", "3"); prev != second.CreatedAt.UnixMilli() {
		t.Fatalf("after passivation: previous created at %d, want %d", prev, second.CreatedAt.UnixMilli())
	}
}

// TestFriendshipChangesReachTheConversation: after unfriending, typing and
// read marks are refused by the grain's current state and nothing reaches
// the former friend; sends are refused by the store; befriending again
// reopens the chat at once, even after a refused typing frame.
func TestFriendshipChangesReachTheConversation(t *testing.T) {
	h := newHarness(t, actors.Config{})
	a, b, group := h.friends()
	h.connect(a, "a1")
	h.connect(b, "b1")
	h.send(group, a, "a1", "1") // the grain is active and holds the group

	storetest.MustUnfriend(t, h.store, a, b)
	h.hub.FriendRemoved(t.Context(), a, b, group)
	wantForbidden(t, "typing", h.hub.Typing(group, b, "bob"))
	wantForbidden(t, "read", h.hub.MarkRead(group, b, 1))
	_, _, err := h.hub.Send(group, &actors.SendMessage{FromProfileId: a, ClientId: "2", Content: "x", OriginConn: "a1"})
	wantForbidden(t, "send", err)
	h.noPush("chat.typing", 300*time.Millisecond)

	storetest.MustBefriend(t, h.store, b, a)
	h.hub.FriendAdded(t.Context(), bunnybook.Profile{ID: a}, bunnybook.Profile{ID: b}, group)
	if m := h.send(group, a, "a1", "3"); m.Seq != 2 {
		t.Fatalf("after befriending again: seq %d, want 2", m.Seq)
	}
	if err := h.hub.Typing(group, b, "bob"); err != nil {
		t.Fatalf("typing after befriending again: %v", err)
	}
	h.nextPush("chat.typing")
}

// TestTypingAfterSendIsRelayed: typing is relayed at most once a second
// per member, but a message ends its sender's typing, so typing right after
// it is shown at once.
func TestTypingAfterSendIsRelayed(t *testing.T) {
	h := newHarness(t, actors.Config{})
	a, b, group := h.friends()
	h.connect(a, "a1")
	h.connect(b, "b1")
	must(t, h.hub.Typing(group, a, "ann"))
	h.nextPush("chat.typing")
	must(t, h.hub.Typing(group, a, "ann")) // within the second: dropped
	h.send(group, a, "a1", "ok")
	h.nextPush("chat.message")
	must(t, h.hub.Typing(group, a, "ann"))
	h.nextPush("chat.typing")
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantForbidden(t *testing.T, what string, err error) {
	t.Helper()
	if bunnybook.ErrorKind(err) != bunnybook.EForbidden {
		t.Errorf("%s: got %v, want forbidden", what, err)
	}
}

// TestSlowFanOutDoesNotHoldAcks: while the lookup of who to push to hangs
// (a member's node just died, Redis is slow), the conversation goes on
// acknowledging messages; the pushes follow in order once it answers.
func TestSlowFanOutDoesNotHoldAcks(t *testing.T) {
	presence := &gatedPresence{Presence: memory.NewPresence()}
	h := newHarness(t, actors.Config{Presence: presence})
	a, b, group := h.friends()
	h.connect(a, "a1")
	h.connect(b, "b1")
	arrived, open := presence.close()
	h.send(group, a, "a1", "m1")
	<-arrived // the fan-out of m1 waits
	done := make(chan *bunnybook.ChatMessage)
	go func() { done <- h.send(group, a, "a1", "m2") }()
	select {
	case m := <-done:
		if m.Seq != 2 {
			t.Fatalf("m2 acked with seq %d, want 2", m.Seq)
		}
	case <-time.After(wait):
		t.Fatal("m2 was not acknowledged while the fan-out of m1 waited")
	}
	open()
	for want := int64(1); want <= 2; {
		p := h.nextPush("chat.message")
		if !slices.Contains(p.GetConnIds(), "b1") {
			continue // the sender's copy
		}
		if got := p.GetMessage().GetSeq(); got != want {
			t.Fatalf("b got seq %d, want %d", got, want)
		}
		want++
	}
}

// gatedPresence is the real in-memory presence; while a gate is set,
// lookups wait for it to open, after saying they arrived.
type gatedPresence struct {
	bunnybook.Presence
	mu      sync.Mutex
	gate    chan struct{}
	arrived chan struct{}
}

func (p *gatedPresence) close() (arrived <-chan struct{}, open func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.gate, p.arrived = make(chan struct{}), make(chan struct{}, 10)
	gate := p.gate
	return p.arrived, func() {
		p.mu.Lock()
		p.gate = nil
		p.mu.Unlock()
		close(gate)
	}
}

func (p *gatedPresence) Online(ctx context.Context, ids []string) ([]string, error) {
	p.mu.Lock()
	gate, arrived := p.gate, p.arrived
	p.mu.Unlock()
	if gate != nil {
		arrived <- struct{}{}
		<-gate
	}
	return p.Presence.Online(ctx, ids)
}

// TestStoppingGrainStillPushes: pushes whose delivery waits when the
// conversation grain stops (passivation, or its node no longer owns it)
// are still delivered.
func TestStoppingGrainStillPushes(t *testing.T) {
	presence := &gatedPresence{Presence: memory.NewPresence()}
	h := newHarness(t, actors.Config{Presence: presence, IdleTimeout: 100 * time.Millisecond})
	a, b, group := h.friends()
	h.connect(a, "a1")
	h.connect(b, "b1")
	arrived, open := presence.close()
	h.send(group, a, "a1", "m1")
	<-arrived // the fan-out waits, and m2's waits behind it
	h.send(group, a, "a1", "m2")
	testwait.For(t, wait, "the idle grain stops", func() bool { return gauge(t, h.metrics.ConversationGrains) == 0 })
	open()
	for want := int64(1); want <= 2; {
		if p := h.nextPush("chat.message"); slices.Contains(p.GetConnIds(), "b1") {
			if got := p.GetMessage().GetSeq(); got != want {
				t.Fatalf("b got seq %d, want %d", got, want)
			}
			want++
		}
	}
}

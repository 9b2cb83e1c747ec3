package actors_test

import (
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bunnybook/bunnybook/actors"
	"github.com/bunnybook/bunnybook/internal/testwait"
	"github.com/bunnybook/bunnybook/persistence/storetest"
)

// arrive waits for a write to reach the gated store.
func arrive(t *testing.T, arrived <-chan struct{}) {
	t.Helper()
	select {
	case <-arrived:
	case <-time.After(wait):
		t.Fatal("no write reached the store")
	}
}

// answered returns a grain call's answer, waiting at most wait.
func answered(t *testing.T, what string, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(wait):
		t.Fatalf("%s: no answer within %v", what, wait)
		return nil
	}
}

// ackErrOf waits for a grain's Ack and returns its error kind ("" for none).
func ackErrOf(t *testing.T, f *actor.Future) string {
	t.Helper()
	res, err := f.Result()
	if err != nil {
		t.Fatal(err)
	}
	ack, ok := res.(*actors.Ack)
	if !ok {
		t.Fatalf("answer %v, want an Ack", res)
	}
	return ack.GetErrorKind()
}

// wantUnreadIn fails unless the profile's unread conversations are want.
func (h *harness) wantUnreadIn(profile string, want ...string) {
	h.t.Helper()
	got, err := h.store.UnreadConversations(h.t.Context(), profile)
	must(h.t, err)
	if len(got) != len(want) || (len(got) > 0 && got[0] != want[0]) {
		h.t.Fatalf("unread conversations %v, want %v", got, want)
	}
}

// markWhileHeld connects a friend pair (a as a1, b as b1), has a send a
// message, and b mark it read with the store holding writes: it returns
// once the mark is being written, with b's answer to come and what lets
// the writes through.
func markWhileHeld(t *testing.T, h *harness) (a, b, group string, marked <-chan error, open func()) {
	t.Helper()
	a, b, group = h.friends()
	h.connect(a, "a1")
	h.connect(b, "b1")
	h.send(group, a, "a1", "1")
	arrived, open := h.store.close()
	answer := make(chan error, 1)
	go func() { answer <- h.hub.MarkRead(group, b, 1) }()
	arrive(t, arrived) // the mark is being written
	return a, b, group, answer, open
}

// TestReadMarkDoesNotHoldTheConversation: while a read mark is being
// written, the conversation goes on serving typing and accepting
// messages; the mark is answered once it is stored, then chat.seen goes
// out.
func TestReadMarkDoesNotHoldTheConversation(t *testing.T) {
	h := newHarness(t, actors.Config{})
	a, b, group, marked, open := markWhileHeld(t, h)

	must(t, h.hub.Typing(group, a, "ann"))
	pid := h.cluster.Get(group, actors.ConversationKind)
	sent := h.cluster.ActorSystem.Root.RequestFuture(pid, &actors.SendMessage{FromProfileId: a, ClientId: "2", Content: "hi", OriginConn: "a1"}, wait)
	must(t, h.hub.Typing(group, b, "bob")) // answered after the grain took the message
	select {
	case err := <-marked:
		t.Fatalf("the mark was answered (%v) before it was stored", err)
	default:
	}
	open()
	must(t, answered(t, "mark", marked))
	if m := ackOf(t, sent); m.GetSeq() != 2 {
		t.Fatalf("message acked with seq %d, want 2", m.GetSeq())
	}
	if s := h.nextPush("chat.seen").GetSeen(); s.GetProfileId() != b || s.GetSeq() != 1 {
		t.Fatalf("seen %v, want b at 1", s)
	}
	h.wantUnreadIn(b, group) // the message after the mark
}

// TestReadMarkSharesARoundWithMessages: a read mark handed to the
// committer while a transaction runs goes in the next one with the
// messages waiting then, of its own conversation and others.
func TestReadMarkSharesARoundWithMessages(t *testing.T) {
	h := newHarness(t, actors.Config{})
	a, b, group := h.friends()
	acc := storetest.MustCreateAccounts(t, h.store, "cat", "dan")
	c, other := acc[0].ID, storetest.MustBefriend(t, h.store, acc[0].ID, acc[1].ID)
	h.send(group, a, "a1", "1")
	rounds, _ := histogram(t, h.metrics.BatchLatency)
	arrived, open := h.store.close()
	root := h.cluster.ActorSystem.Root
	first := root.RequestFuture(h.cluster.Get(other, actors.ConversationKind),
		&actors.SendMessage{FromProfileId: c, ClientId: "x", Content: "hi", OriginConn: "c1"}, wait)
	arrive(t, arrived) // the first round is being written
	pid := h.cluster.Get(group, actors.ConversationKind)
	second := root.RequestFuture(pid, &actors.SendMessage{FromProfileId: a, ClientId: "2", Content: "hi", OriginConn: "a1"}, wait)
	mark := root.RequestFuture(pid, &actors.MarkRead{ProfileId: b, Seq: 1}, wait)
	must(t, h.hub.Typing(group, b, "bob")) // the grain handed both to the committer
	open()
	ackOf(t, first)
	if m := ackOf(t, second); m.GetSeq() != 2 {
		t.Fatalf("message acked with seq %d, want 2", m.GetSeq())
	}
	if kind := ackErrOf(t, mark); kind != "" {
		t.Fatalf("mark refused: %s", kind)
	}
	if n, _ := histogram(t, h.metrics.BatchLatency); n != rounds+2 {
		t.Fatalf("%d transactions, want 2: the first, then the message and the mark together", n-rounds)
	}
	if n, sum := histogram(t, h.metrics.ReadMarkBatchSize); n != 1 || sum != 1 {
		t.Fatalf("%d transactions with %v read marks, want 1 with 1", n, sum)
	}
	h.wantUnreadIn(b, group) // read up to 1 of 2
}

// TestGrainWaitsForItsReadMarks: a conversation grain does not passivate
// while a read mark it handed over is being written: its answer and
// chat.seen still go out, and the grain stops once idle.
func TestGrainWaitsForItsReadMarks(t *testing.T) {
	h := newHarness(t, actors.Config{IdleTimeout: 100 * time.Millisecond})
	_, b, _, marked, open := markWhileHeld(t, h)
	h.noPush("chat.seen", 500*time.Millisecond) // several idle timeouts
	if n := gauge(t, h.metrics.ConversationGrains); n != 1 {
		t.Fatalf("conversation grains %v while a read mark is written, want 1", n)
	}
	open()
	must(t, answered(t, "mark", marked))
	h.nextPush("chat.seen")
	testwait.For(t, wait, "the idle grain stops", func() bool { return gauge(t, h.metrics.ConversationGrains) == 0 })
	h.wantUnreadIn(b)
}

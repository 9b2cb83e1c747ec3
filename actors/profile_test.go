package actors_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bunnybook/bunnybook/actors"
	"github.com/bunnybook/bunnybook/internal/testwait"
	"github.com/bunnybook/bunnybook/persistence/memory"
	"github.com/bunnybook/bunnybook/persistence/redis/redistest"
)

// TestProfileLingers: a profile grain outlives its last connection by the
// linger time (a page reload reconnects within it), then stops.
func TestProfileLingers(t *testing.T) {
	h := newHarness(t, actors.Config{Linger: 300 * time.Millisecond})
	a, _, _ := h.friends()
	grains := func() float64 { return gauge(t, h.metrics.ProfileGrains) }
	hello := h.connect(a, "a1")
	h.cluster.ActorSystem.Root.Send(hello.GetGrain(), &actors.Disconnect{ConnId: "a1"})
	h.connect(a, "a2") // a reload, within the linger
	time.Sleep(500 * time.Millisecond)
	if grains() != 1 {
		t.Fatalf("profile grains %v after a reconnect within the linger, want 1", grains())
	}
	h.cluster.ActorSystem.Root.Send(hello.GetGrain(), &actors.Disconnect{ConnId: "a2"})
	testwait.For(t, wait, "the grain stops after its last connection and the linger", func() bool { return grains() == 0 })
}

// TestStrayMessageGrainLingers: a grain activated by a message for a
// profile with no connection (its presence mark outlived its node) lingers
// like after a last disconnect: a connection that comes meanwhile attaches
// to it, not to a new grain while the sender's cache still names this one.
func TestStrayMessageGrainLingers(t *testing.T) {
	h := newHarness(t, actors.Config{Linger: 500 * time.Millisecond})
	a, b, _ := h.friends()
	grains := func() float64 { return gauge(t, h.metrics.ProfileGrains) }
	stray := func(to, from string) *actor.PID {
		pid := h.cluster.Get(to, actors.ProfileKind)
		h.cluster.ActorSystem.Root.Send(pid, &actors.PresenceChanged{ProfileId: from, Online: true})
		return pid
	}
	pid := stray(a, b)
	time.Sleep(100 * time.Millisecond) // the grain has read it
	if grains() != 1 {
		t.Fatalf("profile grains %v just after a stray message, want 1 (lingering)", grains())
	}
	if hello := h.connect(a, "a1"); !hello.GetGrain().Equal(pid) {
		t.Fatalf("the connection attached to %v, want the lingering grain %v", hello.GetGrain(), pid)
	}
	stray(b, a)
	testwait.For(t, wait, "b's stray grain stops after the linger", func() bool { return grains() == 1 })
}

// TestProfileLoadFailure: when the profile cannot be loaded (its presence
// registry is down), the connection is refused and the grain does not stay.
func TestProfileLoadFailure(t *testing.T) {
	h := newHarness(t, actors.Config{Presence: redistest.MustOpenDown(t).Presence()})
	a, _, _ := h.friends()
	_, err := h.hub.Connect(&actors.Connect{Gateway: h.gw, ConnId: "a1"}, a)
	if err == nil {
		t.Fatal("connect with presence down: no error")
	}
	testwait.For(t, wait, "the grain that could not load stops", func() bool { return gauge(t, h.metrics.ProfileGrains) == 0 })
}

// TestPresenceReachesFriends: a friend's connections hear a profile come
// online when it connects and go offline after its last connection.
func TestPresenceReachesFriends(t *testing.T) {
	h := newHarness(t, actors.Config{Linger: 100 * time.Millisecond})
	a, b, _ := h.friends()
	h.connect(a, "a1")
	hello := h.connect(b, "b1")
	online := h.nextPush("presence").GetPresence()
	if online.GetProfileId() != b || !online.GetOnline() {
		t.Fatalf("presence %v, want %s online", online, b)
	}
	h.cluster.ActorSystem.Root.Send(hello.GetGrain(), &actors.Disconnect{ConnId: "b1"})
	offline := h.nextPush("presence").GetPresence()
	if offline.GetProfileId() != b || offline.GetOnline() {
		t.Fatalf("presence %v, want %s offline", offline, b)
	}
}

// TestDrainingNodeKeepsProfilesOnline: a profile whose grain stops on a
// node that drains is not marked offline (its user is reconnecting to
// another node): friends see no offline flap, and the presence mark stays
// until it is refreshed elsewhere or expires.
func TestDrainingNodeKeepsProfilesOnline(t *testing.T) {
	var draining atomic.Bool
	presence := memory.NewPresence()
	h := newHarness(t, actors.Config{Linger: 100 * time.Millisecond, Presence: presence, Draining: draining.Load})
	a, b, _ := h.friends()
	h.connect(a, "a1")
	hello := h.connect(b, "b1")
	h.nextPush("presence") // b online
	draining.Store(true)
	h.cluster.ActorSystem.Root.Send(hello.GetGrain(), &actors.Disconnect{ConnId: "b1"})
	testwait.For(t, wait, "b's grain stops", func() bool { return gauge(t, h.metrics.ProfileGrains) == 1 })
	h.noPush("presence", 300*time.Millisecond)
	if online, err := presence.Online(t.Context(), []string{b}); err != nil || len(online) != 1 {
		t.Fatalf("b online %v (%v), want still marked online", online, err)
	}
}

// TestMessagesCommitInBatches: messages that arrive while a commit is
// being written go together in the next one, numbered in arrival order.
// (Each is handed to the committer at once, as a batch of its own, up to
// the grain's limit of batches in flight: 1 + 3 here.)
func TestMessagesCommitInBatches(t *testing.T) {
	h := newHarness(t, actors.Config{})
	a, _, group := h.friends()
	h.connect(a, "a1")
	pid := h.cluster.Get(group, actors.ConversationKind)
	root := h.cluster.ActorSystem.Root
	arrived, open := h.store.close()
	first := root.RequestFuture(pid, &actors.SendMessage{FromProfileId: a, ClientId: "first", Content: "first", OriginConn: "a1"}, wait)
	<-arrived // the first commit is being written
	var later []*actor.Future
	for i := range 3 {
		later = append(later, root.RequestFuture(pid, &actors.SendMessage{FromProfileId: a, ClientId: fmt.Sprint(i), Content: "later", OriginConn: "a1"}, wait))
	}
	open()
	if m := ackOf(t, first); m.GetSeq() != 1 {
		t.Fatalf("first message seq %d, want 1", m.GetSeq())
	}
	for i, f := range later {
		if m := ackOf(t, f); m.GetSeq() != int64(i+2) {
			t.Fatalf("message %d got seq %d, want %d (arrival order)", i, m.GetSeq(), i+2)
		}
	}
	if n, sum := histogram(t, h.metrics.BatchSize); n != 2 || sum != 4 {
		t.Fatalf("%d commits of %v messages, want 2 commits (1 + 3)", n, sum)
	}
}

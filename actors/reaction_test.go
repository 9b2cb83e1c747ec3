package actors_test

import (
	"slices"
	"testing"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/actors"
	"github.com/bunnybook/bunnybook/persistence/storetest"
)

// connsOf returns the connections pushes of one type went to, waiting for n.
func (h *harness) connsOf(frameType string, n int) (conns []string, pushes []*actors.Push) {
	h.t.Helper()
	for range n {
		p := h.nextPush(frameType)
		conns, pushes = append(conns, p.GetConnIds()...), append(pushes, p)
	}
	slices.Sort(conns)
	return conns, pushes
}

// TestSeenOnlyWhenMoved: a read mark that moves the pointer is pushed to
// every member's connections, the reader's included; one at or below the
// pointer is not pushed (the next push is the next move).
func TestSeenOnlyWhenMoved(t *testing.T) {
	h := newHarness(t, actors.Config{})
	a, b, group := h.friends()
	h.connect(a, "a1")
	h.connect(b, "b1")
	h.connect(b, "b2")
	h.send(group, a, "a1", "1")
	h.send(group, a, "a1", "2")
	must(t, h.hub.MarkRead(group, b, 1))
	conns, pushes := h.connsOf("chat.seen", 2)
	if !slices.Equal(conns, []string{"a1", "b1", "b2"}) {
		t.Fatalf("chat.seen went to %v, want a1, b1 and b2", conns)
	}
	for _, p := range pushes {
		if s := p.GetSeen(); s.GetChatGroupId() != group || s.GetProfileId() != b || s.GetSeq() != 1 {
			t.Fatalf("seen push %v, want b at 1", s)
		}
	}
	must(t, h.hub.MarkRead(group, b, 1)) // not moved
	must(t, h.hub.MarkRead(group, b, 2))
	_, pushes = h.connsOf("chat.seen", 2)
	for _, p := range pushes {
		if p.GetSeen().GetSeq() != 2 {
			t.Fatalf("seen push %v after a mark that did not move, want the move to 2 next", p.GetSeen())
		}
	}
}

// TestReactionPushedToMembers: a toggle goes to every member's connections
// (the reacter's as its confirmation); a message of another conversation
// is not_found, and a non-member is forbidden.
func TestReactionPushedToMembers(t *testing.T) {
	h := newHarness(t, actors.Config{})
	a, b, group := h.friends()
	eve := storetest.MustCreateAccount(t, h.store, "eve").ID
	other := storetest.MustBefriend(t, h.store, a, eve)
	h.connect(a, "a1")
	h.connect(b, "b1")
	m := h.send(group, a, "a1", "1")
	foreign := h.send(other, eve, "e1", "1")

	must(t, h.hub.React(group, b, m.ID, "🐰"))
	conns, pushes := h.connsOf("chat.reaction", 2)
	if !slices.Equal(conns, []string{"a1", "b1"}) {
		t.Fatalf("chat.reaction went to %v, want a1 and b1", conns)
	}
	if r := pushes[0].GetReaction(); r.GetMessageId() != m.ID || r.GetProfileId() != b || r.GetEmoji() != "🐰" || !r.GetOn() {
		t.Fatalf("reaction push %v, want b's 🐰 on", r)
	}
	if err := h.hub.React(group, b, foreign.ID, "🐰"); bunnybook.ErrorKind(err) != bunnybook.ENotFound {
		t.Errorf("reacting to a message of another conversation: got %v, want not_found", err)
	}
	wantForbidden(t, "a non-member", h.hub.React(group, eve, m.ID, "🐰"))
}

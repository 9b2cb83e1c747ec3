package actors_test

import (
	"slices"
	"testing"
	"time"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/actors"
	"github.com/bunnybook/bunnybook/persistence/storetest"
)

// groupOf creates a group chat of n friends of its creator (the first id).
func (h *harness) groupOf(n int) (*bunnybook.GroupChat, []string) {
	h.t.Helper()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = storetest.MustCreateAccount(h.t, h.store, "g"+bunnybook.NewID()[24:]).ID
		if i > 0 {
			storetest.MustBefriend(h.t, h.store, ids[0], ids[i])
		}
	}
	g := &bunnybook.GroupChat{ID: bunnybook.NewID(), Name: "Burrow", CreatedBy: ids[0], CreatedAt: bunnybook.Now()}
	for _, id := range ids {
		g.Members = append(g.Members, bunnybook.GroupMember{ProfileID: id})
	}
	must(h.t, h.store.CreateGroupChat(h.t.Context(), g))
	return g, ids
}

// pushedTo collects the connections the next n pushes of frameType name.
func (h *harness) pushedTo(frameType string, n int) []string {
	h.t.Helper()
	var conns []string
	for range n {
		conns = append(conns, h.nextPush(frameType).GetConnIds()...)
	}
	slices.Sort(conns)
	return conns
}

// TestGroupConversation: a group chat's conversation serves all its
// members, and a member who leaves is refused at once (the Hub tells the
// grain before it answers), hears group.removed, and gets no more messages.
func TestGroupConversation(t *testing.T) {
	h := newHarness(t, actors.Config{})
	g, ids := h.groupOf(3)
	for i, id := range ids {
		hello := h.connect(id, []string{"c0", "c1", "c2"}[i])
		if len(hello.GetGroupChats()) != 1 || hello.GetGroupChats()[0].GetChatGroupId() != g.ID {
			t.Fatalf("hello group chats: %v", hello.GetGroupChats())
		}
	}
	h.send(g.ID, ids[0], "c0", "1")
	if got := h.pushedTo("chat.message", 3); !slices.Equal(got, []string{"c0", "c1", "c2"}) {
		t.Fatalf("message pushed to %v, want every member's connection", got)
	}
	must(t, h.hub.Typing(g.ID, ids[1], "g1"))
	if got := h.pushedTo("chat.typing", 2); !slices.Equal(got, []string{"c0", "c2"}) {
		t.Fatalf("typing pushed to %v, want the others", got)
	}

	after, err := h.store.RemoveGroupMember(t.Context(), g.ID, ids[2], ids[2])
	must(t, err)
	h.hub.GroupChanged(t.Context(), bunnybook.GroupChange{Group: *after, Removed: []string{ids[2]}})
	wantForbidden(t, "typing", h.hub.Typing(g.ID, ids[2], "g2"))
	wantForbidden(t, "read", h.hub.MarkRead(g.ID, ids[2], 1))
	_, _, err = h.hub.Send(g.ID, &actors.SendMessage{FromProfileId: ids[2], ClientId: "x", Content: "x", OriginConn: "c2"})
	wantForbidden(t, "send", err)
	removed, updated := 0, 0
	for removed+updated < 3 {
		switch p := h.nextPushOf("group.removed", "group.updated"); pushType(p) {
		case "group.removed":
			removed++
			if p.GetConnIds()[0] != "c2" || p.GetGroup().GetChatGroupId() != g.ID {
				t.Fatalf("group.removed: %v", p)
			}
		default:
			updated++
			if len(p.GetGroup().GetMembers()) != 2 || slices.Contains(p.GetConnIds(), "c2") {
				t.Fatalf("group.updated: %v", p)
			}
		}
	}
	if removed != 1 || updated != 2 {
		t.Fatalf("got %d group.removed and %d group.updated, want 1 and 2", removed, updated)
	}
	h.send(g.ID, ids[1], "c1", "2")
	if got := h.pushedTo("chat.message", 2); !slices.Equal(got, []string{"c0", "c1"}) {
		t.Fatalf("message after leaving pushed to %v, want the two members", got)
	}
	h.noPush("chat.message", 300*time.Millisecond)
}

// TestLeaverMessageRefusedAlone: a member who leaves while their message
// waits for its commit is refused by the store; the other messages of the
// same batch are stored and acknowledged.
func TestLeaverMessageRefusedAlone(t *testing.T) {
	h := newHarness(t, actors.Config{})
	g, ids := h.groupOf(3)
	pid := h.cluster.Get(g.ID, actors.ConversationKind)
	root := h.cluster.ActorSystem.Root
	arrived, open := h.store.close()
	first := root.RequestFuture(pid, &actors.SendMessage{FromProfileId: ids[0], ClientId: "a", Content: "a", OriginConn: "c0"}, wait)
	<-arrived // the first batch is being stored; the next two wait for it, together
	leaver := root.RequestFuture(pid, &actors.SendMessage{FromProfileId: ids[2], ClientId: "b", Content: "b", OriginConn: "c2"}, wait)
	stayer := root.RequestFuture(pid, &actors.SendMessage{FromProfileId: ids[1], ClientId: "c", Content: "c", OriginConn: "c1"}, wait)
	must(t, h.hub.Typing(g.ID, ids[1], "g1"))                              // answered once the grain has queued both
	_, err := h.store.RemoveGroupMember(t.Context(), g.ID, ids[2], ids[2]) // the grain is not told
	must(t, err)
	open()
	if m := ackOf(t, first); m.GetSeq() != 1 {
		t.Fatalf("first message: seq %d, want 1", m.GetSeq())
	}
	res, err := leaver.Result()
	if ack, ok := res.(*actors.MessageAck); err != nil || !ok || ack.GetErrorKind() != bunnybook.EForbidden {
		t.Fatalf("the leaver's message: %v, %v; want forbidden", res, err)
	}
	if m := ackOf(t, stayer); m.GetSeq() != 2 {
		t.Fatalf("the member's message: seq %d, want 2", m.GetSeq())
	}
	ms, err := h.store.ChatMessages(t.Context(), g.ID, bunnybook.TimePage{Limit: 10})
	must(t, err)
	if len(ms) != 2 {
		t.Fatalf("stored %d messages, want 2", len(ms))
	}
}

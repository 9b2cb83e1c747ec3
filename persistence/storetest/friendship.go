package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/bunnybook/bunnybook"
)

var friendshipTests = []test{
	{"StateMachine", testStateMachine},
	{"RequestToUnknownProfile", testRequestToUnknown},
	{"ChatGroupLifecycle", testChatGroupLifecycle},
	{"ConcurrentAccept", testConcurrentAccept},
	{"ConcurrentCrossedRequests", testConcurrentCrossedRequests},
	{"FriendsAmong", testFriendsAmong},
}

// testFriendsAmong: the subset of candidates who are friends, in the
// candidates' order; requests, strangers, unknown ids and the profile itself
// are not friends.
func testFriendsAmong(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	acc := MustCreateAccounts(t, s, "ann", "bob", "cat", "dan", "eve")
	ann, bob, cat, dan, eve := acc[0], acc[1], acc[2], acc[3], acc[4]
	MustBefriend(t, s, ann.ID, bob.ID)
	MustBefriend(t, s, dan.ID, ann.ID)
	MustBefriend(t, s, cat.ID, ann.ID)
	MustUnfriend(t, s, ann.ID, cat.ID)
	must(t, "SendFriendRequest", s.SendFriendRequest(ctx, eve.ID, ann.ID, NewNotification(ann.ID, bunnybook.EventNewFriendshipRequest, at(0))))

	candidates := []string{eve.ID, dan.ID, bunnybook.NewID(), cat.ID, ann.ID, bob.ID}
	got, err := s.FriendsAmong(ctx, ann.ID, candidates)
	must(t, "FriendsAmong", err)
	if want := []string{dan.ID, bob.ID}; !slices.Equal(got, want) {
		t.Fatalf("FriendsAmong(ann): got %v, want %v (dan, bob)", got, want)
	}
	got, err = s.FriendsAmong(ctx, ann.ID, nil)
	must(t, "FriendsAmong(none)", err)
	if len(got) != 0 {
		t.Fatalf("FriendsAmong(ann, none): got %v, want none", got)
	}
}

// wantRelationship fails unless a relates to b as want and b to a as the mirror of want.
func wantRelationship(tb testing.TB, g bunnybook.Graph, a, b string, want bunnybook.Relationship) {
	tb.Helper()
	mirror := map[bunnybook.Relationship]bunnybook.Relationship{
		bunnybook.RelOutgoing: bunnybook.RelIncoming,
		bunnybook.RelIncoming: bunnybook.RelOutgoing,
		bunnybook.RelFriend:   bunnybook.RelFriend,
		bunnybook.RelNone:     bunnybook.RelNone,
	}
	for _, c := range []struct {
		x, y string
		want bunnybook.Relationship
	}{{a, b, want}, {b, a, mirror[want]}} {
		got, err := g.Relationship(tb.Context(), c.x, c.y)
		must(tb, "Relationship", err)
		if got != c.want {
			tb.Fatalf("Relationship(%s, %s): got %s, want %s", c.x, c.y, got, c.want)
		}
	}
}

// friendAction is one step of the relationship state machine.
type friendAction struct {
	name string
	do   func(ctx context.Context, s bunnybook.Store, a, b string) error
}

func sendAction(from, to int) friendAction {
	return friendAction{"send", func(ctx context.Context, s bunnybook.Store, a, b string) error {
		ids := [2]string{a, b}
		return s.SendFriendRequest(ctx, ids[from], ids[to], NewNotification(ids[to], bunnybook.EventNewFriendshipRequest, bunnybook.Now()))
	}}
}

func deleteAction(from, to int) friendAction {
	return friendAction{"delete request", func(ctx context.Context, s bunnybook.Store, a, b string) error {
		ids := [2]string{a, b}
		return s.DeleteFriendRequest(ctx, ids[from], ids[to])
	}}
}

func acceptAction(requester, accepter int) friendAction {
	return friendAction{"accept", func(ctx context.Context, s bunnybook.Store, a, b string) error {
		ids := [2]string{a, b}
		_, err := s.AcceptFriendRequest(ctx, ids[requester], ids[accepter], NewNotification(ids[requester], bunnybook.EventNewFriend, bunnybook.Now()))
		return err
	}}
}

func unfriendAction(x, y int) friendAction {
	return friendAction{"unfriend", func(ctx context.Context, s bunnybook.Store, a, b string) error {
		ids := [2]string{a, b}
		_, err := s.Unfriend(ctx, ids[x], ids[y])
		return err
	}}
}

func testStateMachine(t *testing.T, s bunnybook.Store, g bunnybook.Graph) {
	const A, B = 0, 1
	// Each step: an action by A (0) or B (1), whether the state allows it,
	// and A's relationship to B afterwards.
	steps := []struct {
		act  friendAction
		ok   bool
		then bunnybook.Relationship
	}{
		{deleteAction(A, B), false, bunnybook.RelNone},
		{acceptAction(A, B), false, bunnybook.RelNone},
		{unfriendAction(A, B), false, bunnybook.RelNone},
		{sendAction(A, B), true, bunnybook.RelOutgoing},
		{sendAction(A, B), false, bunnybook.RelOutgoing},
		{sendAction(B, A), false, bunnybook.RelOutgoing}, // must accept instead
		{acceptAction(B, A), false, bunnybook.RelOutgoing},
		{unfriendAction(A, B), false, bunnybook.RelOutgoing},
		{deleteAction(B, A), false, bunnybook.RelOutgoing},
		{deleteAction(A, B), true, bunnybook.RelNone}, // A cancels
		{sendAction(A, B), true, bunnybook.RelOutgoing},
		{deleteAction(A, B), true, bunnybook.RelNone}, // B rejects
		{sendAction(B, A), true, bunnybook.RelIncoming},
		{acceptAction(B, A), true, bunnybook.RelFriend},
		{acceptAction(B, A), false, bunnybook.RelFriend},
		{sendAction(A, B), false, bunnybook.RelFriend},
		{sendAction(B, A), false, bunnybook.RelFriend},
		{deleteAction(B, A), false, bunnybook.RelFriend},
		{unfriendAction(A, B), true, bunnybook.RelNone},
		{unfriendAction(B, A), false, bunnybook.RelNone},
		{sendAction(A, B), true, bunnybook.RelOutgoing},
		{acceptAction(A, B), true, bunnybook.RelFriend},
		{unfriendAction(B, A), true, bunnybook.RelNone},
	}
	acc := MustCreateAccounts(t, s, "anna", "bert")
	a, b := acc[0].ID, acc[1].ID
	for i, st := range steps {
		what := fmt.Sprintf("step %d (%s)", i, st.act.name)
		err := st.act.do(t.Context(), s, a, b)
		if st.ok {
			must(t, what, err)
		} else {
			wantUnexpected(t, what, err)
		}
		wantRelationship(t, g, a, b, st.then)
	}
	// Notifications: four requests (three to bert, one to anna), two accepts.
	if n := len(mustNotifications(t, s, b)); n != 4 {
		t.Fatalf("bert has %d notifications, want 4 (3 requests, 1 new friend)", n)
	}
	if n := len(mustNotifications(t, s, a)); n != 2 {
		t.Fatalf("anna has %d notifications, want 2 (1 request, 1 new friend)", n)
	}
}

func testRequestToUnknown(t *testing.T, s bunnybook.Store, g bunnybook.Graph) {
	ctx := t.Context()
	ben := MustCreateAccount(t, s, "ben")
	ghost := bunnybook.NewID()
	err := s.SendFriendRequest(ctx, ben.ID, ghost, NewNotification(ghost, bunnybook.EventNewFriendshipRequest, at(0)))
	wantKind(t, "SendFriendRequest to an unknown profile", err, bunnybook.ENotFound)
	out, err := g.FriendRequests(ctx, ben.ID, false, bunnybook.NamePage{Limit: 10})
	must(t, "FriendRequests", err)
	wantIDs(t, "outgoing requests after failed send", profileIDs(out), []string{})
	rel, err := g.Relationship(ctx, ben.ID, ghost)
	must(t, "Relationship", err)
	if rel != bunnybook.RelNone {
		t.Fatalf("Relationship after failed send: got %s, want NONE", rel)
	}
}

// mustChatGroup returns the group with the given id.
func mustChatGroup(tb testing.TB, s bunnybook.Store, id string) *bunnybook.ChatGroup {
	tb.Helper()
	cg, err := s.ChatGroup(tb.Context(), id)
	must(tb, "ChatGroup", err)
	return cg
}

// wantGroup fails unless the group has the given state and members.
func wantGroup(tb testing.TB, s bunnybook.Store, id string, active bool, lastSeq int64, members ...string) {
	tb.Helper()
	cg := mustChatGroup(tb, s, id)
	got := slices.Sorted(slices.Values(cg.Members))
	want := slices.Sorted(slices.Values(members))
	if cg.ID != id || !cg.Private || cg.Active != active || cg.LastSeq != lastSeq || !slices.Equal(got, want) {
		tb.Fatalf("ChatGroup(%s): got %+v, want private, active=%v, last seq %d, members %v", id, *cg, active, lastSeq, want)
	}
}

// mustPrivateChats returns the profile's private chats.
func mustPrivateChats(tb testing.TB, s bunnybook.Store, profile string) []bunnybook.PrivateChat {
	tb.Helper()
	pcs, err := s.PrivateChats(tb.Context(), profile)
	must(tb, "PrivateChats", err)
	return pcs
}

func testChatGroupLifecycle(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	acc := MustCreateAccounts(t, s, "ben", "daisy")
	ben, daisy := acc[0], acc[1]

	group := MustBefriend(t, s, ben.ID, daisy.ID)
	wantGroup(t, s, group, true, 0, ben.ID, daisy.ID)
	if got, want := mustPrivateChats(t, s, ben.ID), []bunnybook.PrivateChat{{ChatGroupID: group, ProfileID: daisy.ID, Username: "daisy"}}; !slices.Equal(got, want) {
		t.Fatalf("PrivateChats(ben): got %+v, want %+v", got, want)
	}
	m1, m2 := NewMessage(group, ben.ID, 1, at(1)), NewMessage(group, daisy.ID, 2, at(2))
	MustAppend(t, s, m1, m2)

	if got := MustUnfriend(t, s, daisy.ID, ben.ID); got != group {
		t.Fatalf("Unfriend returned group %q, want %q", got, group)
	}
	wantGroup(t, s, group, false, 2, ben.ID, daisy.ID)
	for _, p := range []string{ben.ID, daisy.ID} {
		if got := mustPrivateChats(t, s, p); len(got) != 0 {
			t.Fatalf("PrivateChats after unfriend: got %+v, want none", got)
		}
		convs, err := s.Conversations(ctx, p, bunnybook.TimePage{Limit: 10})
		must(t, "Conversations", err)
		if len(convs) != 0 {
			t.Fatalf("Conversations after unfriend: got %+v, want none", convs)
		}
		unread, err := s.UnreadConversations(ctx, p)
		must(t, "UnreadConversations", err)
		wantIDs(t, "UnreadConversations after unfriend", unread, []string{})
	}
	wantHistory(t, s, group, m2.ID, m1.ID)

	// Befriending again, this time the other way round, reactivates the
	// same group with its history.
	if again := MustBefriend(t, s, daisy.ID, ben.ID); again != group {
		t.Fatalf("befriending again gave group %q, want the old group %q", again, group)
	}
	wantGroup(t, s, group, true, 2, ben.ID, daisy.ID)
	wantHistory(t, s, group, m2.ID, m1.ID)
	if got := mustPrivateChats(t, s, daisy.ID); len(got) != 1 || got[0].ChatGroupID != group || got[0].ProfileID != ben.ID || got[0].Username != "ben" {
		t.Fatalf("PrivateChats(daisy) after befriending again: got %+v, want the old group with ben", got)
	}
	convs, err := s.Conversations(ctx, ben.ID, bunnybook.TimePage{Limit: 10})
	must(t, "Conversations", err)
	if len(convs) != 1 || convs[0].ChatGroupID != group || convs[0].Seq != 2 {
		t.Fatalf("Conversations(ben) after befriending again: got %+v, want the old group at seq 2", convs)
	}
}

// wantHistory fails unless the group's messages are ids, newest first.
func wantHistory(tb testing.TB, s bunnybook.Store, group string, ids ...string) {
	tb.Helper()
	msgs, err := s.ChatMessages(tb.Context(), group, bunnybook.TimePage{Limit: 20})
	must(tb, "ChatMessages", err)
	wantIDs(tb, "ChatMessages", messageIDs(msgs), ids)
}

// messageIDs returns the ids of messages.
func messageIDs(ms []bunnybook.ChatMessage) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

// race runs fns at the same time and returns their errors.
func race(fns ...func() error) []error {
	errs := make([]error, len(fns))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() {
			<-start
			errs[i] = fn()
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// wantOneWinner fails unless exactly one of errs is nil and the others are
// ErrUnexpectedRelationship.
func wantOneWinner(tb testing.TB, what string, errs []error) {
	tb.Helper()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else {
			wantUnexpected(tb, what, err)
		}
	}
	if won != 1 {
		tb.Fatalf("%s: %d of %d concurrent calls succeeded, want 1", what, won, len(errs))
	}
}

func testConcurrentAccept(t *testing.T, s bunnybook.Store, g bunnybook.Graph) {
	ctx := t.Context()
	acc := MustCreateAccounts(t, s, "ben", "daisy")
	ben, daisy := acc[0], acc[1]
	for round := range 3 {
		must(t, "SendFriendRequest", s.SendFriendRequest(ctx, ben.ID, daisy.ID, NewNotification(daisy.ID, bunnybook.EventNewFriendshipRequest, at(round))))
		groups := make([]string, 4)
		accept := func(i int) func() error {
			return func() error {
				var err error
				groups[i], err = s.AcceptFriendRequest(ctx, ben.ID, daisy.ID, NewNotification(ben.ID, bunnybook.EventNewFriend, at(round)))
				return err
			}
		}
		errs := race(accept(0), accept(1), accept(2), accept(3))
		wantOneWinner(t, "concurrent AcceptFriendRequest", errs)
		wantRelationship(t, g, ben.ID, daisy.ID, bunnybook.RelFriend)
		for i, id := range groups {
			if errs[i] == nil {
				wantGroup(t, s, id, true, 0, ben.ID, daisy.ID)
			}
		}
		if pcs := mustPrivateChats(t, s, ben.ID); len(pcs) != 1 {
			t.Fatalf("round %d: PrivateChats(ben): got %+v, want exactly one", round, pcs)
		}
		if n := len(mustNotifications(t, s, ben.ID)); n != round+1 {
			t.Fatalf("round %d: ben has %d NEW_FRIEND notifications, want %d", round, n, round+1)
		}
		MustUnfriend(t, s, ben.ID, daisy.ID)
	}
}

func testConcurrentCrossedRequests(t *testing.T, s bunnybook.Store, g bunnybook.Graph) {
	ctx := t.Context()
	acc := MustCreateAccounts(t, s, "ben", "daisy")
	ben, daisy := acc[0], acc[1]
	send := func(from, to string) func() error {
		return func() error {
			return s.SendFriendRequest(ctx, from, to, NewNotification(to, bunnybook.EventNewFriendshipRequest, at(0)))
		}
	}
	errs := race(send(ben.ID, daisy.ID), send(daisy.ID, ben.ID), send(ben.ID, daisy.ID), send(daisy.ID, ben.ID))
	wantOneWinner(t, "concurrent crossed SendFriendRequest", errs)
	in, err := g.FriendRequests(ctx, ben.ID, true, bunnybook.NamePage{Limit: 10})
	must(t, "FriendRequests(incoming)", err)
	out, err := g.FriendRequests(ctx, ben.ID, false, bunnybook.NamePage{Limit: 10})
	must(t, "FriendRequests(outgoing)", err)
	if len(in)+len(out) != 1 {
		t.Fatalf("after crossed requests ben has incoming %v and outgoing %v, want exactly one request", in, out)
	}
}

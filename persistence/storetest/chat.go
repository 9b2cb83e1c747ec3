package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/bunnybook/bunnybook"
)

var chatTests = []test{
	{"UnknownGroup", testUnknownGroup},
	{"PrivateChats", testPrivateChats},
	{"PrivateChatsFollowFriendships", testPrivateChatsFollowFriendships},
	{"SeededChats", testSeededChats},
	{"Append", testAppend},
	{"AppendDuplicateSeq", testAppendDuplicateSeq},
	{"AppendSeqGap", testAppendSeqGap},
	{"ChatGroupLastAt", testChatGroupLastAt},
	{"AppendDuplicateClientID", testAppendDuplicateClientID},
	{"AppendToClosedGroup", testAppendToClosedGroup},
	{"ReadPointers", testReadPointers},
	{"UnreadLifecycle", testUnreadLifecycle},
	{"ConcurrentMarkReadAndAppend", testConcurrentMarkReadAndAppend},
	{"CommitChat", testCommitChat},
	{"CommitChatFailsWhole", testCommitChatFailsWhole},
	{"Conversations", testConversations},
}

// pair creates two friends, ben and daisy, and returns them with their group.
func pair(tb testing.TB, s bunnybook.Store) (ben, daisy bunnybook.Account, group string) {
	tb.Helper()
	acc := MustCreateAccounts(tb, s, "ben", "daisy")
	return acc[0], acc[1], MustBefriend(tb, s, acc[0].ID, acc[1].ID)
}

// wantMessage fails unless got equals want.
func wantMessage(tb testing.TB, what string, got, want bunnybook.ChatMessage) {
	tb.Helper()
	if got.ID != want.ID || got.Seq != want.Seq || !got.CreatedAt.Equal(want.CreatedAt.Time) ||
		got.FromProfileID != want.FromProfileID || got.ChatGroupID != want.ChatGroupID ||
		got.Content != want.Content || got.ClientID != want.ClientID {
		tb.Fatalf("%s: got %+v, want %+v", what, got, want)
	}
}

// mustAfter returns the group's messages after seq.
func mustAfter(tb testing.TB, s bunnybook.Store, group string, after int64, limit int) []bunnybook.ChatMessage {
	tb.Helper()
	ms, err := s.MessagesAfter(tb.Context(), group, after, limit)
	must(tb, "MessagesAfter", err)
	return ms
}

func testUnknownGroup(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	_, err := s.ChatGroup(ctx, bunnybook.NewID())
	wantKind(t, "ChatGroup(unknown)", err, bunnybook.ENotFound)
	ms, err := s.ChatMessages(ctx, bunnybook.NewID(), bunnybook.TimePage{Limit: 10})
	must(t, "ChatMessages(unknown)", err)
	wantIDs(t, "ChatMessages(unknown)", messageIDs(ms), []string{})
}

func testPrivateChats(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	acc := MustCreateAccounts(t, s, "me", "zed", "amy", "kim", "other")
	me, zed, amy, kim := acc[0], acc[1], acc[2], acc[3]
	gz := MustBefriend(t, s, me.ID, zed.ID)
	ga := MustBefriend(t, s, amy.ID, me.ID)
	gk := MustBefriend(t, s, me.ID, kim.ID)
	MustBefriend(t, s, amy.ID, acc[4].ID)
	MustUnfriend(t, s, kim.ID, me.ID)

	got := mustPrivateChats(t, s, me.ID)
	want := []bunnybook.PrivateChat{
		{ChatGroupID: ga, ProfileID: amy.ID, Username: "amy"},
		{ChatGroupID: gz, ProfileID: zed.ID, Username: "zed"},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("PrivateChats(me): got %+v, want %+v", got, want)
	}
	if gk == ga || gk == gz || ga == gz {
		t.Fatalf("chat groups are not distinct: %s %s %s", ga, gz, gk)
	}
}

// wantChats fails unless the profile's private chats are with the friends
// named by want (in username order), each in the active private group of
// the two of them, and its Friends list the same profiles.
func wantChats(tb testing.TB, s bunnybook.Store, g bunnybook.Graph, profile bunnybook.Account, want ...bunnybook.Account) {
	tb.Helper()
	chats := mustPrivateChats(tb, s, profile.ID)
	friends, err := g.Friends(tb.Context(), profile.ID, bunnybook.NamePage{Limit: 100})
	must(tb, "Friends", err)
	if len(chats) != len(want) || len(friends) != len(want) {
		tb.Fatalf("%s has chats %+v and friends %+v, want %d of each", profile.Username, chats, friends, len(want))
	}
	for i, w := range want {
		c := chats[i]
		if c.ProfileID != w.ID || c.Username != w.Username {
			tb.Fatalf("%s's chat %d: got %+v, want with %s %s", profile.Username, i, c, w.ID, w.Username)
		}
		if friends[i] != w.Profile {
			tb.Fatalf("%s's friend %d: got %+v, want %+v", profile.Username, i, friends[i], w.Profile)
		}
		cg := mustChatGroup(tb, s, c.ChatGroupID)
		members := slices.Sorted(slices.Values(cg.Members))
		if !cg.Private || !cg.Active || !slices.Equal(members, slices.Sorted(slices.Values([]string{profile.ID, w.ID}))) {
			tb.Fatalf("%s's chat with %s: group %+v, want active and private, of the two of them", profile.Username, w.Username, *cg)
		}
	}
}

func testPrivateChatsFollowFriendships(t *testing.T, s bunnybook.Store, g bunnybook.Graph) {
	acc := MustCreateAccounts(t, s, "ann", "bob", "cat", "dan", "eve")
	ann, bob, cat, dan, eve := acc[0], acc[1], acc[2], acc[3], acc[4]
	MustBefriend(t, s, ann.ID, bob.ID)
	MustBefriend(t, s, cat.ID, ann.ID)
	gd := MustBefriend(t, s, ann.ID, dan.ID)
	MustBefriend(t, s, bob.ID, cat.ID)
	MustBefriend(t, s, dan.ID, eve.ID)
	wantChats(t, s, g, ann, bob, cat, dan)
	wantChats(t, s, g, bob, ann, cat)

	MustUnfriend(t, s, dan.ID, ann.ID)
	MustUnfriend(t, s, cat.ID, bob.ID)
	wantChats(t, s, g, ann, bob, cat)
	wantChats(t, s, g, dan, eve)
	// Befriending again, the other way round, brings back the same group
	// on both sides.
	if again := MustBefriend(t, s, dan.ID, ann.ID); again != gd {
		t.Fatalf("befriending again gave group %s, want %s", again, gd)
	}
	wantChats(t, s, g, ann, bob, cat, dan)
	wantChats(t, s, g, bob, ann)
	wantChats(t, s, g, cat, ann)
	wantChats(t, s, g, dan, ann, eve)
	wantChats(t, s, g, eve, dan)
	mutual, err := g.MutualFriends(t.Context(), bob.ID, dan.ID, bunnybook.NamePage{Limit: 10})
	must(t, "MutualFriends", err)
	if len(mutual) != 1 || mutual[0] != ann.Profile {
		t.Fatalf("MutualFriends(bob, dan): got %+v, want ann", mutual)
	}
}

// seeder is the bulk loader of a relational backend.
type seeder interface {
	Seed(ctx context.Context, accounts []bunnybook.Account, friendships []bunnybook.SeedFriendship, at bunnybook.Time) error
}

func testSeededChats(t *testing.T, s bunnybook.Store, g bunnybook.Graph) {
	sd, ok := s.(seeder)
	if !ok {
		t.Skip("the store has no Seed")
	}
	ctx := t.Context()
	acc := []bunnybook.Account{NewAccount("sa"), NewAccount("sb"), NewAccount("sc"), NewAccount("sd")}
	sa, sb, sc, sdd := acc[0], acc[1], acc[2], acc[3]
	fs := []bunnybook.SeedFriendship{
		{A: sa.ID, B: sb.ID, ChatGroupID: bunnybook.NewID()},
		{A: sc.ID, B: sa.ID, ChatGroupID: bunnybook.NewID()},
		{A: sb.ID, B: sc.ID, ChatGroupID: bunnybook.NewID()},
	}
	stray := []bunnybook.SeedFriendship{{A: sa.ID, B: bunnybook.NewID(), ChatGroupID: bunnybook.NewID()}}
	if err := sd.Seed(ctx, acc, stray, at(0)); err == nil {
		t.Fatalf("Seed with a friend that is not seeded: no error")
	}
	must(t, "Seed", sd.Seed(ctx, acc, fs, at(0)))
	wantChats(t, s, g, sa, sb, sc)
	wantChats(t, s, g, sb, sa, sc)
	wantChats(t, s, g, sc, sa, sb)
	wantChats(t, s, g, sdd)
	if got := mustPrivateChats(t, s, sc.ID); got[0].ChatGroupID != fs[1].ChatGroupID || got[1].ChatGroupID != fs[2].ChatGroupID {
		t.Fatalf("PrivateChats(sc): got %+v, want the seeded groups", got)
	}
	wantUnread(t, s, sa.ID)

	MustUnfriend(t, s, sb.ID, sa.ID)
	wantChats(t, s, g, sa, sc)
	if again := MustBefriend(t, s, sb.ID, sa.ID); again != fs[0].ChatGroupID {
		t.Fatalf("befriending again gave group %s, want the seeded %s", again, fs[0].ChatGroupID)
	}
	wantChats(t, s, g, sa, sb, sc)
	MustAppend(t, s, NewMessage(fs[1].ChatGroupID, sc.ID, 1, at(1)))
	wantUnread(t, s, sa.ID, fs[1].ChatGroupID)
	wantUnread(t, s, sc.ID)
}

func testAppend(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	ben, daisy, group := pair(t, s)
	m1 := NewMessage(group, ben.ID, 1, at(1))
	m1.Content = "Ünïcode 🐰 'quotes' \"double\" \\ %_"
	m2 := NewMessage(group, daisy.ID, 2, at(2))
	m3 := NewMessage(group, ben.ID, 3, at(3))
	m3.ClientID = m2.ClientID // client ids are per sender
	MustAppend(t, s, m1, m2, m3)
	wantGroup(t, s, group, true, 3, ben.ID, daisy.ID)

	got := mustAfter(t, s, group, 0, 10)
	wantIDs(t, "MessagesAfter(0)", messageIDs(got), []string{m1.ID, m2.ID, m3.ID})
	wantMessage(t, "MessagesAfter(0)[0]", got[0], m1)
	wantMessage(t, "MessagesAfter(0)[2]", got[2], m3)
	wantIDs(t, "MessagesAfter(1, 1)", messageIDs(mustAfter(t, s, group, 1, 1)), []string{m2.ID})
	wantIDs(t, "MessagesAfter(3)", messageIDs(mustAfter(t, s, group, 3, 10)), []string{})

	m, err := s.MessageByClientID(ctx, group, daisy.ID, m2.ClientID)
	must(t, "MessageByClientID", err)
	wantMessage(t, "MessageByClientID", *m, m2)
	_, err = s.MessageByClientID(ctx, group, daisy.ID, m1.ClientID)
	wantKind(t, "MessageByClientID(other sender's client id)", err, bunnybook.ENotFound)
	_, err = s.MessageByClientID(ctx, bunnybook.NewID(), ben.ID, m1.ClientID)
	wantKind(t, "MessageByClientID(unknown group)", err, bunnybook.ENotFound)

	m4 := NewMessage(group, daisy.ID, 4, at(4))
	MustAppend(t, s, m4)
	wantGroup(t, s, group, true, 4, ben.ID, daisy.ID)
	wantHistory(t, s, group, m4.ID, m3.ID, m2.ID, m1.ID)
	MustAppend(t, s) // an empty batch is fine
}

// wantNothingAppended fails unless the group still has exactly ids, up to lastSeq.
func wantNothingAppended(tb testing.TB, s bunnybook.Store, group string, lastSeq int64, ids ...string) {
	tb.Helper()
	if cg := mustChatGroup(tb, s, group); cg.LastSeq != lastSeq {
		tb.Fatalf("LastSeq after a failed append: got %d, want %d", cg.LastSeq, lastSeq)
	}
	wantIDs(tb, "messages after a failed append", messageIDs(mustAfter(tb, s, group, 0, 100)), ids)
}

func testAppendDuplicateSeq(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	ben, daisy, group := pair(t, s)
	m1, m2 := NewMessage(group, ben.ID, 1, at(1)), NewMessage(group, daisy.ID, 2, at(2))
	MustAppend(t, s, m1, m2)

	for _, batch := range [][]bunnybook.ChatMessage{
		{NewMessage(group, daisy.ID, 2, at(3))},
		{NewMessage(group, daisy.ID, 3, at(3)), NewMessage(group, daisy.ID, 2, at(3))},
		{NewMessage(group, ben.ID, 3, at(3)), NewMessage(group, daisy.ID, 3, at(3))},
	} {
		wantKind(t, "AppendMessages(duplicate seq)", s.AppendMessages(ctx, batch), bunnybook.EConflict)
		wantNothingAppended(t, s, group, 2, m1.ID, m2.ID)
	}
	// ben's read pointer did not move to his seq 3 of the failed batch.
	wantUnread(t, s, ben.ID, group)
	wantUnread(t, s, daisy.ID)
}

// testChatGroupLastAt: a group tells when its newest message was created
// (zero while it has none).
func testChatGroupLastAt(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ben, daisy, group := pair(t, s)
	if cg := mustChatGroup(t, s, group); !cg.LastAt.IsZero() {
		t.Fatalf("LastAt of an empty group: %v, want zero", cg.LastAt)
	}
	m2 := NewMessage(group, daisy.ID, 2, at(2))
	MustAppend(t, s, NewMessage(group, ben.ID, 1, at(1)), m2)
	if cg := mustChatGroup(t, s, group); cg.LastSeq != 2 || !cg.LastAt.Equal(m2.CreatedAt.Time) {
		t.Fatalf("LastSeq %d, LastAt %v: want 2, %v", cg.LastSeq, cg.LastAt, m2.CreatedAt)
	}
}

// testAppendSeqGap: a group's seqs stay gap-free. A conversation hands
// its next batch over while the one before is being stored; when that one
// fails, the next, numbered after it, must fail too rather than leave a
// gap, and so must seqs out of order within one call.
func testAppendSeqGap(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	ben, daisy, group := pair(t, s)
	m1 := NewMessage(group, ben.ID, 1, at(1))
	MustAppend(t, s, m1)

	for what, batch := range map[string][]bunnybook.ChatMessage{
		"after a gap":    {NewMessage(group, daisy.ID, 3, at(3)), NewMessage(group, ben.ID, 4, at(3))},
		"gap within":     {NewMessage(group, daisy.ID, 2, at(3)), NewMessage(group, ben.ID, 4, at(3))},
		"out of order":   {NewMessage(group, daisy.ID, 3, at(3)), NewMessage(group, ben.ID, 2, at(3))},
		"gap at the end": {NewMessage(group, daisy.ID, 2, at(3)), NewMessage(group, ben.ID, 3, at(3)), NewMessage(group, ben.ID, 5, at(3))},
	} {
		wantKind(t, "AppendMessages("+what+")", s.AppendMessages(ctx, batch), bunnybook.EConflict)
		wantNothingAppended(t, s, group, 1, m1.ID)
	}
	_, err := s.CommitChat(ctx, []bunnybook.ChatMessage{NewMessage(group, daisy.ID, 3, at(3))}, nil)
	wantKind(t, "CommitChat(after a gap)", err, bunnybook.EConflict)
	wantNothingAppended(t, s, group, 1, m1.ID)
	wantUnread(t, s, daisy.ID, group)

	m2, m3 := NewMessage(group, daisy.ID, 2, at(4)), NewMessage(group, ben.ID, 3, at(4))
	MustAppend(t, s, m2, m3)
	wantNothingAppended(t, s, group, 3, m1.ID, m2.ID, m3.ID)
}

func testAppendDuplicateClientID(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	ben, daisy, group := pair(t, s)
	m1 := NewMessage(group, ben.ID, 1, at(1))
	MustAppend(t, s, m1)

	resend := NewMessage(group, ben.ID, 2, at(2))
	resend.ClientID = m1.ClientID
	wantKind(t, "AppendMessages(duplicate client id)", s.AppendMessages(ctx, []bunnybook.ChatMessage{resend}), bunnybook.EConflict)
	wantNothingAppended(t, s, group, 1, m1.ID)

	a, b := NewMessage(group, ben.ID, 2, at(2)), NewMessage(group, ben.ID, 3, at(2))
	b.ClientID = a.ClientID
	wantKind(t, "AppendMessages(duplicate client id in one batch)", s.AppendMessages(ctx, []bunnybook.ChatMessage{a, b}), bunnybook.EConflict)
	wantNothingAppended(t, s, group, 1, m1.ID)
	wantUnread(t, s, ben.ID)
	wantUnread(t, s, daisy.ID, group)
}

// testAppendToClosedGroup: a message never lands in a chat that was just
// closed (the pair unfriended): the store checks the group is active in the
// appending transaction, whatever the caller read before.
func testAppendToClosedGroup(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	ben, daisy, group := pair(t, s)
	m1 := NewMessage(group, ben.ID, 1, at(1))
	MustAppend(t, s, m1)
	MustUnfriend(t, s, ben.ID, daisy.ID)

	err := s.AppendMessages(ctx, []bunnybook.ChatMessage{NewMessage(group, daisy.ID, 2, at(2))})
	wantKind(t, "AppendMessages(closed group)", err, bunnybook.EForbidden)
	wantNothingAppended(t, s, group, 1, m1.ID)

	MustBefriend(t, s, daisy.ID, ben.ID) // reopens the same group
	MustAppend(t, s, NewMessage(group, daisy.ID, 2, at(3)))
	wantGroup(t, s, group, true, 2, ben.ID, daisy.ID)
}

// mustConversations returns the profile's conversations (first 20).
func mustConversations(tb testing.TB, s bunnybook.Store, profile string) []bunnybook.Conversation {
	tb.Helper()
	cs, err := s.Conversations(tb.Context(), profile, bunnybook.TimePage{Limit: 20})
	must(tb, "Conversations", err)
	return cs
}

// wantReadAt fails unless the profile's only conversation has ReadAt want.
func wantReadAt(tb testing.TB, s bunnybook.Store, profile string, want *bunnybook.Time) {
	tb.Helper()
	cs := mustConversations(tb, s, profile)
	if len(cs) != 1 {
		tb.Fatalf("Conversations: got %d, want 1", len(cs))
	}
	if !timeEqual(cs[0].ReadAt, want) {
		tb.Fatalf("Conversations[0].ReadAt: got %v, want %v", cs[0].ReadAt, want)
	}
}

// wantUnread fails unless the profile's unread conversations are want.
// wantMoved returns a check of MarkChatRead's answer.
func wantMoved(tb testing.TB, what string, want bool) func(bool, error) {
	return func(moved bool, err error) {
		tb.Helper()
		must(tb, what, err)
		if moved != want {
			tb.Fatalf("%s: moved = %v, want %v", what, moved, want)
		}
	}
}

func wantUnread(tb testing.TB, s bunnybook.Store, profile string, want ...string) {
	tb.Helper()
	got, err := s.UnreadConversations(tb.Context(), profile)
	must(tb, "UnreadConversations", err)
	wantSameIDs(tb, "UnreadConversations", got, want)
}

func testReadPointers(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	ben, daisy, group := pair(t, s)
	wantUnread(t, s, ben.ID)
	wantUnread(t, s, daisy.ID)

	MustAppend(t, s, NewMessage(group, ben.ID, 1, at(1)))
	wantUnread(t, s, ben.ID)
	wantUnread(t, s, daisy.ID, group)
	wantReadAt(t, s, daisy.ID, nil)
	if cs := mustConversations(t, s, ben.ID); len(cs) != 1 || cs[0].ReadAt == nil {
		t.Fatalf("sender's conversation: got %+v, want it read", cs)
	}

	wantMoved(t, "MarkChatRead", true)(s.MarkChatRead(ctx, daisy.ID, group, 1, at(10)))
	wantMoved(t, "MarkChatRead(again)", false)(s.MarkChatRead(ctx, daisy.ID, group, 1, at(11)))
	wantUnread(t, s, daisy.ID)
	wantReadAt(t, s, daisy.ID, ptr(at(10)))

	MustAppend(t, s, NewMessage(group, ben.ID, 2, at(20)), NewMessage(group, ben.ID, 3, at(21)))
	wantUnread(t, s, daisy.ID, group)
	wantReadAt(t, s, daisy.ID, nil)
	wantMoved(t, "MarkChatRead(2 of 3)", true)(s.MarkChatRead(ctx, daisy.ID, group, 2, at(30)))
	wantUnread(t, s, daisy.ID, group)
	wantReadAt(t, s, daisy.ID, nil)
	wantMoved(t, "MarkChatRead(3)", true)(s.MarkChatRead(ctx, daisy.ID, group, 3, at(40)))
	wantUnread(t, s, daisy.ID)
	wantReadAt(t, s, daisy.ID, ptr(at(40)))

	// Never backward: a late mark of an older message changes nothing.
	wantMoved(t, "MarkChatRead(backward)", false)(s.MarkChatRead(ctx, daisy.ID, group, 1, at(50)))
	wantUnread(t, s, daisy.ID)
	wantReadAt(t, s, daisy.ID, ptr(at(40)))

	// Sending moves the sender's pointer: daisy replies, ben has read it all.
	wantUnread(t, s, ben.ID)
	MustAppend(t, s, NewMessage(group, daisy.ID, 4, at(60)))
	wantUnread(t, s, ben.ID, group)
	wantUnread(t, s, daisy.ID)
	if cs := mustConversations(t, s, daisy.ID); len(cs) != 1 || cs[0].ReadAt == nil || cs[0].Seq != 4 {
		t.Fatalf("sender's conversation: got %+v, want it read at seq 4", cs)
	}
}

func testUnreadLifecycle(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	acc := MustCreateAccounts(t, s, "ben", "daisy", "eve")
	ben, daisy, eve := acc[0].ID, acc[1].ID, acc[2].ID
	gd := MustBefriend(t, s, ben, daisy)
	ge := MustBefriend(t, s, eve, ben)
	markRead := func(profile, group string, seq int64) {
		t.Helper()
		_, err := s.MarkChatRead(ctx, profile, group, seq, at(100))
		must(t, "MarkChatRead", err)
	}

	// Messages from the other member are unread until read up to the last.
	MustAppend(t, s, NewMessage(gd, daisy, 1, at(1)), NewMessage(gd, daisy, 2, at(2)))
	MustAppend(t, s, NewMessage(ge, eve, 1, at(3)))
	wantUnread(t, s, ben, gd, ge)
	wantUnread(t, s, daisy)
	wantUnread(t, s, eve)
	markRead(ben, gd, 1)
	wantUnread(t, s, ben, gd, ge)
	markRead(ben, gd, 2)
	wantUnread(t, s, ben, ge)

	// Sending reads the conversation up to one's own message, even with
	// earlier messages unread; the other member has not read it.
	MustAppend(t, s, NewMessage(ge, ben, 2, at(4)))
	wantUnread(t, s, ben)
	wantUnread(t, s, eve, ge)
	// The reply to it is unread again, and the other has read by replying.
	MustAppend(t, s, NewMessage(ge, eve, 3, at(4)))
	wantUnread(t, s, ben, ge)
	wantUnread(t, s, eve)
	MustAppend(t, s, NewMessage(ge, ben, 4, at(4)))
	wantUnread(t, s, ben)
	wantUnread(t, s, eve, ge)
	// In one batch from both, only the last sender has read everything.
	MustAppend(t, s, NewMessage(gd, ben, 3, at(5)), NewMessage(gd, daisy, 4, at(6)))
	wantUnread(t, s, ben, gd)
	wantUnread(t, s, daisy)

	// An inactive group is nobody's unread conversation; befriending again
	// brings back what was unread.
	MustUnfriend(t, s, daisy, ben)
	wantUnread(t, s, ben)
	wantUnread(t, s, daisy)
	wantUnread(t, s, eve, ge)
	MustBefriend(t, s, daisy, ben)
	wantUnread(t, s, ben, gd)
	wantUnread(t, s, daisy)
	// A read pointer moved while the group was inactive counts once it is
	// active again.
	MustUnfriend(t, s, ben, daisy)
	markRead(ben, gd, 4)
	MustBefriend(t, s, ben, daisy)
	wantUnread(t, s, ben)
	wantUnread(t, s, daisy)
	wantUnread(t, s, eve, ge)
}

// testConcurrentMarkReadAndAppend races a member marking the conversation
// read up to its last message with the other member's next message: the
// conversation must end unread, whichever commits first.
func testConcurrentMarkReadAndAppend(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	ben, daisy, group := pair(t, s)
	MustAppend(t, s, NewMessage(group, daisy.ID, 1, at(0)))
	for seq := int64(1); seq <= 100; seq++ {
		errs := race(
			func() error {
				_, err := s.MarkChatRead(ctx, ben.ID, group, seq, at(int(seq)))
				return err
			},
			func() error {
				return s.AppendMessages(ctx, []bunnybook.ChatMessage{NewMessage(group, daisy.ID, seq+1, at(int(seq)))})
			})
		must(t, "MarkChatRead", errs[0])
		must(t, "AppendMessages", errs[1])
		wantUnread(t, s, ben.ID, group)
	}
}

func testConversations(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	acc := MustCreateAccounts(t, s, "me", "amy", "bob", "cat", "dan")
	me, amy, bob, cat := acc[0], acc[1], acc[2], acc[3]
	ga := MustBefriend(t, s, me.ID, amy.ID)
	gb := MustBefriend(t, s, bob.ID, me.ID)
	MustBefriend(t, s, me.ID, cat.ID) // no messages: not listed
	gd := MustBefriend(t, s, amy.ID, acc[4].ID)

	MustAppend(t, s, NewMessage(ga, me.ID, 1, at(1)), NewMessage(ga, amy.ID, 2, at(5)))
	lastB := NewMessage(gb, bob.ID, 1, at(3))
	lastB.Content = "latest from bob"
	MustAppend(t, s, lastB)
	MustAppend(t, s, NewMessage(gd, amy.ID, 1, at(9))) // not my group

	cs := mustConversations(t, s, me.ID)
	if len(cs) != 2 || cs[0].ChatGroupID != ga || cs[1].ChatGroupID != gb {
		t.Fatalf("Conversations(me): got %+v, want amy's group then bob's", cs)
	}
	want := bunnybook.Conversation{
		FromProfileID:       bob.ID,
		FromProfileUsername: "bob",
		Content:             "latest from bob",
		CreatedAt:           at(3),
		ChatGroupID:         gb,
		ChatGroupName:       "bob",
		Seq:                 1,
	}
	got := cs[1]
	if got.FromProfileID != want.FromProfileID || got.FromProfileUsername != want.FromProfileUsername ||
		got.Content != want.Content || !got.CreatedAt.Equal(want.CreatedAt.Time) || got.ChatGroupID != want.ChatGroupID ||
		got.ChatGroupName != want.ChatGroupName || got.Seq != want.Seq || got.ReadAt != nil {
		t.Fatalf("Conversations(me)[1]: got %+v, want %+v", got, want)
	}
	if cs[0].Seq != 2 || cs[0].FromProfileUsername != "amy" || cs[0].ChatGroupName != "amy" {
		t.Fatalf("Conversations(me)[0]: got %+v, want amy's message seq 2", cs[0])
	}
	// The other member sees the same message under the other name.
	bs := mustConversations(t, s, bob.ID)
	if len(bs) != 1 || bs[0].ChatGroupName != "me" || bs[0].FromProfileUsername != "bob" || bs[0].ReadAt == nil {
		t.Fatalf("Conversations(bob): got %+v, want one read conversation named me", bs)
	}
	wantUnread(t, s, me.ID, ga, gb)
}

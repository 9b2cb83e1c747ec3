package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/bunnybook/bunnybook"
)

var groupTests = []test{
	{"Create", testGroupCreate},
	{"CreateNeedsFriends", testGroupCreateNeedsFriends},
	{"NotAPrivateChat", testGroupNotPrivate},
	{"Rename", testGroupRename},
	{"Add", testGroupAdd},
	{"Full", testGroupFull},
	{"Remove", testGroupRemove},
	{"Unread", testGroupUnread},
	{"Conversations", testGroupConversations},
	{"ProfileGroups", testProfileGroups},
	{"MarkByFormerMember", testMarkByFormerMember},
}

// testMarkByFormerMember: the read mark of a member who left (while it
// waited for its commit) is refused, and the commit holding it stores
// nothing.
func testMarkByFormerMember(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	ids := friendsOf(t, s, "zoe", "amy", "bob")
	zoe, amy, bob := ids[0], ids[1], ids[2]
	g := mustGroup(t, s, "Burrow", zoe, amy, bob)
	MustAppend(t, s, NewMessage(g.ID, zoe, 1, at(1)))
	_, err := s.RemoveGroupMember(ctx, g.ID, bob, bob)
	must(t, "RemoveGroupMember", err)

	_, err = s.MarkChatRead(ctx, bob, g.ID, 1, at(2))
	wantKind(t, "MarkChatRead(former member)", err, bunnybook.EForbidden)
	_, err = s.CommitChat(ctx, nil, []bunnybook.ReadMark{mark(amy, g.ID, 1, 3), mark(bob, g.ID, 1, 4)})
	wantKind(t, "CommitChat(a former member's mark)", err, bunnybook.EForbidden)
	wantUnread(t, s, amy, g.ID)
	wantMoved(t, "MarkChatRead(member)", true)(s.MarkChatRead(ctx, amy, g.ID, 1, at(5)))
	wantUnread(t, s, amy)
}

// mustGroup creates a group chat named name of creator and others (who must
// be the creator's friends already).
func mustGroup(tb testing.TB, s bunnybook.Store, name string, creator string, others ...string) *bunnybook.GroupChat {
	tb.Helper()
	g := &bunnybook.GroupChat{ID: bunnybook.NewID(), Name: name, CreatedBy: creator, CreatedAt: bunnybook.Now()}
	for _, id := range append([]string{creator}, others...) {
		g.Members = append(g.Members, bunnybook.GroupMember{ProfileID: id})
	}
	must(tb, "CreateGroupChat", s.CreateGroupChat(tb.Context(), g))
	return g
}

// friendsOf creates accounts named by names, the first befriended with
// every other, and returns their ids.
func friendsOf(tb testing.TB, s bunnybook.Store, names ...string) []string {
	tb.Helper()
	acc := MustCreateAccounts(tb, s, names...)
	ids := make([]string, len(acc))
	for i, a := range acc {
		ids[i] = a.ID
		if i > 0 {
			MustBefriend(tb, s, acc[0].ID, a.ID)
		}
	}
	return ids
}

// memberNames returns the usernames of g's members, in order.
func memberNames(g *bunnybook.GroupChat) []string {
	var out []string
	for _, m := range g.Members {
		out = append(out, m.Username)
	}
	return out
}

func testGroupCreate(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ids := friendsOf(t, s, "zoe", "amy", "bob")
	g := mustGroup(t, s, "Burrow", ids[0], ids[1], ids[2])
	wantIDs(t, "created members", memberNames(g), []string{"amy", "bob", "zoe"})
	got, err := s.GroupChat(t.Context(), g.ID)
	must(t, "GroupChat", err)
	if got.Name != "Burrow" || got.CreatedBy != ids[0] || !got.CreatedAt.Equal(g.CreatedAt.Time) {
		t.Fatalf("GroupChat: got %+v, want %+v", got, g)
	}
	wantIDs(t, "stored members", memberNames(got), []string{"amy", "bob", "zoe"})
	cg, err := s.ChatGroup(t.Context(), g.ID)
	must(t, "ChatGroup", err)
	if cg.Private || !cg.Active || len(cg.Members) != 3 || cg.LastSeq != 0 {
		t.Fatalf("ChatGroup of a group chat: got %+v", cg)
	}
	_, err = s.GroupChat(t.Context(), bunnybook.NewID())
	wantKind(t, "GroupChat(unknown)", err, bunnybook.ENotFound)
}

func testGroupCreateNeedsFriends(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ids := friendsOf(t, s, "zoe", "amy")
	stranger := MustCreateAccount(t, s, "stranger")
	for _, c := range []struct {
		other, kind string
	}{{stranger.ID, bunnybook.EForbidden}, {bunnybook.NewID(), bunnybook.ENotFound}} {
		g := &bunnybook.GroupChat{ID: bunnybook.NewID(), Name: "x", CreatedBy: ids[0], CreatedAt: bunnybook.Now(),
			Members: []bunnybook.GroupMember{{ProfileID: ids[0]}, {ProfileID: ids[1]}, {ProfileID: c.other}}}
		wantKind(t, "CreateGroupChat", s.CreateGroupChat(t.Context(), g), c.kind)
		_, err := s.GroupChat(t.Context(), g.ID)
		wantKind(t, "GroupChat after a refused create", err, bunnybook.ENotFound)
	}
	groups, err := s.GroupChats(t.Context(), ids[0])
	must(t, "GroupChats", err)
	if len(groups) != 0 {
		t.Fatalf("GroupChats after refused creates: got %+v, want none", groups)
	}
}

func testGroupNotPrivate(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ben, _, private := pair(t, s)
	_, err := s.GroupChat(t.Context(), private)
	wantKind(t, "GroupChat(private chat)", err, bunnybook.ENotFound)
	_, err = s.RenameGroupChat(t.Context(), private, ben.ID, "mine")
	wantKind(t, "RenameGroupChat(private chat)", err, bunnybook.ENotFound)
}

func testGroupRename(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ids := friendsOf(t, s, "zoe", "amy", "bob")
	outsider := MustCreateAccount(t, s, "outsider")
	g := mustGroup(t, s, "Burrow", ids[0], ids[1], ids[2])
	got, err := s.RenameGroupChat(t.Context(), g.ID, ids[2], "Warren")
	must(t, "RenameGroupChat", err)
	if got.Name != "Warren" || len(got.Members) != 3 {
		t.Fatalf("RenameGroupChat: got %+v", got)
	}
	_, err = s.RenameGroupChat(t.Context(), g.ID, outsider.ID, "Mine")
	wantKind(t, "RenameGroupChat(outsider)", err, bunnybook.EForbidden)
	_, err = s.RenameGroupChat(t.Context(), bunnybook.NewID(), ids[0], "Mine")
	wantKind(t, "RenameGroupChat(unknown)", err, bunnybook.ENotFound)
}

func testGroupAdd(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ids := friendsOf(t, s, "zoe", "amy", "bob", "cat")
	amysFriend := MustCreateAccount(t, s, "dan")
	MustBefriend(t, s, ids[1], amysFriend.ID)
	outsider := MustCreateAccount(t, s, "outsider")
	g := mustGroup(t, s, "Burrow", ids[0], ids[1], ids[2])
	ctx := t.Context()

	_, err := s.AddGroupMember(ctx, g.ID, ids[0], amysFriend.ID)
	wantKind(t, "add someone who is not my friend", err, bunnybook.EForbidden)
	_, err = s.AddGroupMember(ctx, g.ID, outsider.ID, ids[3])
	wantKind(t, "add as an outsider", err, bunnybook.EForbidden)
	_, err = s.AddGroupMember(ctx, g.ID, ids[0], ids[1])
	wantKind(t, "add a member", err, bunnybook.EConflict)
	got, err := s.AddGroupMember(ctx, g.ID, ids[1], amysFriend.ID) // amy adds her own friend
	must(t, "AddGroupMember", err)
	wantIDs(t, "members after add", memberNames(got), []string{"amy", "bob", "dan", "zoe"})
}

func testGroupFull(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	names := make([]string, bunnybook.GroupMembersMax+1)
	for i := range names {
		names[i] = fmt.Sprintf("bunny%02d", i)
	}
	ids := friendsOf(t, s, names...)
	g := mustGroup(t, s, "Big", ids[0], ids[1:bunnybook.GroupMembersMax-1]...)
	got, err := s.AddGroupMember(t.Context(), g.ID, ids[0], ids[bunnybook.GroupMembersMax-1])
	must(t, "AddGroupMember(the 50th)", err)
	if len(got.Members) != bunnybook.GroupMembersMax {
		t.Fatalf("members: got %d, want %d", len(got.Members), bunnybook.GroupMembersMax)
	}
	_, err = s.AddGroupMember(t.Context(), g.ID, ids[0], ids[bunnybook.GroupMembersMax])
	wantKind(t, "AddGroupMember(the 51st)", err, bunnybook.EBadRequest)
}

func testGroupRemove(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ids := friendsOf(t, s, "zoe", "amy", "bob", "cat")
	zoe, amy, bob, cat := ids[0], ids[1], ids[2], ids[3]
	g := mustGroup(t, s, "Burrow", zoe, amy, bob, cat)
	ctx := t.Context()
	MustAppend(t, s, NewMessage(g.ID, zoe, 1, at(1)), NewMessage(g.ID, amy, 2, at(2)))

	_, err := s.RemoveGroupMember(ctx, g.ID, amy, bob)
	wantKind(t, "a member removes another", err, bunnybook.EForbidden)
	got, err := s.RemoveGroupMember(ctx, g.ID, bob, bob)
	must(t, "leave", err)
	wantIDs(t, "members after leave", memberNames(got), []string{"amy", "cat", "zoe"})
	_, err = s.RemoveGroupMember(ctx, g.ID, bob, bob)
	wantKind(t, "leave again", err, bunnybook.EForbidden)
	_, err = s.RemoveGroupMember(ctx, g.ID, zoe, bob)
	wantKind(t, "remove a former member", err, bunnybook.ENotFound)
	_, err = s.RemoveGroupMember(ctx, g.ID, zoe, cat) // the creator removes a member
	must(t, "remove", err)

	// A message the conversation accepted from bob before he left is not
	// stored, nor is the rest of its batch.
	err = s.AppendMessages(ctx, []bunnybook.ChatMessage{NewMessage(g.ID, zoe, 3, at(3)), NewMessage(g.ID, bob, 4, at(4))})
	wantKind(t, "append a former member's message", err, bunnybook.EForbidden)
	MustAppend(t, s, NewMessage(g.ID, zoe, 3, at(3)))
	seq, err := s.FormerMemberSeq(ctx, g.ID, bob)
	must(t, "FormerMemberSeq", err)
	if seq != 2 {
		t.Fatalf("FormerMemberSeq(bob): got %d, want 2", seq)
	}
	_, err = s.FormerMemberSeq(ctx, g.ID, amy)
	wantKind(t, "FormerMemberSeq(a member)", err, bunnybook.ENotFound)
	ms, err := s.ChatMessagesUpTo(ctx, g.ID, seq, bunnybook.TimePage{Limit: 10})
	must(t, "ChatMessagesUpTo", err)
	if len(ms) != 2 || ms[0].Seq != 2 || ms[1].Seq != 1 {
		t.Fatalf("ChatMessagesUpTo(2): got %+v, want seqs 2, 1", ms)
	}

	// Rejoining makes bob a member again, no longer a former one.
	_, err = s.AddGroupMember(ctx, g.ID, zoe, bob)
	must(t, "rejoin", err)
	_, err = s.FormerMemberSeq(ctx, g.ID, bob)
	wantKind(t, "FormerMemberSeq after rejoining", err, bunnybook.ENotFound)
}

func testGroupUnread(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ids := friendsOf(t, s, "zoe", "amy", "bob", "cat")
	zoe, amy, bob, cat := ids[0], ids[1], ids[2], ids[3]
	g := mustGroup(t, s, "Burrow", zoe, amy, bob)
	ctx := t.Context()
	MustAppend(t, s, NewMessage(g.ID, zoe, 1, at(1)))
	wantUnread(t, s, zoe)
	wantUnread(t, s, amy, g.ID)
	wantUnread(t, s, bob, g.ID)

	if _, err := s.MarkChatRead(ctx, amy, g.ID, 1, at(2)); err != nil {
		t.Fatalf("MarkChatRead: %v", err)
	}
	wantUnread(t, s, amy)
	_, err := s.RemoveGroupMember(ctx, g.ID, bob, bob)
	must(t, "leave", err)
	wantUnread(t, s, bob) // a former member has nothing unread in it

	// A new member has read what was sent before they joined.
	_, err = s.AddGroupMember(ctx, g.ID, zoe, cat)
	must(t, "add", err)
	wantUnread(t, s, cat)
	MustAppend(t, s, NewMessage(g.ID, amy, 2, at(3)))
	wantUnread(t, s, cat, g.ID)
	wantUnread(t, s, zoe, g.ID)
	wantUnread(t, s, bob)
	cs := mustConversations(t, s, cat)
	if len(cs) != 1 || cs[0].UnreadCount != 1 {
		t.Fatalf("Conversations(cat): got %+v, want 1 unread", cs)
	}
}

func testGroupConversations(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ids := friendsOf(t, s, "zoe", "amy", "bob")
	zoe, amy, bob := ids[0], ids[1], ids[2]
	private := MustBefriend(t, s, amy, bob) // amy and bob: a private chat
	MustAppend(t, s, NewMessage(private, bob, 1, at(1)))
	g := mustGroup(t, s, "Burrow", zoe, amy, bob) // created now: after at(1)

	cs := mustConversations(t, s, amy)
	if len(cs) != 2 || cs[0].ChatGroupID != g.ID || cs[1].ChatGroupID != private {
		t.Fatalf("Conversations(amy): got %+v, want the new group, then the private chat", cs)
	}
	empty := cs[0]
	if empty.Kind != bunnybook.ConversationGroup || empty.ChatGroupName != "Burrow" || empty.Seq != 0 ||
		empty.Content != "" || empty.FromProfileID != "" || empty.UnreadCount != 0 || empty.ReadAt != nil ||
		!empty.CreatedAt.Equal(g.CreatedAt.Time) || len(empty.ReadSeqs) != 3 {
		t.Fatalf("a group without messages: got %+v", empty)
	}
	if p := cs[1]; p.Kind != bunnybook.ConversationPrivate || p.ChatGroupName != "bob" || p.UnreadCount != 1 || len(p.ReadSeqs) != 2 {
		t.Fatalf("a private chat: got %+v", p)
	}

	later := bunnybook.At(g.CreatedAt.Add(1000))
	MustAppend(t, s, NewMessage(g.ID, zoe, 1, later), NewMessage(g.ID, bob, 2, later))
	if _, err := s.MarkChatRead(t.Context(), amy, g.ID, 1, later); err != nil {
		t.Fatalf("MarkChatRead: %v", err)
	}
	cs = mustConversations(t, s, amy)
	got := cs[0]
	if got.ChatGroupID != g.ID || got.Seq != 2 || got.FromProfileID != bob || got.FromProfileUsername != "bob" || got.UnreadCount != 1 {
		t.Fatalf("group conversation: got %+v", got)
	}
	want := []bunnybook.ReadSeq{{ProfileID: zoe, Seq: 1}, {ProfileID: amy, Seq: 1}, {ProfileID: bob, Seq: 2}}
	slices.SortFunc(want, func(a, b bunnybook.ReadSeq) int { return strings.Compare(a.ProfileID, b.ProfileID) })
	if !slices.Equal(got.ReadSeqs, want) {
		t.Fatalf("ReadSeqs: got %+v, want %+v", got.ReadSeqs, want)
	}
	// Paging: the cursor of the first item gives the second.
	next, err := s.Conversations(t.Context(), amy, bunnybook.TimePage{Before: got.CreatedAt, BeforeID: got.ChatGroupID, Limit: 1})
	must(t, "Conversations(page 2)", err)
	if len(next) != 1 || next[0].ChatGroupID != private {
		t.Fatalf("Conversations(page 2): got %+v, want the private chat", next)
	}
}

func testProfileGroups(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ids := friendsOf(t, s, "zoe", "amy", "bob")
	g1 := mustGroup(t, s, "Warren", ids[0], ids[1], ids[2])
	g2 := mustGroup(t, s, "Burrow", ids[0], ids[1], ids[2])
	_, err := s.RemoveGroupMember(t.Context(), g1.ID, ids[1], ids[1])
	must(t, "leave", err)
	got, err := s.GroupChats(t.Context(), ids[0])
	must(t, "GroupChats", err)
	if len(got) != 2 || got[0].ChatGroupID != g2.ID || got[0].Name != "Burrow" || len(got[0].MemberIDs) != 3 ||
		got[1].ChatGroupID != g1.ID || len(got[1].MemberIDs) != 2 {
		t.Fatalf("GroupChats(zoe): got %+v", got)
	}
	got, err = s.GroupChats(t.Context(), ids[1])
	must(t, "GroupChats", err)
	if len(got) != 1 || got[0].ChatGroupID != g2.ID {
		t.Fatalf("GroupChats(amy): got %+v, want Burrow only", got)
	}
}

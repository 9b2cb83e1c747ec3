package main

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/asynkron/protoactor-go/cluster/clusterproviders/test"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/client"
	"github.com/bunnybook/bunnybook/persistence/postgres/postgrestest"
	"github.com/bunnybook/bunnybook/persistence/redis/redistest"
)

// groupFrame is group.added and group.updated.
type groupFrame struct {
	ChatGroupID string                  `json:"chatGroupId"`
	Name        string                  `json:"name"`
	Members     []bunnybook.GroupMember `json:"members"`
}

// mustGroupFrame waits for a group frame of typ about group and checks
// its name and member count.
func mustGroupFrame(t *testing.T, c *client.Conn, typ, group, name string, members int) {
	t.Helper()
	var f groupFrame
	mustFrame(t, c, typ, &f)
	if f.ChatGroupID != group || f.Name != name || len(f.Members) != members {
		t.Fatalf("%s = %+v, want group %s named %q with %d members", typ, f, group, name, members)
	}
}

// testGroupChat runs a group chat of a and three friends, connected and
// with their profile grains placed alternately on the servers at urls (one
// server, or cluster members):
// creation, messages, typing, read marks, joining, renaming and leaving,
// each seen live by every member it concerns.
func testGroupChat(t *testing.T, urls ...string) {
	ctx := context.Background()
	url := func(i int) string { return urls[i%len(urls)] }
	users, conns := spreadUsers(t, 4, urls)
	for _, u := range users[1:] {
		MustBefriend(t, users[0], u)
	}
	a, b, c, d := users[0], users[1], users[2], users[3]
	ca, cb, cc, cd := conns[0], conns[1], conns[2], conns[3]

	g, err := a.CreateGroupChat(ctx, "  Carrot club ", []string{b.Profile.ID, c.Profile.ID, b.Profile.ID})
	if err != nil || g.Name != "Carrot club" || len(g.Members) != 3 || g.CreatedBy != a.Profile.ID {
		t.Fatalf("create group = %+v, %v", g, err)
	}
	for _, conn := range []*client.Conn{ca, cb, cc} {
		mustGroupFrame(t, conn, "group.added", g.ID, "Carrot club", 3)
	}

	// A message reaches every member; typing names its member.
	ca.Send(map[string]any{"type": "chat.send", "id": "m1", "chatGroupId": g.ID, "content": "hello club"})
	var ack messageFrame
	mustFrame(t, ca, "chat.ack", &ack)
	for _, conn := range []*client.Conn{cb, cc} {
		var got messageFrame
		mustFrame(t, conn, "chat.message", &got)
		if got.Message.ID != ack.Message.ID || got.Message.Seq != 1 {
			t.Fatalf("member got %+v, want %+v", got.Message, ack.Message)
		}
	}
	cb.Send(map[string]any{"type": "chat.typing", "chatGroupId": g.ID})
	for _, conn := range []*client.Conn{ca, cc} {
		f, err := conn.AwaitType(wait, "chat.typing")
		if err != nil || !bytes.Contains(f.Raw, []byte(b.Profile.Username)) {
			t.Fatalf("typing = %s, %v", f.Raw, err)
		}
	}
	cc.Send(map[string]any{"type": "chat.read", "id": "r1", "chatGroupId": g.ID, "seq": 1})

	// d joins: d gets group.added, the others group.updated.
	if g, err = a.AddGroupMember(ctx, g.ID, d.Profile.ID); err != nil || len(g.Members) != 4 {
		t.Fatalf("add member = %+v, %v", g, err)
	}
	mustGroupFrame(t, cd, "group.added", g.ID, "Carrot club", 4)
	for _, conn := range []*client.Conn{ca, cb, cc} {
		mustGroupFrame(t, conn, "group.updated", g.ID, "Carrot club", 4)
	}
	if _, err := c.RenameGroupChat(ctx, g.ID, "Burrow"); err != nil {
		t.Fatal(err)
	}
	for _, conn := range conns {
		mustGroupFrame(t, conn, "group.updated", g.ID, "Burrow", 4)
	}

	// b leaves: b gets group.removed and can do nothing more in the group.
	if err := b.RemoveGroupMember(ctx, g.ID, b.Profile.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := cb.AwaitType(wait, "group.removed"); err != nil {
		t.Fatal(err)
	}
	for _, conn := range []*client.Conn{ca, cc, cd} {
		mustGroupFrame(t, conn, "group.updated", g.ID, "Burrow", 3)
	}
	for _, frame := range []map[string]any{
		{"type": "chat.send", "id": "x", "chatGroupId": g.ID, "content": "still here?"},
		{"type": "chat.typing", "id": "t", "chatGroupId": g.ID},
		{"type": "chat.read", "id": "r", "chatGroupId": g.ID, "seq": 1},
		{"type": "resume", "chats": map[string]int64{g.ID: 0}},
	} {
		cb.Send(frame)
		f, err := cb.AwaitType(wait, "error")
		if err != nil || !bytes.Contains(f.Raw, []byte(`"code":"forbidden"`)) {
			t.Errorf("former member's %v: got %s, %v; want a forbidden error", frame["type"], f.Raw, err)
		}
	}
	cd.Send(map[string]any{"type": "chat.send", "id": "m2", "chatGroupId": g.ID, "content": "bye b"})
	mustFrame(t, cd, "chat.ack", &ack)
	for _, conn := range []*client.Conn{ca, cc} {
		var got messageFrame
		mustFrame(t, conn, "chat.message", &got)
		if got.Message.Seq != 2 || got.Message.FromProfileID != d.Profile.ID {
			t.Fatalf("member got %+v, want seq 2 from d", got.Message)
		}
	}
	if history, err := b.ChatMessages(ctx, g.ID, 20); err != nil || len(history) != 1 || history[0].Seq != 1 {
		t.Fatalf("former member's history = %+v, %v; want message 1 only", history, err)
	}

	// A new connection's hello lists the group, unread for c (who read 1 of
	// 2), and it resumes the group like any chat.
	cc2, h := MustDial(t, url(2), c)
	if len(h.GroupChats) != 1 || h.GroupChats[0].ChatGroupID != g.ID || len(h.GroupChats[0].MemberIDs) != 3 ||
		!slices.Contains(h.UnreadConversationIDs, g.ID) {
		t.Fatalf("hello = %+v, want group %s, unread", h, g.ID)
	}
	cc2.Send(map[string]any{"type": "resume", "chats": map[string]int64{g.ID: 0}})
	for want := int64(1); want <= 2; want++ {
		var got messageFrame
		mustFrame(t, cc2, "chat.message", &got)
		if got.Message.Seq != want || got.Message.ChatGroupID != g.ID {
			t.Fatalf("resume sent %+v, want seq %d", got.Message, want)
		}
	}
	if _, err := cc2.AwaitType(wait, "resume.done"); err != nil {
		t.Fatal(err)
	}
	convs, err := c.Conversations(ctx)
	i := slices.IndexFunc(convs, func(cv bunnybook.Conversation) bool { return cv.ChatGroupID == g.ID })
	if err != nil || i < 0 || convs[i].Kind != "group" || convs[i].ChatGroupName != "Burrow" || convs[i].UnreadCount != 1 ||
		len(convs[i].ReadSeqs) != 3 {
		t.Fatalf("conversations = %+v, %v", convs, err)
	}
}

func TestGroupChatOneNode(t *testing.T) {
	m := MustRunMain(t, nil)
	testGroupChat(t, m.URL())
}

func TestGroupChatTwoNodes(t *testing.T) {
	n1, n2 := twoNodes(t)
	testGroupChat(t, n1.URL(), n2.URL())
}

// TestGroupChatTwoNodesPostgres runs the group chat on two nodes sharing
// PostgreSQL and Redis (presence, cache), as deployed.
func TestGroupChatTwoNodesPostgres(t *testing.T) {
	srv, db, agent := redistest.StartServer(t), postgrestest.MustOpen(t), test.NewInMemAgent()
	shared := func(m *Main) { m.Config.RedisURL, m.Store, m.clusterAgent = srv.URL(), db, agent }
	n1, n2 := MustRunMain(t, shared), MustRunMain(t, shared)
	testGroupChat(t, n1.URL(), n2.URL())
}

// spreadUsers returns n connected users, the i-th with its profile grain
// on node i mod len(urls) (each connected to some node): users whose grain
// the cluster placed on a node that has its share are left aside,
// connected, and others made.
func spreadUsers(t *testing.T, n int, urls []string) ([]*client.Client, []*client.Conn) {
	t.Helper()
	users, conns := make([]*client.Client, n), make([]*client.Conn, n)
	for filled, made := 0, 0; filled < n; made++ {
		if made > 10*n {
			t.Fatalf("no profile grains placed on every node after %d users", made)
		}
		before := profileGrains(t, urls)
		u := MustUser(t, urls[0])
		conn, _ := MustDial(t, urls[made%len(urls)], u)
		after := profileGrains(t, urls)
		node := -1
		for i := range after {
			if after[i] > before[i] {
				node = i
			}
		}
		if node < 0 {
			t.Fatalf("no node counted the profile grain of %s", u.Profile.Username)
		}
		for i := node; i < n; i += len(urls) {
			if users[i] == nil {
				users[i], conns[i] = u, conn
				filled++
				break
			}
		}
	}
	return users, conns
}

// profileGrains reads each node's count of active profile grains.
func profileGrains(t *testing.T, urls []string) []float64 {
	t.Helper()
	out := make([]float64, len(urls))
	for i, u := range urls {
		body, err := get(u + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(body, "\n") {
			if v, ok := strings.CutPrefix(line, "bunnybook_profile_grains_active "); ok {
				out[i], _ = strconv.ParseFloat(v, 64)
			}
		}
	}
	return out
}

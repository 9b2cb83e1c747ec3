package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/cluster/clusterproviders/test"
	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/bunnybook/bunnybook/client"
	"github.com/bunnybook/bunnybook/persistence/memory"
	"github.com/bunnybook/bunnybook/persistence/sqlite/sqlitetest"
)

func TestResendIsIdempotent(t *testing.T) {
	m := MustRunMain(t, nil)
	_, _, ca, cb, group := chatPair(t, m.URL(), m.URL())
	send := map[string]any{"type": "chat.send", "id": 42, "chatGroupId": group, "content": "only once"}
	var first, second messageFrame
	ca.Send(send)
	mustFrame(t, ca, "chat.ack", &first)
	ca.Send(send)
	mustFrame(t, ca, "chat.ack", &second)
	if first.Message.ID != second.Message.ID || first.Message.Seq != second.Message.Seq {
		t.Fatalf("resend acked %+v, first ack %+v; want the same message", second.Message, first.Message)
	}
	ca.Send(map[string]any{"type": "chat.send", "id": 43, "chatGroupId": group, "content": "next"})
	var next messageFrame
	mustFrame(t, ca, "chat.ack", &next)
	// b sees "only once" exactly once, then "next".
	var got []int64
	for len(got) < 2 {
		var f messageFrame
		mustFrame(t, cb, "chat.message", &f)
		got = append(got, f.Message.Seq)
	}
	if got[0] != first.Message.Seq || got[1] != next.Message.Seq {
		t.Fatalf("b received seqs %v, want [%d %d]", got, first.Message.Seq, next.Message.Seq)
	}
}

// TestResumeOnAnotherNode: b misses messages while disconnected, then
// reconnects to the other node of the cluster and resumes from its last
// seen seq: every message arrives once, whether live messages come while
// the replay runs or already between hello and resume. (The push of the
// last message sent while b was away can also reach b's new connection
// live: the fan-out runs after the ack. It then comes before the replay,
// which brings the ones below it, as docs/protocol.md allows.)
func TestResumeOnAnotherNode(t *testing.T) {
	n1, n2 := twoNodes(t)
	_, b, ca, cb, group := chatPair(t, n1.URL(), n1.URL())
	sendN := func(from, to int) {
		for i := from; i <= to; i++ {
			ca.Send(map[string]any{"type": "chat.send", "id": fmt.Sprint(i), "chatGroupId": group, "content": fmt.Sprint("message ", i)})
			var ack messageFrame
			mustFrame(t, ca, "chat.ack", &ack)
		}
	}
	receive := func(c *client.Conn, n int) []int64 {
		var seqs []int64
		for len(seqs) < n {
			var f messageFrame
			mustFrame(t, c, "chat.message", &f)
			seqs = append(seqs, f.Message.Seq)
		}
		return seqs
	}
	wantSeqs := func(what string, got []int64, from int64) {
		t.Helper()
		for i, s := range got {
			if s != from+int64(i) {
				t.Fatalf("%s: b got seqs %v, want %d..%d in order", what, got, from, from+int64(len(got))-1)
			}
		}
	}
	noMore := func(c *client.Conn) {
		t.Helper()
		if f, err := c.Await(500*time.Millisecond, func(f client.Frame) bool { return f.Type == "chat.message" }); err == nil {
			t.Fatalf("duplicate after resume: %s", f.Raw)
		}
	}
	// awayFrom waits until a sees b offline: b's grain is gone, so what is
	// sent from then on reaches b only if b is back when its fan-out runs.
	awayFrom := func(c *client.Conn) {
		t.Helper()
		c.Close()
		if _, err := ca.Await(wait, func(f client.Frame) bool {
			return f.Type == "presence" && strings.Contains(string(f.Raw), `"online":false`)
		}); err != nil {
			t.Fatalf("a did not see b go offline: %v", err)
		}
	}
	sendN(1, 3)
	receive(cb, 3)
	awayFrom(cb)
	sendN(4, 8) // b is away

	cb2, _ := MustDial(t, n2.URL(), b)
	cb2.Send(map[string]any{"type": "resume", "chats": map[string]int64{group: 3}})
	sendN(9, 10) // live while resuming: must not duplicate or reorder
	// 9 may be delivered live before the server reads the resume (each
	// message still arrives once, and the replay in order).
	got := receive(cb2, 7)
	if !slices.Equal(slices.Sorted(slices.Values(got)), []int64{4, 5, 6, 7, 8, 9, 10}) {
		t.Fatalf("resume, then live: b got seqs %v, want 4..10 once each", got)
	}
	replayed := slices.DeleteFunc(slices.Clone(got[slices.Index(got, 4):]), func(s int64) bool { return s > 8 })
	wantSeqs("the replay", replayed, 4)
	noMore(cb2)
	awayFrom(cb2)
	sendN(11, 12) // away again

	cb3, _ := MustDial(t, n1.URL(), b)
	sendN(13, 14) // live before b sends its resume
	// 13 and 14, after a late push of 12 (or of 11 and 12)
	var live []int64
	for len(live) == 0 || live[len(live)-1] < 14 {
		live = append(live, receive(cb3, 1)...)
	}
	if live[0] > 13 {
		t.Fatalf("live before resume: b got seqs %v, want 13 before 14", live)
	}
	wantSeqs("live before resume", live, live[0])
	cb3.Send(map[string]any{"type": "resume", "chats": map[string]int64{group: 10}})
	wantSeqs("the gap below them", receive(cb3, int(live[0]-11)), 11)
	noMore(cb3)
}

// TestGrainsMoveToAJoiningNode: when a node joins, the profile grains it
// now owns stop on the first node, and their connections (which stay on
// the first node) attach to them again on the new one: they get a new
// hello, and messages still reach them.
func TestGrainsMoveToAJoiningNode(t *testing.T) {
	db, presence, agent := sqlitetest.MustOpen(t), memory.NewPresence(), test.NewInMemAgent()
	shared := func(m *Main) { m.Store, m.Presence, m.clusterAgent = db, presence, agent }
	n1 := MustRunMain(t, shared)
	sender := MustUser(t, n1.URL())
	const n = 12 // all of them stay on n1 with a chance of 1 in 4 096
	conns, groups := make([]*client.Conn, n), make([]string, n)
	for i := range n {
		u := MustUser(t, n1.URL())
		MustBefriend(t, sender, u)
		var h hello
		conns[i], h = MustDial(t, n1.URL(), u)
		groups[i] = h.PrivateChats[0].ChatGroupID
	}
	cs, _ := MustDial(t, n1.URL(), sender)

	MustRunMain(t, shared) // n2 joins
	rehello := make([]bool, n)
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() {
			_, err := c.AwaitType(3*time.Second, "hello")
			rehello[i] = err == nil
		})
	}
	wg.Wait()
	moved := 0
	for i, c := range conns {
		if !rehello[i] {
			continue
		}
		moved++
		cs.Send(map[string]any{"type": "chat.send", "id": fmt.Sprint(i), "chatGroupId": groups[i], "content": "still there?"})
		if _, err := c.AwaitType(wait, "chat.message"); err != nil {
			t.Errorf("connection %d attached again but got no message: %v", i, err)
		}
	}
	if moved == 0 {
		t.Fatalf("no connection of %d attached again after a node joined (its grains moved nowhere?)", n)
	}
	t.Logf("%d of %d profiles moved to the new node", moved, n)
}

// twoNodes runs two members of one cluster in this process, sharing the
// store and the presence registry as a deployment shares PostgreSQL and
// Redis.
func twoNodes(t *testing.T) (*Main, *Main) {
	db, presence, agent := sqlitetest.MustOpen(t), memory.NewPresence(), test.NewInMemAgent()
	shared := func(m *Main) { m.Store, m.Presence, m.clusterAgent = db, presence, agent }
	return MustRunMain(t, shared), MustRunMain(t, shared)
}

func TestNonMemberIsRefused(t *testing.T) {
	m := MustRunMain(t, nil)
	_, _, _, _, group := chatPair(t, m.URL(), m.URL())
	eve := MustUser(t, m.URL())
	ce, _ := MustDial(t, m.URL(), eve)
	for _, frame := range []map[string]any{
		{"type": "chat.send", "id": "x", "chatGroupId": group, "content": "let me in"},
		{"type": "chat.typing", "id": "t", "chatGroupId": group},
		{"type": "chat.read", "id": "r", "chatGroupId": group, "seq": 1},
		{"type": "resume", "chats": map[string]int64{group: 0}},
	} {
		ce.Send(frame)
		f, err := ce.AwaitType(wait, "error")
		if err != nil || !bytes.Contains(f.Raw, []byte(`"code":"forbidden"`)) {
			t.Errorf("%v: got %s, %v; want a forbidden error", frame["type"], f.Raw, err)
		}
	}
	if _, err := eve.ChatMessages(context.Background(), group, 20); client.StatusOf(err) != 403 {
		t.Errorf("REST history for a non-member: %v, want 403", err)
	}
}

func TestHostileFrames(t *testing.T) {
	m := MustRunMain(t, nil)
	_, _, ca, cb, group := chatPair(t, m.URL(), m.URL())
	u := MustUser(t, m.URL())

	errorCases := []struct{ name, frame, code string }{
		{"invalid JSON", `{"type":`, "invalid"},
		{"not an object", `[1,2]`, "invalid"},
		{"unknown type", `{"type":"chat.delete"}`, "invalid"},
		{"no type", `{"id":"1"}`, "invalid"},
		{"send without id", `{"type":"chat.send","chatGroupId":"` + group + `","content":"x"}`, "invalid"},
		{"send without content", `{"type":"chat.send","id":"1","chatGroupId":"` + group + `"}`, "invalid"},
		{"blank content", `{"type":"chat.send","id":"1","chatGroupId":"` + group + `","content":"   "}`, "invalid"},
		{"bad group id", `{"type":"chat.send","id":"1","chatGroupId":"x","content":"x"}`, "invalid"},
		{"unknown group", `{"type":"chat.send","id":"1","chatGroupId":"00000000-0000-4000-8000-000000000000","content":"x"}`, "not_found"},
		{"wrong field type", `{"type":"chat.read","chatGroupId":"` + group + `","seq":"one"}`, "invalid"},
	}
	cu, _ := MustDial(t, m.URL(), u)
	for _, tc := range errorCases {
		cu.SendRaw([]byte(tc.frame))
		f, err := cu.AwaitType(wait, "error")
		if err != nil || !bytes.Contains(f.Raw, []byte(`"code":"`+tc.code+`"`)) {
			t.Errorf("%s: got %s, %v; want error code %s", tc.name, f.Raw, err, tc.code)
		}
	}

	closeCases := []struct {
		name string
		send func(c *client.Conn) error
		code int
	}{
		{"oversize frame", func(c *client.Conn) error {
			// Announce a 1 MiB frame; the server refuses it from the header.
			return ws.WriteHeader(c.NetConn(), ws.Header{Fin: true, OpCode: ws.OpText, Masked: true, Length: 1 << 20, Mask: ws.NewMask()})
		}, 1009},
		{"invalid UTF-8", func(c *client.Conn) error { return c.SendRaw([]byte{'"', 0xff, 0xfe, '"'}) }, 1007},
		{"binary frame", func(c *client.Conn) error {
			return wsutil.WriteClientMessage(c.NetConn(), ws.OpBinary, []byte("hi"))
		}, 1003},
		{"flood", func(c *client.Conn) error {
			for i := 0; i < 200; i++ {
				if err := c.SendRaw([]byte(`{"type":"ping"}`)); err != nil {
					return nil // closed under us: fine
				}
			}
			return nil
		}, 4008},
	}
	for _, tc := range closeCases {
		c, _ := MustDial(t, m.URL(), u)
		if err := tc.send(c); err != nil {
			t.Fatalf("%s: send: %v", tc.name, err)
		}
		_, err := c.Await(wait, func(client.Frame) bool { return false })
		var ce *client.CloseError
		if !errors.As(err, &ce) || ce.Code != tc.code {
			t.Errorf("%s: got %v, want close code %d", tc.name, err, tc.code)
		}
	}

	ca.Send(map[string]any{"type": "chat.read", "id": "r", "chatGroupId": group, "seq": 99})
	if f, err := ca.AwaitType(wait, "error"); err != nil || !bytes.Contains(f.Raw, []byte(`"code":"invalid"`)) {
		t.Errorf("read past the newest message: got %s, %v; want an invalid error", f.Raw, err)
	}

	// None of that disturbed the others.
	ca.Send(map[string]any{"type": "chat.send", "id": "still", "chatGroupId": group, "content": "still here"})
	var f messageFrame
	mustFrame(t, cb, "chat.message", &f)
	if f.Message.Content != "still here" {
		t.Fatalf("b got %+v", f.Message)
	}
}

func TestUpgradeNeedsAuth(t *testing.T) {
	m := MustRunMain(t, nil)
	u := MustUser(t, m.URL())
	ctx := context.Background()
	cases := []struct {
		name   string
		token  string
		opts   client.DialOptions
		status int
	}{
		{"anonymous", "", client.DialOptions{}, 401},
		{"bad token", "not.a.jwt", client.DialOptions{}, 401},
		{"cookie without origin", u.Token, client.DialOptions{Cookie: true}, 403},
		{"cookie from another site", u.Token, client.DialOptions{Cookie: true, Origin: "https://evil.example"}, 403},
	}
	for _, tc := range cases {
		_, err := client.Dial(ctx, m.URL(), tc.token, tc.opts)
		if client.StatusOf(err) != tc.status {
			t.Errorf("%s: got %v, want HTTP %d", tc.name, err, tc.status)
		}
	}
	c, err := client.Dial(ctx, m.URL(), u.Token, client.DialOptions{Cookie: true, Origin: m.URL()})
	if err != nil {
		t.Fatalf("cookie from own origin: %v", err)
	}
	c.Close()
}

// TestPresenceExpires: a friend whose node died never says goodbye; its
// presence entry expires and friends see it offline within TTL + heartbeat.
func TestPresenceExpires(t *testing.T) {
	m := MustRunMain(t, nil)
	a, b := MustUser(t, m.URL()), MustUser(t, m.URL())
	MustBefriend(t, a, b)
	ca, _ := MustDial(t, m.URL(), a)
	// b is online on a node that refreshes its entry (TTL 1.5 s) and then
	// dies without a word: the refreshes just stop.
	var died time.Time
	refresh := func() {
		if err := m.Presence.SetOnline(context.Background(), 1500*time.Millisecond, b.Profile.ID); err != nil {
			t.Error(err)
		}
	}
	for _, online := range []bool{true, false} {
		want := fmt.Sprintf(`"profileId":%q,"online":%v`, b.Profile.ID, online)
		// One heartbeat (3 s) sees b online; the slack is for a busy machine.
		deadline := time.Now().Add(20 * time.Second)
		for {
			if online {
				refresh()
			}
			f, err := ca.Read(time.Second)
			if err == nil && f.Type == "presence" && bytes.Contains(f.Raw, []byte(want)) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("a did not see b online=%v within 20 s", online)
			}
		}
		if online {
			died = time.Now()
		}
	}
	// TTL 1.5 s + one heartbeat (3 s) at most, with slack for a busy machine.
	if d := time.Since(died); d > 8*time.Second {
		t.Fatalf("offline seen %v after the last refresh", d)
	}
}

// TestIdleTimeout: a silent connection is closed with 4000; one that pings
// stays open. Run with and without the epoll poller.
func TestIdleTimeout(t *testing.T) {
	for _, poller := range []bool{true, false} {
		t.Run(fmt.Sprintf("poller=%v", poller), func(t *testing.T) {
			m := MustRunMain(t, func(m *Main) {
				m.Config.WSIdleTimeout = time.Second
				m.noPoller = !poller
			})
			u := MustUser(t, m.URL())
			silent, _ := MustDial(t, m.URL(), u)
			talker, _ := MustDial(t, m.URL(), u)
			start := time.Now()
			for time.Since(start) < 2500*time.Millisecond {
				talker.Send(map[string]string{"type": "ping"})
				if _, err := talker.AwaitType(time.Second, "pong"); err != nil {
					t.Fatalf("pinging connection: %v", err)
				}
				time.Sleep(200 * time.Millisecond)
			}
			_, err := silent.Await(3*time.Second, func(client.Frame) bool { return false })
			var ce *client.CloseError
			if !errors.As(err, &ce) || ce.Code != 4000 {
				t.Fatalf("silent connection: got %v, want close 4000", err)
			}
		})
	}
}

// TestLogoutClosesItsConnections: logging out closes the websockets of
// that sign-in session (close 4001) and leaves the user's other sessions.
func TestLogoutClosesItsConnections(t *testing.T) {
	m := MustRunMain(t, nil)
	u := MustUser(t, m.URL())
	other := client.New(m.URL())
	if err := other.Login(context.Background(), u.Profile.Username+"@bunnybook.test", "carrots-are-great"); err != nil {
		t.Fatal(err)
	}
	mine, _ := MustDial(t, m.URL(), u)
	theirs, _ := MustDial(t, m.URL(), other)
	if err := u.Do(context.Background(), "POST", "/web/logout", nil, nil); err != nil {
		t.Fatalf("logout: %v", err)
	}
	_, err := mine.Await(wait, func(client.Frame) bool { return false })
	var ce *client.CloseError
	if !errors.As(err, &ce) || ce.Code != 4001 {
		t.Fatalf("logged-out connection: got %v, want close 4001", err)
	}
	theirs.Send(map[string]string{"type": "ping"})
	if _, err := theirs.AwaitType(wait, "pong"); err != nil {
		t.Fatalf("the other session's connection: %v", err)
	}
}

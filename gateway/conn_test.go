package gateway

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pa "github.com/asynkron/protoactor-go/cluster"
	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/actors"
	"github.com/bunnybook/bunnybook/internal/testwait"
)

// These tests run the gateway's connections over net.Pipe, with the
// grains and the history played by the test (grains.go's Grains and
// History are the gateway's only view of them), and a real actor system
// for the gateway actor.

const wait = 5 * time.Second

var ben = bunnybook.Profile{ID: "01a2351b-0cf8-75f4-9e83-f3a61230749c", Username: "ben"}

// group is the chat the tests' messages belong to.
const group = "01a2351b-0cf8-75f4-9e83-f3a61230749d"

// testGrains plays the grains: each call goes to the func the test set,
// or is answered plainly.
type testGrains struct {
	grain    *actor.PID // the profile grain Connect names
	mu       sync.Mutex
	connects []*actors.Connect
	connect  func(*actors.Connect) (*actors.Hello, error) // nil: hello at once
	send     func(*actors.SendMessage) (*bunnybook.ChatMessage, error)
}

func (g *testGrains) Connect(c *actors.Connect, _ string) (*actors.Hello, error) {
	g.mu.Lock()
	g.connects = append(g.connects, c)
	connect, grain := g.connect, g.grain
	g.mu.Unlock()
	if connect != nil {
		return connect(c)
	}
	return &actors.Hello{Grain: grain}, nil
}

// replaceGrain makes later attaches go to a new stand-in grain.
func (g *testGrains) replaceGrain(pid *actor.PID) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.grain = pid
}

func (g *testGrains) connected() []*actors.Connect {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]*actors.Connect(nil), g.connects...)
}

func (g *testGrains) Send(_ string, m *actors.SendMessage) (*bunnybook.ChatMessage, int64, error) {
	msg, err := g.send(m)
	return msg, 0, err
}
func (g *testGrains) Typing(string, string, string) error        { return nil }
func (g *testGrains) MarkRead(string, string, int64) error       { return nil }
func (g *testGrains) React(string, string, string, string) error { return nil }
func (g *testGrains) Moved(string, *actor.PID)                   {}

// testHistory serves resumes from a fixed list of messages; after, when
// set, is called before it answers.
type testHistory struct {
	msgs  []bunnybook.ChatMessage
	after func()
}

func (h *testHistory) ChatGroup(_ context.Context, id string) (*bunnybook.ChatGroup, error) {
	g := &bunnybook.ChatGroup{ID: id, Active: true, Members: []string{ben.ID}}
	for _, m := range h.msgs {
		g.LastSeq = max(g.LastSeq, m.Seq)
	}
	return g, nil
}

func (h *testHistory) MessagesAfter(_ context.Context, _ string, after int64, limit int) ([]bunnybook.ChatMessage, error) {
	if h.after != nil {
		h.after()
	}
	var out []bunnybook.ChatMessage
	for _, m := range h.msgs {
		if m.Seq > after && len(out) < limit {
			out = append(out, m)
		}
	}
	return out, nil
}

// harness is a gateway with a stand-in profile grain that records what
// connections tell it.
type harness struct {
	t       *testing.T
	s       *Server
	grains  *testGrains
	history *testHistory
	told    chan any // messages the stand-in grain received
}

func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	system := actor.NewActorSystem()
	h := &harness{t: t, history: &testHistory{}, told: make(chan any, 100)}
	h.grains = &testGrains{grain: system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		if _, ok := ctx.Message().(*actors.Disconnect); ok {
			h.told <- ctx.Message()
		}
	}))}
	cfg.NoPoller = true // net.Pipe has no descriptor to poll
	h.s = NewServer(cfg, nil, h.grains, h.history, system, slog.New(slog.DiscardHandler))
	t.Cleanup(func() {
		h.s.Close()
		system.Shutdown()
	})
	return h
}

// stopGrain stops a stand-in profile grain as the cluster's placement
// does: the grain stops, then ActivationTerminated is published.
func (h *harness) stopGrain(pid *actor.PID) {
	h.t.Helper()
	if err := h.s.system.Root.StopFuture(pid).Wait(); err != nil {
		h.t.Fatal(err)
	}
	ci := &pa.ClusterIdentity{Identity: ben.ID, Kind: actors.ProfileKind}
	h.s.system.EventStream.Publish(&pa.ActivationTerminated{Pid: pid, ClusterIdentity: ci})
}

// held returns how many pushes wait on the connection (during attach or resume).
func (h *harness) held(id string) int {
	c := h.s.conn(id)
	if c == nil {
		return 0
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return len(c.held)
}

// dial serves a new connection of ben and returns the client's end.
func (h *harness) dial() net.Conn {
	server, client := net.Pipe()
	go h.s.serve(server, ben, "session")
	h.t.Cleanup(func() { client.Close() })
	return client
}

// connID returns the id of the i-th connection the grains were asked to attach.
func (h *harness) connID(i int) string {
	h.t.Helper()
	testwait.For(h.t, wait, "the connection asked to attach", func() bool { return len(h.grains.connected()) > i })
	return h.grains.connected()[i].GetConnId()
}

// push sends a push for the connections to the gateway actor, as a grain does.
func (h *harness) push(p *actors.Push, connIDs ...string) {
	p.ConnIds = connIDs
	h.s.system.Root.Send(h.s.router, p)
}

// frame is a server frame as the client reads it.
type frame struct {
	op   ws.OpCode
	body []byte
}

func (f frame) typ() string {
	var v struct{ Type string }
	json.Unmarshal(f.body, &v)
	return v.Type
}

// closeCode returns the status code of a close frame.
func (f frame) closeCode() int {
	if f.op != ws.OpClose || len(f.body) < 2 {
		return 0
	}
	return int(binary.BigEndian.Uint16(f.body))
}

// read reads the next server frame.
func read(t *testing.T, c net.Conn) frame {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(wait))
	h, err := ws.ReadHeader(c)
	if err != nil {
		t.Fatalf("read frame header: %v", err)
	}
	body := make([]byte, h.Length)
	if _, err := io.ReadFull(c, body); err != nil {
		t.Fatalf("read frame: %v", err)
	}
	return frame{h.OpCode, body}
}

// readUntilClose reads frames until a close frame and returns its code.
func readUntilClose(t *testing.T, c net.Conn) int {
	t.Helper()
	for {
		if f := read(t, c); f.op == ws.OpClose {
			return f.closeCode()
		}
	}
}

func send(t *testing.T, c net.Conn, v any) {
	t.Helper()
	b, _ := json.Marshal(v)
	c.SetWriteDeadline(time.Now().Add(wait))
	if err := wsutil.WriteClientText(c, b); err != nil {
		t.Fatalf("send: %v", err)
	}
}

func messagePush(seq int64, from string) *actors.Push {
	return &actors.Push{Event: &actors.Push_Message{Message: &actors.ChatMessage{
		Id: bunnybook.NewID(), Seq: seq, ChatGroupId: group, FromProfileId: from, Content: "hi"}}}
}

func presencePush() *actors.Push {
	return &actors.Push{Event: &actors.Push_Presence{Presence: &actors.PresenceChanged{ProfileId: "p", Online: true}}}
}

// TestHelloComesFirst: pushes the grain sends while the connection is
// being attached wait, and go out after hello, in order.
func TestHelloComesFirst(t *testing.T) {
	h := newHarness(t, Config{})
	release := make(chan struct{})
	h.grains.connect = func(*actors.Connect) (*actors.Hello, error) {
		<-release
		return &actors.Hello{Grain: h.grains.grain, OnlineFriends: []string{"p"}}, nil
	}
	c := h.dial()
	id := h.connID(0)
	h.push(presencePush(), id)
	h.push(messagePush(1, "p"), id)
	testwait.For(t, wait, "the pushes wait for hello", func() bool { return h.held(id) == 2 })
	close(release)
	for _, want := range []string{"hello", "presence", "chat.message"} {
		if got := read(t, c).typ(); got != want {
			t.Fatalf("frame %q, want %q (hello first, then the held pushes in order)", got, want)
		}
	}
}

// TestResumeSendsEachMessageOnce: live messages that arrive while a resume
// replays history wait for it, and each message goes out once, in seq order.
func TestResumeSendsEachMessageOnce(t *testing.T) {
	h := newHarness(t, Config{})
	for seq := int64(1); seq <= 6; seq++ {
		h.history.msgs = append(h.history.msgs, bunnybook.ChatMessage{ID: bunnybook.NewID(), Seq: seq, ChatGroupID: group})
	}
	c := h.dial()
	id := h.connID(0)
	read(t, c) // hello
	replaying := make(chan struct{})
	h.history.after = func() {
		h.push(messagePush(5, "p"), id) // already in the replay
		h.push(messagePush(7, "p"), id) // after it
		testwait.For(t, wait, "the live messages wait for the replay", func() bool { return h.held(id) == 2 })
		close(replaying)
	}
	send(t, c, map[string]any{"type": "resume", "chats": map[string]int64{group: 3}})
	<-replaying
	var seqs []int64
	for {
		f := read(t, c)
		if f.typ() == "resume.done" {
			break
		}
		var m struct{ Message struct{ Seq int64 } }
		json.Unmarshal(f.body, &m)
		seqs = append(seqs, m.Message.Seq)
	}
	if f := read(t, c); f.typ() != "chat.message" || !strings.Contains(string(f.body), `"seq":7`) {
		t.Fatalf("after resume.done: %s, want seq 7", f.body)
	}
	if want := []int64{4, 5, 6}; len(seqs) != 3 || seqs[0] != 4 || seqs[1] != 5 || seqs[2] != 6 {
		t.Fatalf("replayed seqs %v, want %v", seqs, want)
	}
}

// TestOwnMessageIsAcked: a push of a message sent from this connection is
// not written (the sender got a chat.ack); the same message goes to the
// sender's other connections.
func TestOwnMessageIsAcked(t *testing.T) {
	h := newHarness(t, Config{})
	mine := h.dial()
	a := h.connID(0)
	other := h.dial()
	b := h.connID(1)
	read(t, mine)
	read(t, other)
	p := messagePush(1, ben.ID)
	p.OriginConns = []string{a}
	h.push(p, a, b)
	h.push(presencePush(), a)
	if f := read(t, mine); f.typ() != "presence" {
		t.Fatalf("sender's connection got %s, want only the next push", f.body)
	}
	if f := read(t, other); f.typ() != "chat.message" {
		t.Fatalf("other connection got %s, want the message", f.body)
	}
}

// TestSendIsAcked: chat.send goes to the conversation and its stored
// message comes back as chat.ack; a refusal is an error frame with the id.
func TestSendIsAcked(t *testing.T) {
	h := newHarness(t, Config{})
	h.grains.send = func(m *actors.SendMessage) (*bunnybook.ChatMessage, error) {
		if m.GetContent() == "no" {
			return nil, bunnybook.ErrChatClosed()
		}
		return &bunnybook.ChatMessage{ID: "m", Seq: 9, Content: m.GetContent()}, nil
	}
	c := h.dial()
	read(t, c) // hello
	send(t, c, map[string]any{"type": "chat.send", "id": "x", "chatGroupId": group, "content": "hi"})
	if f := read(t, c); f.typ() != "chat.ack" || !strings.Contains(string(f.body), `"seq":9`) {
		t.Fatalf("got %s, want chat.ack of seq 9", f.body)
	}
	send(t, c, map[string]any{"type": "chat.send", "id": "y", "chatGroupId": group, "content": "no"})
	if f := read(t, c); f.typ() != "error" || !strings.Contains(string(f.body), `"id":"y"`) || !strings.Contains(string(f.body), `"forbidden"`) {
		t.Fatalf("got %s, want a forbidden error for y", f.body)
	}
}

// TestFloodCloses: a client that keeps sending over its frame rate gets
// rate_limited errors, then close 4008.
func TestFloodCloses(t *testing.T) {
	h := newHarness(t, Config{EventRate: 1, EventBurst: 1})
	c := h.dial()
	read(t, c) // hello
	go func() {
		for range floodLimit + 10 {
			if wsutil.WriteClientText(c, []byte(`{"type":"ping"}`)) != nil {
				return
			}
		}
	}()
	if code := readUntilClose(t, c); code != CloseRateLimited {
		t.Fatalf("close %d, want %d", code, CloseRateLimited)
	}
}

// TestIdleCloses: a connection that sends nothing is closed with 4000, and
// its grain is told.
func TestIdleCloses(t *testing.T) {
	h := newHarness(t, Config{IdleTimeout: 200 * time.Millisecond})
	c := h.dial()
	id := h.connID(0)
	read(t, c) // hello
	if code := readUntilClose(t, c); code != CloseIdle {
		t.Fatalf("close %d, want %d", code, CloseIdle)
	}
	select {
	case m := <-h.told:
		if d, _ := m.(*actors.Disconnect); d.GetConnId() != id {
			t.Fatalf("grain told %v, want Disconnect of %s", m, id)
		}
	case <-time.After(wait):
		t.Fatal("the grain was not told of the closed connection")
	}
}

// TestShutdownSaysGoingAway: closing the server closes every connection
// with 1001.
func TestShutdownSaysGoingAway(t *testing.T) {
	h := newHarness(t, Config{})
	c := h.dial()
	read(t, c) // hello
	go h.s.Close()
	if code := readUntilClose(t, c); code != CloseGoingAway {
		t.Fatalf("close %d, want %d", code, CloseGoingAway)
	}
}

// TestSlowReaderIsDropped: a client that stops reading while more than
// maxQueued bytes wait for it is disconnected, instead of holding them.
func TestSlowReaderIsDropped(t *testing.T) {
	h := newHarness(t, Config{})
	c := h.dial()
	id := h.connID(0)
	read(t, c) // hello; then nothing more is read
	big := &actors.Push{Event: &actors.Push_Notification{Notification: &actors.NotificationPush{
		Notification: []byte(`"` + strings.Repeat("x", 64<<10) + `"`)}}}
	// The writer takes the first pushes and blocks on the unread socket;
	// the rest pile up past the limit. How much the kernel takes first
	// varies (loopback buffers grow to several MiB), so pushes go on, one
	// more at each look, until the connection is dropped.
	for range maxQueued/(64<<10) + 8 {
		h.push(big, id)
	}
	testwait.For(t, wait, "the slow connection is gone", func() bool {
		if h.s.conn(id) == nil {
			return true
		}
		h.push(big, id)
		return false
	})
}

// TestGrainGoneReattaches: when the profile grain stops (its node died),
// the connection attaches again and gets a new hello.
func TestGrainGoneReattaches(t *testing.T) {
	h := newHarness(t, Config{})
	c := h.dial()
	h.connID(0)
	read(t, c) // hello
	old := h.grains.grain
	h.grains.replaceGrain(h.s.system.Root.Spawn(actor.PropsFromFunc(func(actor.Context) {})))
	h.stopGrain(old)
	if f := read(t, c); f.typ() != "hello" {
		t.Fatalf("got %s, want a new hello", f.body)
	}
	if n := len(h.grains.connected()); n != 2 {
		t.Fatalf("%d attaches, want 2", n)
	}
}

// TestReattachReplaysWhatWasMissed: pushes sent while the profile grain
// moved reached no grain; after the new hello the connection gets them from
// the store, then the live push that came meanwhile, each once, in order.
func TestReattachReplaysWhatWasMissed(t *testing.T) {
	h := newHarness(t, Config{})
	c := h.dial()
	id := h.connID(0)
	read(t, c) // hello
	for seq := int64(1); seq <= 2; seq++ {
		h.push(messagePush(seq, "ann"), id)
		read(t, c)
	}
	for seq := int64(1); seq <= 4; seq++ { // 3 and 4 were lost with the old grain
		h.history.msgs = append(h.history.msgs, bunnybook.ChatMessage{ID: bunnybook.NewID(), Seq: seq, ChatGroupID: group, FromProfileID: "ann", Content: "hi"})
	}
	live := make(chan struct{})
	h.history.after = func() { // a live push arrives while the replay is read
		h.push(messagePush(5, "ann"), id)
		testwait.For(t, wait, "the live push waits", func() bool { return h.held(id) == 1 })
		close(live)
		h.history.after = nil
	}
	old := h.grains.grain
	h.grains.replaceGrain(h.s.system.Root.Spawn(actor.PropsFromFunc(func(actor.Context) {})))
	h.stopGrain(old)
	if f := read(t, c); f.typ() != "hello" {
		t.Fatalf("got %s, want a new hello", f.body)
	}
	select {
	case <-live:
	case <-time.After(wait):
		t.Fatal("the connection did not read what it missed")
	}
	for want := int64(3); want <= 5; want++ {
		var m struct{ Message struct{ Seq int64 } }
		f := read(t, c)
		if json.Unmarshal(f.body, &m); f.typ() != "chat.message" || m.Message.Seq != want {
			t.Fatalf("got %s, want chat.message seq %d", f.body, want)
		}
	}
	send(t, c, map[string]string{"type": "ping"})
	if f := read(t, c); f.typ() != "pong" {
		t.Fatalf("got %s after the replay, want only pong", f.body)
	}
}

// TestReattachReplaysUnreadChats: a chat the connection had no message of
// but that is unread after the re-attach is replayed from the messages
// created since the connection opened (older ones the client has from
// history).
func TestReattachReplaysUnreadChats(t *testing.T) {
	h := newHarness(t, Config{})
	h.history.msgs = []bunnybook.ChatMessage{{ID: bunnybook.NewID(), Seq: 1, ChatGroupID: group, Content: "old", CreatedAt: bunnybook.At(time.Now().Add(-time.Hour))}}
	c := h.dial()
	h.connID(0)
	read(t, c) // hello
	h.history.msgs = append(h.history.msgs, bunnybook.ChatMessage{ID: bunnybook.NewID(), Seq: 2, ChatGroupID: group, Content: "new", CreatedAt: bunnybook.Now()})
	grain := h.s.system.Root.Spawn(actor.PropsFromFunc(func(actor.Context) {}))
	h.grains.mu.Lock()
	old := h.grains.grain
	h.grains.connect = func(*actors.Connect) (*actors.Hello, error) {
		return &actors.Hello{Grain: grain, UnreadConversationIds: []string{group}}, nil
	}
	h.grains.mu.Unlock()
	h.stopGrain(old)
	if f := read(t, c); f.typ() != "hello" {
		t.Fatalf("got %s, want a new hello", f.body)
	}
	if f := read(t, c); !strings.Contains(string(f.body), `"seq":2`) {
		t.Fatalf("got %s, want chat.message seq 2", f.body)
	}
	send(t, c, map[string]string{"type": "ping"})
	if f := read(t, c); f.typ() != "pong" {
		t.Fatalf("got %s, want only pong (seq 1 is older than the connection)", f.body)
	}
}

// TestLoggedOutCloses: a grain's request to close a connection of an ended
// session closes it with 4001.
func TestLoggedOutCloses(t *testing.T) {
	h := newHarness(t, Config{})
	c := h.dial()
	id := h.connID(0)
	read(t, c) // hello
	h.s.system.Root.Send(h.s.router, &actors.CloseConnection{Reason: actors.CloseReason_LOGGED_OUT, ConnId: id})
	if code := readUntilClose(t, c); code != CloseLoggedOut {
		t.Fatalf("close %d, want %d", code, CloseLoggedOut)
	}
}

// TestAttachesWaitTheirTurn: at most AttachInFlight connections attach at
// once; the others wait, and attach when a turn frees.
func TestAttachesWaitTheirTurn(t *testing.T) {
	h := newHarness(t, Config{AttachInFlight: 1})
	release := make(chan struct{})
	h.grains.connect = func(*actors.Connect) (*actors.Hello, error) {
		<-release
		return &actors.Hello{Grain: h.grains.grain}, nil
	}
	first := h.dial()
	h.connID(0)
	h.s.admission.admit() // as Handle does for each upgrade
	second := h.dial()
	time.Sleep(100 * time.Millisecond)
	if n := len(h.grains.connected()); n != 1 {
		t.Fatalf("%d attaches in flight, want 1", n)
	}
	close(release)
	for _, c := range []net.Conn{first, second} {
		if f := read(t, c); f.typ() != "hello" {
			t.Fatalf("got %s, want hello", f.body)
		}
	}
}

// TestRestartSaysReconnect: when the node was out of the cluster, its
// connections are closed with 1012, which clients answer by reconnecting.
func TestRestartSaysReconnect(t *testing.T) {
	h := newHarness(t, Config{})
	c := h.dial()
	read(t, c) // hello
	go h.s.Restart()
	if code := readUntilClose(t, c); code != CloseRestart {
		t.Fatalf("close code %d, want %d", code, CloseRestart)
	}
}

// storedMessages returns messages seqs lo..hi of the test chat, as the
// store holds them.
func storedMessages(lo, hi int64) []bunnybook.ChatMessage {
	var out []bunnybook.ChatMessage
	for seq := lo; seq <= hi; seq++ {
		out = append(out, bunnybook.ChatMessage{ID: fmt.Sprint("m", seq), Seq: seq, ChatGroupID: group, FromProfileID: "ann", Content: "hi"})
	}
	return out
}

// readSeqs reads frames and returns the seq each carries (message or ack).
func readSeqs(t *testing.T, c net.Conn, n int) []int64 {
	t.Helper()
	var out []int64
	for range n {
		var v struct {
			Type    string
			Message struct{ Seq int64 }
		}
		json.Unmarshal(read(t, c).body, &v)
		out = append(out, v.Message.Seq)
	}
	return out
}

// TestGapIsFilledFromTheStore: a push above a gap (the messages below it
// went to a grain that moved, or come late from another node) waits while
// the gap is read from the store; the late pushes are then dropped, so the
// client gets every message once, in order.
func TestGapIsFilledFromTheStore(t *testing.T) {
	h := newHarness(t, Config{})
	h.history.msgs = storedMessages(1, 4)
	c := h.dial()
	id := h.connID(0)
	read(t, c) // hello
	h.push(messagePush(1, "ann"), id)
	h.push(messagePush(4, "ann"), id)
	h.push(messagePush(3, "ann"), id) // late
	h.push(messagePush(5, "ann"), id)
	if got := readSeqs(t, c, 5); !slices.Equal(got, []int64{1, 2, 3, 4, 5}) {
		t.Fatalf("got seqs %v, want 1 to 5", got)
	}
	send(t, c, map[string]string{"type": "ping"})
	if f := read(t, c); f.typ() != "pong" {
		t.Fatalf("got %s, want only pong", f.body)
	}
}

// sendAboveAGap opens a connection, pushes it seq 1 of the chat and sends
// a message that the grain stores as seq 3: its ack comes above a gap. It
// returns the connection and its id.
func sendAboveAGap(t *testing.T, h *harness) (net.Conn, string) {
	t.Helper()
	h.grains.send = func(m *actors.SendMessage) (*bunnybook.ChatMessage, error) {
		return &bunnybook.ChatMessage{ID: "m3", Seq: 3, ChatGroupID: group, Content: m.GetContent()}, nil
	}
	c := h.dial()
	id := h.connID(0)
	read(t, c) // hello
	h.push(messagePush(1, "ann"), id)
	if got := readSeqs(t, c, 1); got[0] != 1 {
		t.Fatalf("got seq %d, want 1", got[0])
	}
	send(t, c, map[string]any{"type": "chat.send", "id": "x", "chatGroupId": group, "content": "hi"})
	return c, id
}

// wantGapThenAck reads seq 2's chat.message, then the chat.ack.
func wantGapThenAck(t *testing.T, c net.Conn) {
	t.Helper()
	f := read(t, c)
	if !strings.Contains(string(f.body), `"seq":2`) || f.typ() != "chat.message" {
		t.Fatalf("got %s, want chat.message seq 2 first", f.body)
	}
	if f := read(t, c); f.typ() != "chat.ack" {
		t.Fatalf("got %s, want the chat.ack", f.body)
	}
}

// TestAckComesAfterMissedMessages: the ack of a message the client sent
// comes after the messages below it that it has not had yet.
func TestAckComesAfterMissedMessages(t *testing.T) {
	h := newHarness(t, Config{})
	h.history.msgs = storedMessages(1, 3)
	c, id := sendAboveAGap(t, h)
	wantGapThenAck(t, c)
	h.push(messagePush(2, "ann"), id) // late: dropped
	send(t, c, map[string]string{"type": "ping"})
	if f := read(t, c); f.typ() != "pong" {
		t.Fatalf("got %s, want only pong", f.body)
	}
}

// TestLatePushIsWaitedFor: an ack that overtook the push of the message
// before it (its way is shorter) waits for that push, which then goes out
// first, without reading the store.
func TestLatePushIsWaitedFor(t *testing.T) {
	h := newHarness(t, Config{})
	h.history.after = func() { t.Error("the store was read") }
	c, id := sendAboveAGap(t, h)
	time.Sleep(20 * time.Millisecond) // the ack is there first
	h.push(messagePush(2, "ann"), id)
	wantGapThenAck(t, c)
}

// TestFirstMessageOfAnOldChatIsNotHeld: below the first message of a chat
// on a connection, what the client may miss is read at once, not waited
// for: the messages below it are usually older than the connection.
func TestFirstMessageOfAnOldChatIsNotHeld(t *testing.T) {
	h := newHarness(t, Config{})
	h.history.msgs = storedMessages(1, 5)
	for i := range h.history.msgs {
		h.history.msgs[i].CreatedAt = bunnybook.At(time.Now().Add(-time.Hour))
	}
	c := h.dial()
	id := h.connID(0)
	read(t, c) // hello
	start := time.Now()
	h.push(messagePush(6, "ann"), id)
	if got := readSeqs(t, c, 1); got[0] != 6 {
		t.Fatalf("got seq %d, want 6", got[0])
	}
	if d := time.Since(start); d >= lateWait {
		t.Fatalf("the first message came after %v, held as long as a late push is waited for", d)
	}
}

// TestFirstMessageAboveOlderOnesIsNotRead: the first message of a chat on
// a connection goes out at once, without reading the store, when its push
// says the message before it is older than the connection.
func TestFirstMessageAboveOlderOnesIsNotRead(t *testing.T) {
	h := newHarness(t, Config{})
	h.history.after = func() { t.Error("the store was read") }
	c := h.dial()
	id := h.connID(0)
	read(t, c) // hello
	p := messagePush(6, "ann")
	p.PrevAtMs = time.Now().Add(-time.Hour).UnixMilli()
	h.push(p, id)
	if got := readSeqs(t, c, 1); got[0] != 6 {
		t.Fatalf("got seq %d, want 6", got[0])
	}
}

// TestFirstMessageBringsWhatCameSinceOpening: the first message of a chat
// a connection gets comes after those of the chat created since the
// connection opened that it has not had (the client has the older ones from
// history), so that a late push of one of them cannot come out of order.
func TestFirstMessageBringsWhatCameSinceOpening(t *testing.T) {
	h := newHarness(t, Config{})
	h.history.msgs = []bunnybook.ChatMessage{{ID: "m1", Seq: 1, ChatGroupID: group, Content: "old", CreatedAt: bunnybook.At(time.Now().Add(-time.Hour))}}
	c := h.dial()
	id := h.connID(0)
	read(t, c) // hello
	h.history.msgs = append(h.history.msgs, storedMessages(2, 3)...)
	h.history.msgs[1].CreatedAt, h.history.msgs[2].CreatedAt = bunnybook.Now(), bunnybook.Now()
	h.push(messagePush(3, "ann"), id)
	h.push(messagePush(2, "ann"), id) // late
	if got := readSeqs(t, c, 2); !slices.Equal(got, []int64{2, 3}) {
		t.Fatalf("got seqs %v, want 2 then 3", got)
	}
	send(t, c, map[string]string{"type": "ping"})
	if f := read(t, c); f.typ() != "pong" {
		t.Fatalf("got %s, want only pong", f.body)
	}
}

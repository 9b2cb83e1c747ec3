package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/cluster/clusterproviders/test"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/client"
	"github.com/bunnybook/bunnybook/persistence/memory"
	"github.com/bunnybook/bunnybook/persistence/sqlite/sqlitetest"
)

const wait = 5 * time.Second

// MustRunMain starts a server on a free port with embedded SQLite in a
// temp dir (or the shared parts preset on m by configure) and stops it when
// the test ends.
func MustRunMain(tb testing.TB, configure func(*Main)) *Main {
	tb.Helper()
	cfg := DefaultConfig()
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.DataDir = filepath.Join(tb.TempDir(), "data")
	cfg.JWTSecret = strings.Repeat("s", 32)
	cfg.RateLimits = false
	cfg.LogLevel = "warn"
	m := NewMain(cfg)
	if configure != nil {
		configure(m)
	}
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		tb.Fatalf("run server: %v", err)
	}
	tb.Cleanup(func() { m.Close() })
	return m
}

var userSeq atomic.Int64

// MustUser registers and logs in a new user.
func MustUser(tb testing.TB, baseURL string) *client.Client {
	tb.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("bunny%d-%d", time.Now().UnixNano()%1e6, userSeq.Add(1))
	c := client.New(baseURL)
	if _, err := c.Register(ctx, name, name+"@bunnybook.test", "carrots-are-great"); err != nil {
		tb.Fatalf("register %s: %v", name, err)
	}
	if err := c.Login(ctx, name+"@bunnybook.test", "carrots-are-great"); err != nil {
		tb.Fatalf("login %s: %v", name, err)
	}
	return c
}

// MustBefriend makes a and b friends.
func MustBefriend(tb testing.TB, a, b *client.Client) {
	tb.Helper()
	ctx := context.Background()
	if err := a.SendFriendRequest(ctx, b.Profile.ID); err != nil {
		tb.Fatal(err)
	}
	if err := b.AcceptFriendRequest(ctx, a.Profile.ID); err != nil {
		tb.Fatal(err)
	}
}

// MustDial connects c's websocket and returns it with its hello frame.
func MustDial(tb testing.TB, baseURL string, c *client.Client) (*client.Conn, hello) {
	tb.Helper()
	conn, err := client.Dial(context.Background(), baseURL, c.Token, client.DialOptions{})
	if err != nil {
		tb.Fatalf("dial: %v", err)
	}
	tb.Cleanup(func() { conn.Close() })
	f, err := conn.AwaitType(wait, "hello")
	if err != nil {
		tb.Fatalf("hello: %v", err)
	}
	var h hello
	if err := f.Decode(&h); err != nil {
		tb.Fatal(err)
	}
	return conn, h
}

type hello struct {
	ProfileID                string                    `json:"profileId"`
	PrivateChats             []bunnybook.PrivateChat   `json:"privateChats"`
	GroupChats               []bunnybook.GroupChatInfo `json:"groupChats"`
	OnlineFriends            []string                  `json:"onlineFriends"`
	UnreadConversationIDs    []string                  `json:"unreadConversationIds"`
	UnreadNotificationsCount int                       `json:"unreadNotificationsCount"`
}

type messageFrame struct {
	ID      string                `json:"id"`
	Message bunnybook.ChatMessage `json:"message"`
}

// chatPair returns two friends, each connected to their node's URL.
func chatPair(t testing.TB, urlA, urlB string) (a, b *client.Client, ca, cb *client.Conn, group string) {
	a, b = MustUser(t, urlA), MustUser(t, urlB)
	MustBefriend(t, a, b)
	ca, ha := MustDial(t, urlA, a)
	cb, _ = MustDial(t, urlB, b)
	if len(ha.PrivateChats) != 1 || ha.PrivateChats[0].ProfileID != b.Profile.ID {
		t.Fatalf("hello privateChats = %+v, want the one chat with %s", ha.PrivateChats, b.Profile.Username)
	}
	return a, b, ca, cb, ha.PrivateChats[0].ChatGroupID
}

// testChat checks the two-user chat flow between servers at urlA and urlB
// (the same server, or two cluster members).
func testChat(t *testing.T, urlA, urlB string) {
	a, b, ca, cb, group := chatPair(t, urlA, urlB)

	// Presence: b was connected after a, so a hears b come online.
	f, err := ca.Await(wait, func(f client.Frame) bool { return f.Type == "presence" })
	if err != nil {
		t.Fatalf("a did not see b come online: %v", err)
	}
	var pres struct {
		ProfileID string `json:"profileId"`
		Online    bool   `json:"online"`
	}
	f.Decode(&pres)
	if pres.ProfileID != b.Profile.ID || !pres.Online {
		t.Fatalf("presence = %+v, want %s online", pres, b.Profile.ID)
	}

	// Message: acked to a, delivered to b, stored with the same id and seq.
	if err := ca.Send(map[string]any{"type": "chat.send", "id": "m1", "chatGroupId": group, "content": "hi bob"}); err != nil {
		t.Fatal(err)
	}
	var ack messageFrame
	mustFrame(t, ca, "chat.ack", &ack)
	if ack.ID != "m1" || ack.Message.Seq != 1 || ack.Message.Content != "hi bob" {
		t.Fatalf("ack = %+v", ack)
	}
	var got messageFrame
	mustFrame(t, cb, "chat.message", &got)
	if got.Message.ID != ack.Message.ID || got.Message.Seq != 1 || got.Message.FromProfileID != a.Profile.ID {
		t.Fatalf("b got %+v, want %+v", got.Message, ack.Message)
	}
	history, err := b.ChatMessages(context.Background(), group, 20)
	if err != nil || len(history) != 1 || history[0].ID != ack.Message.ID || history[0].Seq != 1 {
		t.Fatalf("REST history = %+v, %v; want the acked message", history, err)
	}

	// Typing reaches the other member.
	cb.Send(map[string]any{"type": "chat.typing", "chatGroupId": group})
	f, err = ca.AwaitType(wait, "chat.typing")
	if err != nil || !strings.Contains(string(f.Raw), b.Profile.Username) {
		t.Fatalf("typing frame = %s, %v", f.Raw, err)
	}

	// A notification created over REST is pushed live with the unread count.
	if _, err := b.CreatePost(context.Background(), a.Profile.ID, "hello on your wall", bunnybook.Public); err != nil {
		t.Fatal(err)
	}
	var note struct {
		Notification bunnybook.Notification `json:"notification"`
		UnreadCount  int                    `json:"unreadCount"`
	}
	mustFrame(t, ca, "notification", &note)
	if note.Notification.Data.Event != bunnybook.EventNewPostOnWall || note.UnreadCount < 1 {
		t.Fatalf("notification frame = %+v", note)
	}

	// A like of b's post is pushed live to b; liking again after an
	// unlike updates that unread notification (same id, same count).
	post := note.Notification.Data.Payload["postId"]
	var likes [2]struct {
		Notification bunnybook.Notification `json:"notification"`
		UnreadCount  int                    `json:"unreadCount"`
	}
	for i, method := range []string{"PUT", "DELETE", "PUT"} {
		if err := a.Do(context.Background(), method, "/web/posts/"+post+"/like", nil, nil); err != nil {
			t.Fatalf("%s like: %v", method, err)
		}
		if method == "PUT" {
			mustFrame(t, cb, "notification", &likes[i/2])
		}
	}
	first, again := likes[0], likes[1]
	if first.Notification.Data.Event != bunnybook.EventNewLikeOnPost || first.Notification.Data.Payload["byUsername"] != a.Profile.Username ||
		again.Notification.ID != first.Notification.ID || again.UnreadCount != first.UnreadCount ||
		again.Notification.CreatedAt.Before(first.Notification.CreatedAt.Time) {
		t.Fatalf("like notifications = %+v, then %+v; want one, updated", first, again)
	}

	// b leaves: a sees b go offline.
	cb.Close()
	f, err = ca.Await(wait, func(f client.Frame) bool {
		return f.Type == "presence" && strings.Contains(string(f.Raw), `"online":false`)
	})
	if err != nil {
		t.Fatalf("a did not see b go offline: %v", err)
	}
}

func mustFrame(t *testing.T, c *client.Conn, typ string, v any) {
	t.Helper()
	f, err := c.AwaitType(wait, typ)
	if err != nil {
		t.Fatalf("waiting for %s: %v", typ, err)
	}
	if err := f.Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestChatOneNode(t *testing.T) {
	m := MustRunMain(t, nil)
	testChat(t, m.URL(), m.URL())
}

func TestChatTwoNodes(t *testing.T) {
	db := sqlitetest.MustOpen(t)
	presence := memory.NewPresence()
	agent := test.NewInMemAgent()
	shared := func(m *Main) { m.Store, m.Presence, m.clusterAgent = db, presence, agent }
	n1 := MustRunMain(t, shared)
	n2 := MustRunMain(t, shared)
	testChat(t, n1.URL(), n2.URL())
}

func TestMetrics(t *testing.T) {
	m := MustRunMain(t, nil)
	testChatFlowForMetrics(t, m)
	res, err := http.Get(m.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for _, want := range []string{
		"bunnybook_ws_connections_open 2",
		"bunnybook_ws_connections_accepted_total 2",
		"bunnybook_chat_messages_acked_total 1",
		"bunnybook_profile_grains_active 2",
		`bunnybook_ws_frames_received_total{type="chat.send"} 1`,
		"bunnybook_chat_commit_seconds_count 1",
		"go_goroutines",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func testChatFlowForMetrics(t *testing.T, m *Main) {
	_, _, ca, cb, group := chatPair(t, m.URL(), m.URL())
	ca.Send(map[string]any{"type": "chat.send", "id": "1", "chatGroupId": group, "content": "counted"})
	var f messageFrame
	mustFrame(t, cb, "chat.message", &f)
}

package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/cluster/clusterproviders/test"

	"github.com/bunnybook/bunnybook/client"
	"github.com/bunnybook/bunnybook/internal/testwait"
	"github.com/bunnybook/bunnybook/persistence/redis/redistest"
	"github.com/bunnybook/bunnybook/persistence/sqlite/sqlitetest"
)

// TestLoggedOutSessionEndsEverywhere: two nodes share Redis. Logging out on
// one closes that session's websockets on both (4001), and its access token
// — signed and unexpired — no longer opens websockets or reads REST on
// either node; another session of the same user goes on.
func TestLoggedOutSessionEndsEverywhere(t *testing.T) {
	srv := redistest.StartServer(t)
	db, agent := sqlitetest.MustOpen(t), test.NewInMemAgent()
	shared := func(m *Main) { m.Config.RedisURL, m.Store, m.clusterAgent = srv.URL(), db, agent }
	n1, n2 := MustRunMain(t, shared), MustRunMain(t, shared)
	ctx := context.Background()
	u := MustUser(t, n1.URL())
	other := client.New(n2.URL())
	if err := other.Login(ctx, u.Profile.Username+"@bunnybook.test", "carrots-are-great"); err != nil {
		t.Fatal(err)
	}
	on1, _ := MustDial(t, n1.URL(), u)
	on2, _ := MustDial(t, n2.URL(), u)
	theirs, _ := MustDial(t, n2.URL(), other)

	if err := u.Do(ctx, "POST", "/web/logout", nil, nil); err != nil {
		t.Fatalf("logout: %v", err)
	}
	for name, c := range map[string]*client.Conn{"node 1": on1, "node 2": on2} {
		_, err := c.Await(wait, func(client.Frame) bool { return false })
		var ce *client.CloseError
		if !errors.As(err, &ce) || ce.Code != 4001 {
			t.Errorf("logged-out connection on %s: got %v, want close 4001", name, err)
		}
	}
	// Node 1 ended the session: it refuses the token at once. Node 2 may
	// believe an earlier "not revoked" from Redis for up to a second.
	for _, url := range []string{n1.URL(), n2.URL()} {
		me := client.New(url)
		me.Token = u.Token
		refused := func() error {
			if err := me.Do(ctx, "GET", "/web/me", nil, nil); client.StatusOf(err) != 401 {
				return fmt.Errorf("%s: /web/me with a logged-out token: %v, want 401", url, err)
			}
			return nil
		}
		if url == n1.URL() {
			if err := refused(); err != nil {
				t.Error(err)
			}
		}
		testwait.Until(t, 3*time.Second, 100*time.Millisecond, refused)
		if c, err := client.Dial(ctx, url, u.Token, client.DialOptions{}); err == nil {
			c.Close()
			t.Errorf("%s: a logged-out token opened a websocket", url)
		}
	}
	theirs.Send(map[string]string{"type": "ping"})
	if _, err := theirs.AwaitType(wait, "pong"); err != nil {
		t.Fatalf("the other session's connection: %v", err)
	}
}

// TestUnfriendClosesTheChatAtOnce: after unfriending over REST, typing in
// their chat is refused and never reaches the former friend, and after
// befriending again the same chat works at once (the conversation grain is
// told both times).
func TestUnfriendClosesTheChatAtOnce(t *testing.T) {
	m := MustRunMain(t, nil)
	ctx := context.Background()
	a, b, ca, cb, group := chatPair(t, m.URL(), m.URL())
	ca.Send(map[string]any{"type": "chat.send", "id": "1", "chatGroupId": group, "content": "hi"})
	var ack messageFrame
	mustFrame(t, ca, "chat.ack", &ack)

	if err := a.Do(ctx, "DELETE", "/web/profiles/"+a.Profile.ID+"/friends/"+b.Profile.ID, nil, nil); err != nil {
		t.Fatal(err)
	}
	cb.Send(map[string]any{"type": "chat.typing", "id": "t", "chatGroupId": group})
	if f, err := cb.AwaitType(wait, "error"); err != nil || !strings.Contains(string(f.Raw), `"forbidden"`) {
		t.Fatalf("typing after unfriending: %s, %v; want a forbidden error", f.Raw, err)
	}
	if f, err := ca.AwaitType(500*time.Millisecond, "chat.typing"); err == nil {
		t.Fatalf("the former friend was shown typing: %s", f.Raw)
	}

	MustBefriend(t, b, a)
	ca.Send(map[string]any{"type": "chat.send", "id": "2", "chatGroupId": group, "content": "friends again"})
	mustFrame(t, ca, "chat.ack", &ack)
	if ack.Message.Seq != 2 {
		t.Fatalf("after befriending again: %+v, want seq 2", ack.Message)
	}
}

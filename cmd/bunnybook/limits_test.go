package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/cluster/clusterproviders/test"

	"github.com/bunnybook/bunnybook/client"
	"github.com/bunnybook/bunnybook/persistence/memory"
	"github.com/bunnybook/bunnybook/persistence/sqlite"
)

// TestUpgradeLimitPerProfile: a profile holds at most WSMaxPerProfile
// websockets across the cluster; one more is closed with 4029 and the
// others keep working; once one closes, a new one gets in.
func TestUpgradeLimitPerProfile(t *testing.T) {
	db, presence, agent := sqlite.MustOpen(t), memory.NewPresence(), test.NewInMemAgent()
	node := func(m *Main) {
		m.Config.WSMaxPerProfile = 2
		m.Store, m.Presence, m.ClusterAgent = db, presence, agent
	}
	first, second := MustRunMain(t, node), MustRunMain(t, node)
	u := MustUser(t, first.URL())
	c1, _ := MustDial(t, first.URL(), u)
	c2, _ := MustDial(t, second.URL(), u) // the other node: the limit is the cluster's

	for _, n := range []*Main{first, second} {
		c3, err := client.Dial(context.Background(), n.URL(), u.Token, client.DialOptions{})
		if err != nil {
			t.Fatalf("third dial: %v", err)
		}
		_, err = c3.Await(wait, func(f client.Frame) bool { return f.Type == "hello" })
		var ce *client.CloseError
		if !errors.As(err, &ce) || ce.Code != 4029 {
			t.Fatalf("third connection on %s: got %v, want close 4029 before hello", n.URL(), err)
		}
		c3.Close()
	}
	for i, c := range []*client.Conn{c1, c2} {
		c.Send(map[string]string{"type": "ping"})
		if _, err := c.AwaitType(wait, "pong"); err != nil {
			t.Fatalf("connection %d after the refusals: %v", i+1, err)
		}
	}

	c1.Close()
	// The grain hears of the close asynchronously: retry until it lets one in.
	deadline := time.Now().Add(wait)
	for {
		c, err := client.Dial(context.Background(), first.URL(), u.Token, client.DialOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.AwaitType(wait, "hello")
		if err == nil {
			c.Close()
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("after closing one of two connections, a new one still gets %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

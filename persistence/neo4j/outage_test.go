package neo4j_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/internal/testwait"
	"github.com/bunnybook/bunnybook/persistence/neo4j"
	"github.com/bunnybook/bunnybook/persistence/neo4j/neo4jtest"
	"github.com/bunnybook/bunnybook/persistence/sqlite/sqlitetest"
	"github.com/bunnybook/bunnybook/persistence/storetest"
)

// graphDump lists every friendship and request of ids as text, for
// comparing two graphs.
func graphDump(ctx context.Context, g bunnybook.Graph, ids []string) ([]string, error) {
	var out []string
	all := bunnybook.NamePage{}
	for _, id := range ids {
		fs, err := g.Friends(ctx, id, all)
		if err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprintf("%s friends %v", id, fs))
		for _, in := range []bool{true, false} {
			rs, err := g.FriendRequests(ctx, id, in, all)
			if err != nil {
				return nil, err
			}
			out = append(out, fmt.Sprintf("%s requests(incoming=%v) %v", id, in, rs))
		}
		ss, err := g.Suggestions(ctx, id, bunnybook.SuggestionPage{})
		if err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprintf("%s suggestions %v", id, ss))
	}
	return out, nil
}

// TestOutage cuts the connection to Neo4j: store writes still succeed and
// queue in the outbox, graph reads fail with EUnavailable, and once the
// connection is back the background relay replays the outbox until the
// Neo4j graph equals the store's, with no restart.
func TestOutage(t *testing.T) {
	ctx := t.Context()
	cfg, px := neo4jtest.ProxiedConfig(t)

	db := sqlitetest.MustOpen(t)
	g := neo4jtest.MustOpen(t, &cfg)
	relay := neo4j.NewRelay(g, db, slog.New(slog.DiscardHandler))
	if err := relay.Start(ctx); err != nil {
		t.Fatalf("start relay: %v", err)
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go relay.Run(runCtx)
	s := neo4j.Projecting{Store: db, Relay: relay}

	acc := storetest.MustCreateAccounts(t, s, "ann", "bob", "cat", "dan")
	ann, bob, cat, dan := acc[0].ID, acc[1].ID, acc[2].ID, acc[3].ID
	storetest.MustBefriend(t, s, ann, bob)
	storetest.MustBefriend(t, s, bob, cat)
	fs, err := g.Friends(ctx, ann, bunnybook.NamePage{})
	if err != nil || len(fs) != 1 || fs[0].ID != bob {
		t.Fatalf("Friends(ann) before the outage: got %v, %v; want bob", fs, err)
	}

	px.SetCut(true)
	// Writes of every kind while Neo4j is unreachable.
	eve := storetest.MustCreateAccount(t, s, "eve").ID
	storetest.MustBefriend(t, s, ann, cat)
	storetest.MustUnfriend(t, s, ann, bob)
	storetest.MustBefriend(t, s, eve, dan)
	note := func(to string) bunnybook.Notification {
		return storetest.NewNotification(to, bunnybook.EventNewFriendshipRequest, bunnybook.Now())
	}
	if err := s.SendFriendRequest(ctx, dan, ann, note(ann)); err != nil {
		t.Fatalf("SendFriendRequest during the outage: %v", err)
	}
	if err := s.SendFriendRequest(ctx, eve, bob, note(bob)); err != nil {
		t.Fatalf("SendFriendRequest during the outage: %v", err)
	}
	if err := s.DeleteFriendRequest(ctx, eve, bob); err != nil {
		t.Fatalf("DeleteFriendRequest during the outage: %v", err)
	}
	if n, err := relay.Backlog(ctx); err != nil || n != 9 {
		t.Fatalf("outbox during the outage: got %d events, %v; want 9", n, err)
	}
	for name, read := range map[string]func() error{
		"Friends":     func() error { _, err := g.Friends(ctx, ann, bunnybook.NamePage{}); return err },
		"Suggestions": func() error { _, err := g.Suggestions(ctx, ann, bunnybook.SuggestionPage{}); return err },
		"Ping":        func() error { return g.Ping(ctx) },
	} {
		if err := read(); bunnybook.ErrorKind(err) != bunnybook.EUnavailable {
			t.Errorf("%s during the outage: got %v (kind %q), want kind %q", name, err, bunnybook.ErrorKind(err), bunnybook.EUnavailable)
		}
	}

	px.SetCut(false)
	ids := []string{ann, bob, cat, dan, eve}
	want, err := graphDump(ctx, db, ids)
	if err != nil {
		t.Fatalf("store graph: %v", err)
	}
	testwait.Until(t, 30*time.Second, 100*time.Millisecond, func() error {
		got, err := graphDump(ctx, g, ids)
		if err != nil {
			return err
		}
		if !slices.Equal(got, want) {
			return fmt.Errorf("neo4j graph:\n%v\nwant (store):\n%v", got, want)
		}
		return nil
	})
	testwait.Until(t, 10*time.Second, 100*time.Millisecond, func() error {
		if n, err := relay.Backlog(ctx); err != nil || n > 0 {
			return fmt.Errorf("outbox after recovery: %d events, %v; want none", n, err)
		}
		return nil
	})
}

package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/client"
	"github.com/bunnybook/bunnybook/internal/testwait"
	"github.com/bunnybook/bunnybook/persistence/neo4j/neo4jtest"
)

// friendNames returns the usernames of c's friends, read through the API.
func friendNames(ctx context.Context, c *client.Client) ([]string, error) {
	var ps []bunnybook.Profile
	if err := c.Do(ctx, http.MethodGet, "/web/profiles/"+c.Profile.ID+"/friends", nil, &ps); err != nil {
		return nil, err
	}
	var out []string
	for _, p := range ps {
		out = append(out, p.Username)
	}
	slices.Sort(out)
	return out, nil
}

// TestNeo4jOutage runs a server whose graph is Neo4j behind a proxy, then
// cuts the proxy: graph endpoints answer 503 with a JSON error, other
// endpoints and friendship writes keep working, /readyz stays ready and
// reports neo4j down, and once the proxy is restored the graph catches up
// with the writes made meanwhile, without a restart.
func TestNeo4jOutage(t *testing.T) {
	ctx := context.Background()
	cfg, px := neo4jtest.ProxiedConfig(t)
	neo4jtest.MustOpen(t, &cfg) // drops the test's namespace at the end
	m := MustRunMain(t, func(m *Main) {
		m.Config.Neo4jURL, m.Config.Neo4jNamespace = cfg.URL, cfg.Namespace
	})
	a, b, c := MustUser(t, m.URL()), MustUser(t, m.URL()), MustUser(t, m.URL())
	MustBefriend(t, a, b)
	MustBefriend(t, b, c)
	suggestions := "/web/profiles/" + a.Profile.ID + "/friend_suggestions"
	var ss []bunnybook.Suggestion
	// The projection is eventually consistent: a write's eager flush is
	// bounded, and a cold Neo4j (first test of a run) can miss it, leaving
	// the write to the relay's next second.
	testwait.Until(t, 15*time.Second, 100*time.Millisecond, func() error {
		if err := a.Do(ctx, http.MethodGet, suggestions, nil, &ss); err != nil || len(ss) != 1 || ss[0].ID != c.Profile.ID {
			return fmt.Errorf("suggestions before the outage: got %+v, %v; want %s", ss, err, c.Profile.Username)
		}
		return nil
	})
	var ready struct{ Checks map[string]string }
	if err := a.Do(ctx, http.MethodGet, "/readyz", nil, &ready); err != nil || ready.Checks["neo4j"] != "up" {
		t.Fatalf("readyz before the outage: got %+v, %v; want neo4j up", ready, err)
	}

	px.SetCut(true)
	err := a.Do(ctx, http.MethodGet, suggestions, nil, &ss)
	if client.StatusOf(err) != http.StatusServiceUnavailable || !strings.Contains(err.Error(), "graph is unavailable") {
		t.Fatalf("suggestions during the outage: got %v, want 503 saying the graph is unavailable", err)
	}
	MustBefriend(t, a, c) // writes go to the store and the outbox
	if err := b.Unfriend(ctx, c.Profile.ID); err != nil {
		t.Fatalf("unfriend during the outage: %v", err)
	}
	if _, err := a.CreatePost(ctx, a.Profile.ID, "still hopping", bunnybook.Public); err != nil {
		t.Fatalf("create post during the outage: %v", err)
	}
	if err := a.Do(ctx, http.MethodGet, "/readyz", nil, &ready); err != nil || !strings.HasPrefix(ready.Checks["neo4j"], "down") {
		t.Fatalf("readyz during the outage: got %+v, %v; want 200 with neo4j down", ready, err)
	}

	px.SetCut(false)
	want := []string{b.Profile.Username, c.Profile.Username}
	slices.Sort(want)
	testwait.Until(t, 30*time.Second, 100*time.Millisecond, func() error {
		got, err := friendNames(ctx, a)
		if err != nil || !slices.Equal(got, want) {
			return fmt.Errorf("friends of a after the outage: got %v, %v; want %v", got, err, want)
		}
		got, err = friendNames(ctx, c)
		if err != nil || !slices.Equal(got, []string{a.Profile.Username}) {
			return fmt.Errorf("friends of c after the outage: got %v, %v; want [%s]", got, err, a.Profile.Username)
		}
		return nil
	})
}

package neo4j_test

import (
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/persistence/neo4j"
	"github.com/bunnybook/bunnybook/persistence/neo4j/neo4jtest"
	"github.com/bunnybook/bunnybook/persistence/postgres"
	"github.com/bunnybook/bunnybook/persistence/postgres/postgrestest"
	"github.com/bunnybook/bunnybook/persistence/sqlite"
)

// Size of the graph benchmark: benchProfiles profiles, each befriending
// benchBefriends random others (about 2×benchBefriends friends each) and
// sending benchRequests requests to random strangers.
const (
	benchProfiles  = 10_000
	benchBefriends = 25
	benchRequests  = 2
)

// benchGraph is the generated dataset.
type benchGraph struct {
	ids      []string
	friends  [][2]int // each pair once
	requests [][2]int
	friendOf [][]int // adjacency, for picking mutual-friend pairs
}

// newBenchGraph generates the dataset with a fixed seed.
func newBenchGraph() *benchGraph {
	rng := rand.New(rand.NewPCG(1, 2))
	g := &benchGraph{ids: make([]string, benchProfiles), friendOf: make([][]int, benchProfiles)}
	for i := range g.ids {
		g.ids[i] = bunnybook.NewID()
	}
	linked := map[[2]int]bool{}
	link := func(a, b int) bool {
		if a == b || linked[[2]int{a, b}] || linked[[2]int{b, a}] {
			return false
		}
		linked[[2]int{a, b}] = true
		return true
	}
	for i := range benchProfiles {
		for range benchBefriends {
			if j := rng.IntN(benchProfiles); link(i, j) {
				g.friends = append(g.friends, [2]int{i, j})
				g.friendOf[i] = append(g.friendOf[i], j)
				g.friendOf[j] = append(g.friendOf[j], i)
			}
		}
	}
	for i := range benchProfiles {
		for range benchRequests {
			if j := rng.IntN(benchProfiles); link(i, j) {
				g.requests = append(g.requests, [2]int{i, j})
			}
		}
	}
	return g
}

func benchName(i int) string { return fmt.Sprintf("bunny%05d", i) }

// seedSQLite bulk-inserts the dataset into the SQLite file at path.
func seedSQLite(b *testing.B, path string, g *benchGraph) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(0)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	now := time.Now().UnixMilli()
	exec := func(q string, args ...any) {
		if _, err := tx.Exec(q, args...); err != nil {
			b.Fatalf("seed sqlite: %v", err)
		}
	}
	for i, id := range g.ids {
		exec(`INSERT INTO profile (id, username, email, password_hash, role, avatar_seed, registered_at)
			VALUES (?, ?, ?, 'x', 'USER', ?, ?)`, id, benchName(i), benchName(i)+"@bunnybook.test", id, now)
	}
	for _, f := range g.friends {
		exec(`INSERT INTO friendship (profile_id, friend_id, created_at) VALUES (?1, ?2, ?3), (?2, ?1, ?3)`,
			g.ids[f[0]], g.ids[f[1]], now)
	}
	for _, r := range g.requests {
		exec(`INSERT INTO friend_request (from_id, to_id, created_at) VALUES (?, ?, ?)`, g.ids[r[0]], g.ids[r[1]], now)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
}

// seedPostgres bulk-copies the dataset into db.
func seedPostgres(b *testing.B, db *postgres.DB, g *benchGraph) {
	ctx := b.Context()
	now := time.Now()
	var profiles, friendships, requests [][]any
	for i, id := range g.ids {
		profiles = append(profiles, []any{id, benchName(i), benchName(i) + "@bunnybook.test", "x", "USER", id, now})
	}
	for _, f := range g.friends {
		a, c := g.ids[f[0]], g.ids[f[1]]
		friendships = append(friendships, []any{a, c, now}, []any{c, a, now})
	}
	for _, r := range g.requests {
		requests = append(requests, []any{g.ids[r[0]], g.ids[r[1]], now})
	}
	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"profile", []string{"id", "username", "email", "password_hash", "role", "avatar_seed", "registered_at"}, profiles},
		{"friendship", []string{"profile_id", "friend_id", "created_at"}, friendships},
		{"friend_request", []string{"from_id", "to_id", "created_at"}, requests},
	} {
		if _, err := db.Pool().CopyFrom(ctx, pgx.Identifier{t.table}, t.cols, pgx.CopyFromRows(t.rows)); err != nil {
			b.Fatalf("seed postgres %s: %v", t.table, err)
		}
	}
	if _, err := db.Pool().Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkGraph compares Suggestions and MutualFriends (and Relationship,
// the floor of one small query) on SQLite,
// PostgreSQL and Neo4j in one run, on the same generated graph (10 k
// profiles, about 50 friends each). Neo4j is filled by the relay's
// rebuild from the SQLite store; the time it took is logged. Run it with:
//
//	go test -run '^$' -bench BenchmarkGraph -benchtime 2s ./persistence/neo4j/
func BenchmarkGraph(b *testing.B) {
	ctx := b.Context()
	g := newBenchGraph()

	path := filepath.Join(b.TempDir(), "bench.db")
	lite, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer lite.Close()
	if err := lite.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	seedSQLite(b, path, g)

	pg := postgrestest.MustOpen(b)
	seedPostgres(b, pg, g)

	neo := neo4jtest.MustOpen(b, nil)
	start := time.Now()
	if err := neo4j.NewRelay(neo, lite, slog.New(slog.DiscardHandler)).Start(ctx); err != nil {
		b.Fatalf("rebuild neo4j: %v", err)
	}
	b.Logf("neo4j rebuild from the SQLite store: %s (%d profiles, %d friendships, %d requests)",
		time.Since(start).Round(time.Millisecond), benchProfiles, len(g.friends), len(g.requests))

	for _, backend := range []struct {
		name  string
		graph bunnybook.Graph
	}{{"sqlite", lite}, {"postgres", pg}, {"neo4j", neo}} {
		b.Run(backend.name+"/Suggestions", func(b *testing.B) {
			i := 0
			for b.Loop() {
				ss, err := backend.graph.Suggestions(ctx, g.ids[i*7919%benchProfiles], bunnybook.SuggestionPage{Limit: 20})
				if err != nil || len(ss) == 0 {
					b.Fatalf("Suggestions: %d, %v", len(ss), err)
				}
				i++
			}
		})
		b.Run(backend.name+"/Relationship", func(b *testing.B) { // the cost of one small query
			i := 0
			for b.Loop() {
				if _, err := backend.graph.Relationship(ctx, g.ids[i*7919%benchProfiles], g.ids[i*104729%benchProfiles]); err != nil {
					b.Fatalf("Relationship: %v", err)
				}
				i++
			}
		})
		b.Run(backend.name+"/MutualFriends", func(b *testing.B) {
			i := 0
			for b.Loop() {
				// A profile and a friend of one of its friends: they share some.
				p := i * 7919 % benchProfiles
				f := g.friendOf[p][i%len(g.friendOf[p])]
				q := g.friendOf[f][i%len(g.friendOf[f])]
				if _, err := backend.graph.MutualFriends(ctx, g.ids[p], g.ids[q], bunnybook.NamePage{Limit: 20}); err != nil {
					b.Fatalf("MutualFriends: %v", err)
				}
				i++
			}
		})
	}
}

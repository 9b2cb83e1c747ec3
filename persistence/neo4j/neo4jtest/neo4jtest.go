package neo4jtest

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bunnybook/bunnybook/persistence/neo4j"

	"github.com/bunnybook/bunnybook/internal/proxytest"
)

// TestURLEnv names the environment variable with the Bolt URL tests use;
// BUNNYBOOK_NEO4J_URL (what scripts/services.sh prints) is the fallback.
const TestURLEnv = "BUNNYBOOK_TEST_NEO4J_URL"

const unreachable = "Neo4j not reachable: run `eval \"$(scripts/services.sh start neo4j)\"` (or set " +
	TestURLEnv + " or BUNNYBOOK_NEO4J_URL to a bolt:// URL)"

// ProxiedConfig returns TestConfig(tb) with its URL going through a new
// Proxy, which it also returns.
func ProxiedConfig(tb testing.TB) (neo4j.Config, *proxytest.Proxy) {
	tb.Helper()
	cfg := TestConfig(tb)
	u, err := url.Parse(cfg.URL)
	if err != nil {
		tb.Fatalf("neo4j: parse %s: %v", cfg.URL, err)
	}
	px := proxytest.MustProxy(tb, u.Host)
	u.Host = px.Addr()
	cfg.URL = u.String()
	return cfg, px
}

// TestConfig returns the Neo4j configuration of tests, with a fresh random
// namespace, failing tb when no URL is set.
func TestConfig(tb testing.TB) neo4j.Config {
	tb.Helper()
	url := os.Getenv(TestURLEnv)
	if url == "" {
		url = os.Getenv("BUNNYBOOK_NEO4J_URL")
	}
	if url == "" {
		tb.Fatal(unreachable + ": no URL is set")
	}
	return neo4j.Config{
		URL:       url,
		User:      os.Getenv("BUNNYBOOK_NEO4J_USER"),
		Password:  os.Getenv("BUNNYBOOK_NEO4J_PASSWORD"),
		Namespace: "test_" + strings.ToLower(rand.Text()[:16]),
	}
}

// MustOpen opens cfg (TestConfig(tb) if cfg is nil) with its schema
// created; the namespace's nodes are deleted and the driver closed when tb
// ends. It fails tb when Neo4j cannot be reached.
func MustOpen(tb testing.TB, cfg *neo4j.Config) *neo4j.DB {
	tb.Helper()
	if cfg == nil {
		c := TestConfig(tb)
		cfg = &c
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := neo4j.Open(ctx, *cfg)
	if err != nil {
		tb.Fatalf("%s: %v", unreachable, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := db.DropNamespace(ctx); err != nil {
			tb.Errorf("neo4j: drop namespace %s: %v", db.Namespace(), err)
		}
		db.Close()
	})
	if err := db.EnsureSchema(ctx); err != nil {
		tb.Fatalf("neo4j: create schema: %v", err)
	}
	return db
}

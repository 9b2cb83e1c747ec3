package postgrestest

import (
	"context"
	"crypto/rand"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bunnybook/bunnybook/persistence/postgres"
)

// TestDatabaseEnv names the environment variable holding the URL of the
// database tests use.
const TestDatabaseEnv = "BUNNYBOOK_TEST_DATABASE_URL"

const unreachable = "PostgreSQL not reachable: run `scripts/services.sh start postgres` (or set " + TestDatabaseEnv + ")"

// MustOpen returns a migrated DB in a fresh schema (test_<random>) of the
// database named by BUNNYBOOK_TEST_DATABASE_URL, whose connections use
// search_path=<schema>,public. The schema is dropped when the test ends.
// It fails the test when the database cannot be reached.
func MustOpen(tb testing.TB) *postgres.DB {
	tb.Helper()
	url := os.Getenv(TestDatabaseEnv)
	if url == "" {
		tb.Fatal(unreachable + ": " + TestDatabaseEnv + " is not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatalf("%s: %v", unreachable, err)
	}
	defer admin.Close(ctx)
	schema := "test_" + strings.ToLower(rand.Text()[:16])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("postgres: create schema %s: %v", schema, err)
	}
	tb.Cleanup(func() { dropSchema(tb, url, schema) })

	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		tb.Fatalf("postgres: parse %s: %v", TestDatabaseEnv, err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema + ",public"
	db, err := postgres.OpenConfig(ctx, cfg)
	if err != nil {
		tb.Fatalf("%s: %v", unreachable, err)
	}
	tb.Cleanup(db.Close) // runs before dropSchema (cleanups run last-in first-out)
	if err := db.Migrate(ctx); err != nil {
		tb.Fatalf("postgres: migrate schema %s: %v", schema, err)
	}
	return db
}

func dropSchema(tb testing.TB, url, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Errorf("postgres: drop schema %s: %v", schema, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
		tb.Errorf("postgres: drop schema %s: %v", schema, err)
	}
}

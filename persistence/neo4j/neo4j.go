package neo4j

import (
	"context"
	"fmt"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"

	"github.com/bunnybook/bunnybook"
)

// DefaultNamespace is the namespace of a deployment's graph.
const DefaultNamespace = "bunnybook"

// Config says how to reach Neo4j.
type Config struct {
	URL      string // bolt:// or neo4j:// URL, e.g. bolt://127.0.0.1:7687
	User     string // empty = no authentication
	Password string
	// Namespace separates graphs sharing one database; default DefaultNamespace.
	Namespace string
}

// DB is a connection to Neo4j for one namespace. It implements
// bunnybook.Graph and is safe for concurrent use. The driver reconnects by
// itself when the server comes back.
type DB struct {
	driver neo4j.DriverWithContext
	ns     string
}

var _ bunnybook.Graph = (*DB)(nil)

// Open is New and a Ping: it fails unless Neo4j answers.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	db, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// New creates the driver without connecting: a server that is down now is
// used once it answers. It does not create the schema; see EnsureSchema.
func New(cfg Config) (*DB, error) {
	auth := neo4j.NoAuth()
	if cfg.User != "" {
		auth = neo4j.BasicAuth(cfg.User, cfg.Password, "")
	}
	// Short timeouts: while Neo4j is down, graph reads should answer 503
	// within a few seconds, not hang for the driver's 30 s defaults.
	driver, err := neo4j.NewDriverWithContext(cfg.URL, auth, func(c *config.Config) {
		c.SocketConnectTimeout = 2 * time.Second
		c.ConnectionAcquisitionTimeout = 3 * time.Second
		c.MaxTransactionRetryTime = time.Second
		c.ConnectionLivenessCheckTimeout = 30 * time.Second
	})
	if err != nil {
		return nil, fmt.Errorf("neo4j: %w", err) // a bad URL: a configuration error
	}
	ns := cfg.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}
	return &DB{driver: driver, ns: ns}, nil
}

// Close closes the driver's connections.
func (db *DB) Close() error { return db.driver.Close(context.Background()) }

// Namespace returns the namespace db reads and writes.
func (db *DB) Namespace() string { return db.ns }

// Ping reports whether Neo4j answers.
func (db *DB) Ping(ctx context.Context) error {
	return translate("ping", db.driver.VerifyConnectivity(ctx))
}

// EnsureSchema creates the uniqueness constraints (idempotent).
func (db *DB) EnsureSchema(ctx context.Context) error {
	for _, q := range []string{
		`CREATE CONSTRAINT profile_ns_id IF NOT EXISTS FOR (p:Profile) REQUIRE (p.ns, p.id) IS UNIQUE`,
		`CREATE CONSTRAINT profile_ns_username IF NOT EXISTS FOR (p:Profile) REQUIRE (p.ns, p.username) IS UNIQUE`,
		`CREATE CONSTRAINT graph_sync_ns IF NOT EXISTS FOR (s:GraphSync) REQUIRE s.ns IS UNIQUE`,
	} {
		if _, err := db.write(ctx, q, nil); err != nil {
			return translate("create constraints", err)
		}
	}
	return nil
}

// read runs one read query with params (ns is added) and returns its records.
func (db *DB) read(ctx context.Context, query string, params map[string]any) ([]*neo4j.Record, error) {
	return db.query(ctx, query, params, neo4j.ExecuteQueryWithReadersRouting())
}

// write runs one write query with params (ns is added).
func (db *DB) write(ctx context.Context, query string, params map[string]any) ([]*neo4j.Record, error) {
	return db.query(ctx, query, params, neo4j.ExecuteQueryWithWritersRouting())
}

func (db *DB) query(ctx context.Context, query string, params map[string]any, opt neo4j.ExecuteQueryConfigurationOption) ([]*neo4j.Record, error) {
	if params == nil {
		params = map[string]any{}
	}
	params["ns"] = db.ns
	res, err := neo4j.ExecuteQuery(ctx, db.driver, query, params, neo4j.EagerResultTransformer, opt)
	if err != nil {
		return nil, err
	}
	return res.Records, nil
}

// session opens a write session that shares ExecuteQuery's bookmarks, so
// reads see what the relay wrote.
func (db *DB) session(ctx context.Context) neo4j.SessionWithContext {
	return db.driver.NewSession(ctx, neo4j.SessionConfig{
		AccessMode:      neo4j.AccessModeWrite,
		BookmarkManager: db.driver.ExecuteQueryBookmarkManager(),
	})
}

// DropNamespace deletes every node of db's namespace (tests; a forced
// rebuild), in batches.
func (db *DB) DropNamespace(ctx context.Context) error {
	if _, err := db.write(ctx, `MATCH (s:GraphSync {ns: $ns}) DELETE s`, nil); err != nil {
		return translate("drop namespace", err)
	}
	for {
		recs, err := db.write(ctx, `
			MATCH (p:Profile {ns: $ns}) WITH p LIMIT 5000
			DETACH DELETE p RETURN count(*) AS n`, nil)
		if err != nil {
			return translate("drop namespace", err)
		}
		n, _, err := neo4j.GetRecordValue[int64](recs[0], "n")
		if err != nil {
			return translate("drop namespace", err)
		}
		if n == 0 {
			return nil
		}
	}
}

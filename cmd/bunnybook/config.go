package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/bunnybook/bunnybook/api"
)

// Config is the server's configuration. Each field has a default, an
// environment variable (BUNNYBOOK_*) and a flag; flags win over the
// environment, which wins over defaults.
type Config struct {
	HTTPAddr         string        // REST, web UI and websocket listen address; default 127.0.0.1:8080
	DataDir          string        // SQLite file and generated secrets; default ./data
	DatabaseURL      string        // postgres://… ; empty = embedded SQLite in DataDir
	RedisURL         string        // redis://host:port/db for cache, shared rate limits and presence; empty = in-memory, this node only
	JWTSecret        string        // HMAC key for access tokens; empty = generated once, kept in DataDir
	LogLevel         string        // debug, info, warn or error; default info
	LogFormat        string        // text or json; default text
	RateLimits       bool          // per-IP rate limits on REST requests and websocket upgrades; default on
	TrustProxy       bool          // take the client IP from X-Forwarded-For added by a trusted proxy; default off
	TrustedProxies   []string      // CIDRs (or addresses) of the proxies in front, with TrustProxy; default loopback and private ranges
	SecureCookies    bool          // mark auth cookies Secure (serve over HTTPS); default off
	ShutdownTimeout  time.Duration // graceful drain on SIGTERM; default 10s
	RequestTimeout   time.Duration // most time one REST request may take (then 503); default 10s
	AllowedOrigins   []string      // extra browser origins allowed to open /ws with cookies; default none
	WSRate           float64       // websocket frames per second per connection (bursts of twice that); default 20
	WSIdleTimeout    time.Duration // close a websocket that sent nothing for this long; default 60s
	ConversationIdle time.Duration // stop a conversation grain after this long without messages; default 2m
	WSMaxPerProfile  int           // most websockets one profile may hold open across the cluster; default 16
	WSAttachInFlight int           // websockets attaching to their profiles at once; default 32
	WSAttachQueue    int           // more websockets that may wait to attach before upgrades get 503; default 2048
	AdminAddr        string        // listen address for pprof (and /metrics again); empty = off
	ClusterHost      string        // actor remoting bind host; default 127.0.0.1
	ClusterPort      int           // actor remoting port; default 0 (any free port)
	ClusterAdvertise string        // host:port other nodes reach this one at; default the bound address
	ClusterName      string        // nodes with the same name (and etcd) form one cluster; default "bunnybook"
	ClusterEtcd      []string      // etcd endpoints (host:port) the nodes register with; empty = single node
	ClusterLeaseTTL  time.Duration // how long a node's etcd registration outlives its last renewal; default 5s
	Neo4jURL         string        // bolt://host:port of Neo4j for the friendship graph; empty = the SQL graph
	Neo4jUser        string        // Neo4j user; empty = no authentication
	Neo4jPassword    string        // Neo4j password (never logged)
	Neo4jNamespace   string        // ns property of this deployment's graph nodes (deployments may share a database); default bunnybook
}

// setting is one configuration entry: where it is kept and how it is named.
type setting struct {
	flag, env, usage string
	value            flag.Value
}

func (c *Config) settings() []setting {
	return []setting{
		{"http-addr", "BUNNYBOOK_HTTP_ADDR", "listen address for REST, web UI and websocket", (*stringValue)(&c.HTTPAddr)},
		{"data-dir", "BUNNYBOOK_DATA_DIR", "directory for the embedded SQLite database and generated secrets", (*stringValue)(&c.DataDir)},
		{"database-url", "BUNNYBOOK_DATABASE_URL", "PostgreSQL URL (postgres://…); empty = embedded SQLite", (*stringValue)(&c.DatabaseURL)},
		{"redis-url", "BUNNYBOOK_REDIS_URL", "Redis URL (redis://host:port/db) for the cache, shared rate limits and presence; empty = in memory, this node only", (*stringValue)(&c.RedisURL)},
		{"jwt-secret", "BUNNYBOOK_JWT_SECRET", "access-token signing key (≥ 32 bytes); empty = generated once and kept in the data dir", (*stringValue)(&c.JWTSecret)},
		{"log-level", "BUNNYBOOK_LOG_LEVEL", "debug, info, warn or error", (*stringValue)(&c.LogLevel)},
		{"log-format", "BUNNYBOOK_LOG_FORMAT", "text or json", (*stringValue)(&c.LogFormat)},
		{"rate-limits", "BUNNYBOOK_RATE_LIMITS", "per-client-IP rate limits on REST endpoints and websocket upgrades", (*boolValue)(&c.RateLimits)},
		{"trust-proxy", "BUNNYBOOK_TRUST_PROXY", "take the client IP from X-Forwarded-For when the peer is a trusted proxy (only behind proxies you run)", (*boolValue)(&c.TrustProxy)},
		{"trusted-proxies", "BUNNYBOOK_TRUSTED_PROXIES", "comma-separated CIDRs of the proxies in front of the server (with trust-proxy): X-Forwarded-For is read only from them, and their own hops are skipped", (*listValue)(&c.TrustedProxies)},
		{"secure-cookies", "BUNNYBOOK_SECURE_COOKIES", "mark auth cookies Secure (when served over HTTPS)", (*boolValue)(&c.SecureCookies)},
		{"shutdown-timeout", "BUNNYBOOK_SHUTDOWN_TIMEOUT", "how long to drain connections on SIGTERM", (*durationValue)(&c.ShutdownTimeout)},
		{"request-timeout", "BUNNYBOOK_REQUEST_TIMEOUT", "most time one REST request may take before it is answered 503", (*durationValue)(&c.RequestTimeout)},
		{"allowed-origins", "BUNNYBOOK_ALLOWED_ORIGINS", "comma-separated extra origins (scheme://host:port) allowed to open /ws with the cookie", (*listValue)(&c.AllowedOrigins)},
		{"admin-addr", "BUNNYBOOK_ADMIN_ADDR", "listen address of the admin port (pprof, /metrics); empty = off; keep it private", (*stringValue)(&c.AdminAddr)},
		{"ws-idle-timeout", "BUNNYBOOK_WS_IDLE_TIMEOUT", "close a websocket that sent no frame for this long (clients ping every ~25 s)", (*durationValue)(&c.WSIdleTimeout)},
		{"conversation-idle", "BUNNYBOOK_CONVERSATION_IDLE", "stop a conversation grain (freeing its recent messages) after this long without traffic", (*durationValue)(&c.ConversationIdle)},
		{"ws-rate", "BUNNYBOOK_WS_RATE", "websocket frames per second allowed per connection (bursts of twice that)", (*floatValue)(&c.WSRate)},
		{"ws-max-per-profile", "BUNNYBOOK_WS_MAX_PER_PROFILE", "most websockets one profile may hold open across the cluster (more are closed with 4029)", (*intValue)(&c.WSMaxPerProfile)},
		{"ws-attach-concurrency", "BUNNYBOOK_WS_ATTACH_CONCURRENCY", "websockets attaching to their profiles at once", (*intValue)(&c.WSAttachInFlight)},
		{"ws-attach-queue", "BUNNYBOOK_WS_ATTACH_QUEUE", "websockets that may wait to attach; past it upgrades are refused with 503 and Retry-After", (*intValue)(&c.WSAttachQueue)},
		{"cluster-host", "BUNNYBOOK_CLUSTER_HOST", "bind host for actor traffic between nodes", (*stringValue)(&c.ClusterHost)},
		{"cluster-port", "BUNNYBOOK_CLUSTER_PORT", "port for actor traffic between nodes (0 = any free port)", (*intValue)(&c.ClusterPort)},
		{"cluster-advertise", "BUNNYBOOK_CLUSTER_ADVERTISE", "host:port other nodes use to reach this one (default: the bound address)", (*stringValue)(&c.ClusterAdvertise)},
		{"cluster-name", "BUNNYBOOK_CLUSTER_NAME", "nodes registered in etcd under the same name form one cluster", (*stringValue)(&c.ClusterName)},
		{"cluster-etcd", "BUNNYBOOK_CLUSTER_ETCD", "comma-separated etcd endpoints (host:port) for cluster membership; empty = single node", (*listValue)(&c.ClusterEtcd)},
		{"cluster-lease-ttl", "BUNNYBOOK_CLUSTER_LEASE_TTL", "how long a node that stopped renewing its etcd lease stays a member (whole seconds, at least 2s)", (*durationValue)(&c.ClusterLeaseTTL)},
		{"neo4j-url", "BUNNYBOOK_NEO4J_URL", "Neo4j URL (bolt://host:port) serving the friendship graph; empty = the SQL graph", (*stringValue)(&c.Neo4jURL)},
		{"neo4j-user", "BUNNYBOOK_NEO4J_USER", "Neo4j user; empty = no authentication", (*stringValue)(&c.Neo4jUser)},
		{"neo4j-password", "BUNNYBOOK_NEO4J_PASSWORD", "Neo4j password", (*stringValue)(&c.Neo4jPassword)},
		{"neo4j-namespace", "BUNNYBOOK_NEO4J_NAMESPACE", "namespace of this deployment's nodes in Neo4j (several deployments can share one database)", (*stringValue)(&c.Neo4jNamespace)},
	}
}

// DefaultConfig returns the configuration used when nothing is set.
func DefaultConfig() Config {
	return Config{
		HTTPAddr:         "127.0.0.1:8080",
		DataDir:          "./data",
		LogLevel:         "info",
		LogFormat:        "text",
		RateLimits:       true,
		TrustedProxies:   proxyStrings(api.DefaultTrustedProxies()),
		WSRate:           20,
		WSIdleTimeout:    60 * time.Second,
		ConversationIdle: 2 * time.Minute,
		WSMaxPerProfile:  16,
		WSAttachInFlight: 32,
		WSAttachQueue:    2048,
		ShutdownTimeout:  10 * time.Second,
		RequestTimeout:   10 * time.Second,
		ClusterHost:      "127.0.0.1",
		ClusterLeaseTTL:  5 * time.Second,
		Neo4jNamespace:   "bunnybook",
	}
}

// ParseConfig builds the configuration from defaults, the environment
// (getenv) and command-line args, in that order. Every problem is reported
// at once.
func ParseConfig(fs *flag.FlagSet, args []string, getenv func(string) string) (Config, error) {
	c := DefaultConfig()
	var errs []error
	for _, s := range c.settings() {
		if v := getenv(s.env); v != "" {
			if err := s.value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %v", s.env, err))
			}
		}
		fs.Var(s.value, s.flag, fmt.Sprintf("%s (env %s)", s.usage, s.env))
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	errs = append(errs, c.validate()...)
	return c, errors.Join(errs...)
}

func (c *Config) validate() []error {
	var errs []error
	if c.HTTPAddr == "" {
		errs = append(errs, errors.New("http-addr: must not be empty"))
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, errors.New("database-url: must start with postgres:// (or be empty for embedded SQLite)"))
	}
	if c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") {
		errs = append(errs, errors.New("redis-url: must start with redis:// or rediss:// (or be empty for in-memory)"))
	}
	if c.JWTSecret != "" && len(c.JWTSecret) < 32 {
		errs = append(errs, errors.New("jwt-secret: must be at least 32 bytes"))
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		errs = append(errs, err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, errors.New("log-format: must be text or json"))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, errors.New("shutdown-timeout: must be positive"))
	}
	if c.RequestTimeout <= 0 {
		errs = append(errs, errors.New("request-timeout: must be positive"))
	}
	if c.WSIdleTimeout < time.Second {
		errs = append(errs, errors.New("ws-idle-timeout: must be at least 1s"))
	}
	if c.WSAttachInFlight < 1 || c.WSAttachQueue < 1 {
		errs = append(errs, errors.New("ws-attach-concurrency, ws-attach-queue: must be at least 1"))
	}
	if c.ConversationIdle <= 0 {
		errs = append(errs, errors.New("conversation-idle: must be positive"))
	}
	if c.WSRate <= 0 {
		errs = append(errs, errors.New("ws-rate: must be positive"))
	}
	if c.WSMaxPerProfile < 1 {
		errs = append(errs, errors.New("ws-max-per-profile: must be at least 1"))
	}
	if c.ClusterLeaseTTL < 2*time.Second {
		errs = append(errs, errors.New("cluster-lease-ttl: must be at least 2s (etcd's shortest lease)"))
	}
	if len(c.ClusterEtcd) > 0 && c.DatabaseURL == "" {
		errs = append(errs, errors.New("cluster-etcd: a cluster of several nodes needs a shared database: set database-url (embedded SQLite belongs to one node)"))
	}
	if len(c.ClusterEtcd) > 0 && c.RedisURL == "" {
		errs = append(errs, errors.New("cluster-etcd: a cluster of several nodes needs a shared presence registry: set redis-url (in-memory presence belongs to one node)"))
	}
	for _, cidr := range c.TrustedProxies {
		if _, err := api.ParseProxies([]string{cidr}); err != nil {
			errs = append(errs, fmt.Errorf("trusted-proxies: %w", err))
		}
	}
	errs = append(errs, c.validateNeo4j()...)
	return errs
}

// trustedProxies returns the validated trusted proxy ranges; an empty
// list trusts no proxy (not api's default).
func (c *Config) trustedProxies() []netip.Prefix {
	prefixes, _ := api.ParseProxies(c.TrustedProxies)
	if prefixes == nil {
		prefixes = []netip.Prefix{}
	}
	return prefixes
}

func proxyStrings(prefixes []netip.Prefix) []string {
	out := make([]string, len(prefixes))
	for i, p := range prefixes {
		out[i] = p.String()
	}
	return out
}

// Secret returns the JWT secret: the configured one, or the one kept in
// DataDir/jwt-secret, generated on first use.
func (c *Config) Secret() ([]byte, error) {
	if c.JWTSecret != "" {
		return []byte(c.JWTSecret), nil
	}
	path := filepath.Join(c.DataDir, "jwt-secret")
	if b, err := os.ReadFile(path); err == nil && len(b) >= 32 {
		return b, nil
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, err
	}
	secret := []byte(hex.EncodeToString(raw[:]))
	// O_EXCL: when two nodes share a data dir and race, one write wins and
	// both then read it.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		_, err = f.Write(secret)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return secret, err
	}
	if errors.Is(err, os.ErrExist) {
		return os.ReadFile(path)
	}
	return nil, err
}

// Logger builds the process logger.
func (c *Config) Logger() *slog.Logger {
	level, _ := parseLevel(c.LogLevel)
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, fmt.Errorf("log-level: %q is not debug, info, warn or error", s)
	}
	return l, nil
}

type stringValue string

func (v *stringValue) Set(s string) error { *v = stringValue(s); return nil }
func (v *stringValue) String() string     { return string(*v) }

type boolValue bool

func (v *boolValue) Set(s string) error {
	b, err := strconv.ParseBool(s)
	*v = boolValue(b)
	return err
}
func (v *boolValue) String() string   { return strconv.FormatBool(bool(*v)) }
func (v *boolValue) IsBoolFlag() bool { return true }

type intValue int

func (v *intValue) Set(s string) error {
	n, err := strconv.Atoi(s)
	*v = intValue(n)
	return err
}
func (v *intValue) String() string { return strconv.Itoa(int(*v)) }

type floatValue float64

func (v *floatValue) Set(s string) error {
	f, err := strconv.ParseFloat(s, 64)
	*v = floatValue(f)
	return err
}
func (v *floatValue) String() string { return strconv.FormatFloat(float64(*v), 'g', -1, 64) }

type listValue []string

func (v *listValue) Set(s string) error {
	*v = nil
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*v = append(*v, part)
		}
	}
	return nil
}
func (v *listValue) String() string { return strings.Join(*v, ",") }

type durationValue time.Duration

func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	*v = durationValue(d)
	return err
}
func (v *durationValue) String() string { return time.Duration(*v).String() }

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	pa "github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/test"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/actors"
	"github.com/bunnybook/bunnybook/api"
	"github.com/bunnybook/bunnybook/auth"
	"github.com/bunnybook/bunnybook/cluster"
	"github.com/bunnybook/bunnybook/gateway"
	"github.com/bunnybook/bunnybook/metrics"
	"github.com/bunnybook/bunnybook/persistence/memory"
	"github.com/bunnybook/bunnybook/persistence/neo4j"
	"github.com/bunnybook/bunnybook/persistence/postgres"
	"github.com/bunnybook/bunnybook/persistence/sqlite"
	"github.com/bunnybook/bunnybook/web"
)

// store is what a relational backend provides.
type store interface {
	bunnybook.Store
	bunnybook.Graph
}

// Main is one running server: its stores, cluster member, gateway and HTTP
// listener. End-to-end tests run several in one process.
type Main struct {
	Config Config
	Logger *slog.Logger

	// Tests may set these before Run to share them between nodes in one
	// process; otherwise Run makes them from Config.
	Store        store
	Presence     bunnybook.Presence
	clusterAgent *test.InMemAgent
	noPoller     bool // tests: read websockets on goroutines instead of epoll

	storeName string
	redis     redisParts     // cache, rate limiter and presence: Redis or in memory (redis.go)
	closers   []func() error // run in reverse order by Close
	cluster   *pa.Cluster
	metrics   http.Handler // Prometheus exposition of this node's registry
	gateway   *gateway.Server
	server    *fasthttp.Server
	ln        net.Listener
	serveErr  chan error
	draining  atomic.Bool // Close has begun

	graphChecks []api.Check  // /readyz: neo4j when configured (neo4j.go)
	relay       *neo4j.Relay // feeds Neo4j when configured (neo4j.go)
}

// NewMain returns a server for cfg; Run starts it.
func NewMain(cfg Config) *Main {
	return &Main{Config: cfg, Logger: cfg.Logger(), serveErr: make(chan error, 1)}
}

// Run opens the stores, joins the cluster and starts serving HTTP in the
// background. Call Close to stop, also after a failed Run.
func (m *Main) Run(ctx context.Context) error {
	if err := m.openStore(ctx); err != nil {
		return err
	}
	if err := m.openGraph(ctx); err != nil {
		return err
	}
	secret, err := m.Config.Secret()
	if err != nil {
		return fmt.Errorf("jwt secret: %w", err)
	}
	if err := m.openRedis(ctx); err != nil {
		return err
	}
	if m.Presence == nil {
		m.Presence = memory.NewPresence()
	}
	registry := prometheus.NewRegistry()
	m.metrics = promhttp.HandlerFor(registry, promhttp.HandlerOpts{})
	ms := metrics.New(registry)
	presence := actors.CountLookups(m.Presence, ms.PresenceLookups)
	pool := cluster.NewNodeDispatcher() // the grains' and the gateway's goroutines
	m.cluster, err = cluster.Start(ctx, cluster.Config{
		Name:           m.Config.ClusterName,
		Host:           m.Config.ClusterHost,
		Port:           m.Config.ClusterPort,
		AdvertisedHost: m.Config.ClusterAdvertise,
		Etcd:           m.Config.ClusterEtcd,
		LeaseTTL:       m.Config.ClusterLeaseTTL,
		Agent:          m.clusterAgent,
	}, actors.Kinds(actors.Config{
		Store: m.Store, Presence: presence, Logger: m.Logger, Metrics: ms, Draining: m.draining.Load,
		IdleTimeout: m.Config.ConversationIdle, MaxConnsPerProfile: m.Config.WSMaxPerProfile, Dispatcher: pool,
	}), m.Logger)
	if err != nil {
		return err
	}
	m.closers = append(m.closers, func() error { cluster.Stop(m.cluster); return nil })
	hub := actors.NewHub(m.cluster, presence, m.Logger)
	authn, err := auth.New(auth.Config{
		Secret:       secret,
		Revocations:  m.redis.revocations,
		Attempts:     m.redis.attempts,
		SessionEnded: hub.SessionEnded,
	}, m.Store)
	if err != nil {
		return err
	}

	cachedStore := m.cached(m.Store, m.Store)
	if m.relay != nil {
		m.relay.OnFriendsChanged(cachedStore.FriendsChanged) // lists read from Neo4j while it lagged
	}
	svc := bunnybook.NewService(cachedStore, cachedStore, m.Logger)
	svc.Notifier = hub
	apiServer := api.New(api.Config{
		DisableRateLimits: !m.Config.RateLimits,
		TrustProxy:        m.Config.TrustProxy,
		TrustedProxies:    m.Config.trustedProxies(),
		SecureCookies:     m.Config.SecureCookies,
		RequestTimeout:    m.Config.RequestTimeout,
		ReadyChecks:       append(append([]api.Check{{Name: "node", Ping: m.serving}, {Name: m.storeName, Ping: m.Store.Ping}}, m.redis.checks...), m.graphChecks...),
		Metrics:           ms,
	}, svc, authn, m.redis.limiter, m.Logger)
	var upgradeLimiter bunnybook.RateLimiter // nil: no upgrade limit
	if m.Config.RateLimits {
		upgradeLimiter = m.redis.limiter
	}
	m.gateway = gateway.NewServer(gateway.Config{
		AllowedOrigins: m.Config.AllowedOrigins,
		AttachInFlight: m.Config.WSAttachInFlight,
		AttachQueue:    m.Config.WSAttachQueue,
		Limiter:        upgradeLimiter,
		ClientIP:       apiServer.ClientIP,
		EventRate:      m.Config.WSRate,
		IdleTimeout:    m.Config.WSIdleTimeout,
		NoPoller:       m.noPoller,
		EventBurst:     int(2 * m.Config.WSRate),
		Metrics:        ms,
		Dispatcher:     pool,
	},
		tokenAuth{authn}, hub, m.Store, m.cluster.ActorSystem, m.Logger)
	m.followMembership(ms)

	return m.listen(apiServer)
}

// listen starts the HTTP server: /ws goes to the gateway, /metrics to
// Prometheus, API paths to the API, everything else to the web UI.
func (m *Main) listen(apiServer *api.Server) error {
	apiHandler, uiHandler := apiServer.Handler(), web.Handler()
	metricsHandler := fasthttpadaptor.NewFastHTTPHandler(m.metrics)
	m.server = &fasthttp.Server{
		Name: "bunnybook",
		Handler: func(ctx *fasthttp.RequestCtx) {
			switch string(ctx.Path()) {
			case "/ws":
				m.gateway.Handle(ctx)
				return
			case "/metrics":
				metricsHandler(ctx)
				return
			}
			if !isAPIPath(string(ctx.Path())) {
				uiHandler(ctx)
				return
			}
			apiHandler(ctx)
		},
		ErrorHandler:       apiServer.ErrorHandler,
		KeepHijackedConns:  true, // websockets outlive their upgrade request
		MaxRequestBodySize: api.DefaultMaxBodyBytes,
		ReadTimeout:        30 * time.Second,
		WriteTimeout:       30 * time.Second,
		IdleTimeout:        2 * time.Minute,
		Logger:             slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),

		// The API reads JSON only: a multipart body is refused (415), not parsed.
		DisablePreParseMultipartForm: true,
	}
	if err := m.listenAdmin(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", m.Config.HTTPAddr)
	if err != nil {
		return err
	}
	m.ln = ln
	go func() { m.serveErr <- m.server.Serve(ln) }()
	return nil
}

// isAPIPath tells whether a request path belongs to the API rather than the
// web UI.
func isAPIPath(p string) bool {
	switch p {
	case "/openapi.json", "/docs", "/healthz", "/readyz":
		return true
	}
	return strings.HasPrefix(p, "/web/")
}

// listenAdmin serves pprof and /metrics on the admin address, if set.
func (m *Main) listenAdmin() error {
	if m.Config.AdminAddr == "" {
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.metrics)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", m.Config.AdminAddr)
	if err != nil {
		return fmt.Errorf("admin port: %w", err)
	}
	admin := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go admin.Serve(ln)
	m.closers = append(m.closers, admin.Close)
	return nil
}

// Addr returns the address the server listens on.
func (m *Main) Addr() string { return m.ln.Addr().String() }

// URL returns the server's base URL.
func (m *Main) URL() string { return "http://" + m.Addr() }

// openStore opens and migrates the configured relational store, unless a
// test set one.
func (m *Main) openStore(ctx context.Context) error {
	if m.Store != nil {
		m.storeName = "store"
		return nil
	}
	if url := m.Config.DatabaseURL; url != "" {
		db, err := postgres.Open(ctx, url)
		if err != nil {
			return fmt.Errorf("open postgres: %w", err)
		}
		m.closers = append(m.closers, func() error { db.Close(); return nil })
		m.Store, m.storeName = db, "postgres"
		return db.Migrate(ctx)
	}
	if err := os.MkdirAll(m.Config.DataDir, 0o700); err != nil {
		return err
	}
	db, err := sqlite.Open(ctx, filepath.Join(m.Config.DataDir, "bunnybook.db"))
	if err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	m.closers = append(m.closers, db.Close)
	m.Store, m.storeName = db, "sqlite"
	return db.Migrate(ctx)
}

// Close drains the server within the shutdown timeout: /readyz fails and
// websocket upgrades are refused; the node leaves the cluster's membership,
// so that peers place its grains on themselves; websockets are closed with
// 1001 (clients reconnect to another node and resume); then HTTP stops and
// the grains, the actor system and the stores are stopped. Profiles on
// this node are not marked offline on the way out: their users are
// reconnecting elsewhere, and the presence of those who do not expires.
func (m *Main) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
	defer cancel()
	var errs []error
	m.draining.Store(true)
	if m.cluster != nil {
		cluster.Leave(m.cluster)
	}
	if m.gateway != nil {
		m.gateway.Close()
	}
	if m.server != nil {
		errs = append(errs, m.server.ShutdownWithContext(ctx))
	}
	for i := len(m.closers) - 1; i >= 0; i-- {
		errs = append(errs, m.closers[i]())
	}
	m.closers = nil
	return errors.Join(errs...)
}

// followMembership keeps the membership metrics and restarts the gateway's
// connections when this node finds itself out of the cluster.
func (m *Main) followMembership(ms *metrics.Set) {
	m.cluster.ActorSystem.EventStream.Subscribe(func(e any) {
		if t, ok := e.(*pa.ClusterTopology); ok {
			ms.ClusterMembers.Set(float64(len(t.Members)))
			ms.MembershipChanges.WithLabelValues("joined").Add(float64(len(t.Joined)))
			ms.MembershipChanges.WithLabelValues("left").Add(float64(len(t.Left)))
			if m.leftCluster(t) {
				go m.gateway.Restart()
			}
		}
	})
	ms.ClusterMembers.Set(float64(m.cluster.MemberList.Members().Len()))
}

// leftCluster tells whether a topology change took this node itself out
// of the membership while it is not draining: it was paused or cut off
// longer than its lease, and the other nodes have placed its profiles anew
// without its connections (see gateway.Server.Restart).
func (m *Main) leftCluster(t *pa.ClusterTopology) bool {
	if m.draining.Load() {
		return false
	}
	for _, l := range t.Left {
		if l.Address() == m.cluster.ActorSystem.Address() {
			return true
		}
	}
	return false
}

// serving is the readiness check of the node itself: it fails once Close
// has begun, so that load balancers stop sending it work.
func (m *Main) serving(context.Context) error {
	if m.draining.Load() {
		return errors.New("shutting down")
	}
	return nil
}

// tokenAuth lets the gateway check access tokens (signature, expiry, and
// that their session was not ended).
type tokenAuth struct{ a *auth.Auth }

func (t tokenAuth) Authenticate(ctx context.Context, token string) (bunnybook.Profile, string, error) {
	c, err := t.a.CheckOnce(ctx, token)
	if err != nil {
		return bunnybook.Profile{}, "", err
	}
	return c.User.Profile(), c.SessionID, nil
}

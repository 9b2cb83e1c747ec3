package gateway

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pa "github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/eventstream"
	"github.com/valyala/fasthttp"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/actors"
	bbcluster "github.com/bunnybook/bunnybook/cluster"
	"github.com/bunnybook/bunnybook/metrics"
)

// Authenticator verifies an access token and says whose it is.
type Authenticator interface {
	// Authenticate returns whose token it is and its sign-in session id;
	// a bad, expired or revoked token is an error.
	Authenticate(ctx context.Context, token string) (profile bunnybook.Profile, sessionID string, err error)
}

// Grains is what connections ask of the profile and conversation grains
// (actors.Hub implements it). Errors are *bunnybook.Error where the grain
// refused (EForbidden, EInvalid …); EUnavailable when no grain answered.
type Grains interface {
	// Connect attaches a connection to its profile's grain (activating it)
	// and returns the hello data; actors.ErrTooManyConnections when the
	// profile holds the most connections allowed.
	Connect(c *actors.Connect, profileID string) (*actors.Hello, error)
	// Send has a conversation store a message; it returns the stored
	// message (the earlier one for a resent client id) and when the one
	// before it was created (Unix ms, 0 when unknown).
	Send(groupID string, m *actors.SendMessage) (msg *bunnybook.ChatMessage, prevAtMs int64, err error)
	// Typing relays that a member types.
	Typing(groupID, profileID, username string) error
	// MarkRead moves a member's read pointer.
	MarkRead(groupID, profileID string, seq int64) error
	// React toggles a member's reaction to a message of the conversation.
	React(groupID, profileID, messageID, emoji string) error
	// Moved forgets a profile grain that stopped, so that the next Connect
	// places it anew instead of trying the old one.
	Moved(profileID string, grain *actor.PID)
}

// History is what sessions read to resume conversations.
type History interface {
	ChatGroup(ctx context.Context, id string) (*bunnybook.ChatGroup, error)
	MessagesAfter(ctx context.Context, groupID string, after int64, limit int) ([]bunnybook.ChatMessage, error)
}

// RateLimit allows Limit events per Window.
type RateLimit struct {
	Limit  int
	Window time.Duration
}

// Config sets the gateway's limits. Zero values take the defaults.
type Config struct {
	// AllowedOrigins are the browser origins (scheme://host[:port]) allowed
	// to connect with the access-token cookie, besides the server's own.
	AllowedOrigins []string
	MaxFrame       int           // largest client frame in bytes; default 16 KiB
	IdleTimeout    time.Duration // close when no frame arrives for this long; default 60s
	WriteTimeout   time.Duration // per frame write; default 10s
	EventRate      float64       // sustained client frames per second; default 20
	EventBurst     int           // frames allowed in a burst; default 40
	Metrics        *metrics.Set  // default: counted nowhere
	// Limiter counts upgrade attempts (authenticated or not) per client IP
	// against UpgradeLimits; past one the upgrade is refused with 429.
	// Default nil: no upgrade limit.
	Limiter bunnybook.RateLimiter
	// UpgradeLimits bound upgrade attempts per client IP; default 10 a
	// second and 120 a minute.
	UpgradeLimits []RateLimit
	// AttachInFlight is how many connections attach to their profile grains
	// at once; default 32. AttachQueue is how many more may wait for their
	// turn; default 2048. Past both, upgrades are refused with 503 and
	// Retry-After (see admission).
	AttachInFlight int
	AttachQueue    int
	// ClientIP names the client of an upgrade request for UpgradeLimits;
	// default the socket peer's IP.
	ClientIP func(*fasthttp.RequestCtx) string
	// NoPoller reads every connection on a goroutine of its own instead of
	// waiting for idle ones with epoll (Linux). Default: the poller.
	NoPoller bool
	// Dispatcher runs the router's mailbox, the poller's reads and the
	// connections' writers; default a bbcluster.NewNodeDispatcher of its
	// own (the server shares one with the grains).
	Dispatcher actor.Dispatcher
}

func (c *Config) withDefaults() {
	if c.MaxFrame == 0 {
		c.MaxFrame = 16 << 10
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = 60 * time.Second
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = 10 * time.Second
	}
	if c.EventRate == 0 {
		c.EventRate = 20
	}
	if c.EventBurst == 0 {
		c.EventBurst = 40
	}
	if c.Metrics == nil {
		c.Metrics = metrics.Discard()
	}
	if c.UpgradeLimits == nil {
		c.UpgradeLimits = []RateLimit{{10, time.Second}, {120, time.Minute}}
	}
	if c.AttachInFlight == 0 {
		c.AttachInFlight = 32
	}
	if c.AttachQueue == 0 {
		c.AttachQueue = 2048
	}
	if c.ClientIP == nil {
		c.ClientIP = func(ctx *fasthttp.RequestCtx) string { return ctx.RemoteIP().String() }
	}
	if c.Dispatcher == nil {
		c.Dispatcher = bbcluster.NewNodeDispatcher()
	}
}

// Server upgrades /ws requests and serves their connections.
type Server struct {
	cfg     Config
	auth    Authenticator
	grains  Grains
	history History
	system  *actor.ActorSystem
	logger  *slog.Logger

	admission *admission
	poller    *poller    // nil: one reading goroutine per connection
	router    *actor.PID // the node's gateway actor: grains push through it
	grainSub  *eventstream.Subscription

	mu      sync.RWMutex
	conns   map[string]*conn // open connections by id
	closing atomic.Bool      // Close has begun: upgrades are refused
}

// NewServer returns a gateway on a started cluster member's actor system.
func NewServer(cfg Config, auth Authenticator, grains Grains, history History, system *actor.ActorSystem, logger *slog.Logger) *Server {
	cfg.withDefaults()
	s := &Server{cfg: cfg, auth: auth, grains: grains, history: history, admission: newAdmission(cfg.AttachInFlight, cfg.AttachQueue), system: system,
		logger: logger, conns: map[string]*conn{}}
	s.router = system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &router{s: s, attached: map[grainKey][]*conn{}} },
		actor.WithDispatcher(cfg.Dispatcher)))
	s.grainSub = system.EventStream.SubscribeWithPredicate(
		func(e any) { system.Root.Send(s.router, e) },
		func(e any) bool {
			t, ok := e.(*pa.ActivationTerminated)
			return ok && t.GetClusterIdentity().GetKind() == actors.ProfileKind
		})
	if !cfg.NoPoller {
		p, err := newPoller(cfg.IdleTimeout, cfg.Dispatcher, logger)
		if err != nil {
			logger.Info("websocket poller unavailable: one goroutine per connection", "error", err)
		}
		s.poller = p
	}
	return s
}

// authTimeout bounds checking an upgrade's token (its session's revocation
// may be asked of Redis).
const authTimeout = 2 * time.Second

// AccessCookie is the cookie browsers authenticate with.
const AccessCookie = "access_token"

// Handle is the fasthttp handler for GET /ws. The fasthttp.Server must set
// KeepHijackedConns: connections outlive the handler.
func (s *Server) Handle(ctx *fasthttp.RequestCtx) {
	h := &ctx.Request.Header
	refused := s.cfg.Metrics.ConnsRefused
	if !ctx.IsGet() || !headerHas(h.Peek("Upgrade"), "websocket") || !headerHas(h.Peek("Connection"), "upgrade") {
		refused.WithLabelValues("bad_request").Inc()
		httpError(ctx, fasthttp.StatusBadRequest, "this endpoint only speaks websocket")
		return
	}
	key := string(h.Peek("Sec-WebSocket-Key"))
	if string(h.Peek("Sec-WebSocket-Version")) != "13" || key == "" {
		refused.WithLabelValues("bad_request").Inc()
		ctx.Response.Header.Set("Sec-WebSocket-Version", "13")
		httpError(ctx, fasthttp.StatusUpgradeRequired, "websocket version 13 required")
		return
	}
	if retry, ok := s.upgradeAllowed(ctx); !ok {
		refused.WithLabelValues("rate_limited").Inc()
		ctx.Response.Header.Set("Retry-After", strconv.Itoa(int((retry+time.Second-1)/time.Second)))
		httpError(ctx, fasthttp.StatusTooManyRequests, "too many websocket upgrades from your address: retry later")
		return
	}
	if s.closing.Load() {
		refused.WithLabelValues("shutting_down").Inc()
		ctx.Response.Header.Set("Retry-After", "1")
		httpError(ctx, fasthttp.StatusServiceUnavailable, "this server is shutting down: reconnect to another one")
		return
	}
	if !s.admission.admit() {
		refused.WithLabelValues("busy").Inc()
		ctx.Response.Header.Set("Retry-After", "1")
		httpError(ctx, fasthttp.StatusServiceUnavailable, "too many connections are being set up on this server: retry in a second or two")
		return
	}
	profile, sid, ok := s.authenticate(ctx)
	if !ok {
		s.admission.cancel()
		return
	}
	s.cfg.Metrics.ConnsAccepted.Inc()
	ctx.SetStatusCode(fasthttp.StatusSwitchingProtocols)
	ctx.Response.Header.Set("Upgrade", "websocket")
	ctx.Response.Header.Set("Connection", "Upgrade")
	ctx.Response.Header.Set("Sec-WebSocket-Accept", acceptKey(key))
	ctx.Hijack(func(nc net.Conn) {
		// Serve on a goroutine of our own and let fasthttp's return, so it
		// releases its request context and read buffer: an idle websocket
		// then holds only what it needs. This requires the fasthttp.Server's
		// KeepHijackedConns. A conforming client sends nothing before our
		// 101 answer (RFC 6455 §4.1), so nothing is left in fasthttp's buffer
		// and the raw connection can be read directly.
		if raw, ok := nc.(interface{ UnsafeConn() net.Conn }); ok {
			nc = raw.UnsafeConn()
		}
		go s.serve(nc, profile, sid)
	})
}

// authenticate checks an upgrade's credentials, answering the request
// itself when they are refused.
func (s *Server) authenticate(ctx *fasthttp.RequestCtx) (profile bunnybook.Profile, sid string, ok bool) {
	h := &ctx.Request.Header
	refused := s.cfg.Metrics.ConnsRefused
	token, fromCookie := bearer(h), false
	if token == "" {
		token, fromCookie = string(h.Cookie(AccessCookie)), true
	}
	if token == "" {
		refused.WithLabelValues("unauthorized").Inc()
		httpError(ctx, fasthttp.StatusUnauthorized, "log in first: send the access token as a Bearer token or cookie")
		return profile, "", false
	}
	if fromCookie && !s.originAllowed(ctx) {
		refused.WithLabelValues("origin").Inc()
		httpError(ctx, fasthttp.StatusForbidden, "origin not allowed")
		return profile, "", false
	}
	authCtx, cancel := context.WithTimeout(context.Background(), authTimeout)
	defer cancel()
	profile, sid, err := s.auth.Authenticate(authCtx, token)
	if err != nil {
		refused.WithLabelValues("unauthorized").Inc()
		httpError(ctx, fasthttp.StatusUnauthorized, "invalid or expired access token")
		return profile, "", false
	}
	return profile, sid, true
}

// upgradeAllowed counts an upgrade attempt against each of the client IP's
// limits, stopping at the first one exceeded; if so, retry is when to try
// again (at least a second). A limiter failure lets the upgrade through, as
// the REST limiter does: a broken counter store must not lock everyone out.
func (s *Server) upgradeAllowed(ctx *fasthttp.RequestCtx) (retry time.Duration, ok bool) {
	if s.cfg.Limiter == nil {
		return 0, true
	}
	ip := s.cfg.ClientIP(ctx)
	for i, l := range s.cfg.UpgradeLimits {
		// The REST limiter's key scheme (ip:route:index), with GET /ws as the route.
		ok, retry, err := s.cfg.Limiter.Allow(ctx, fmt.Sprintf("%s:GET /ws:%d", ip, i), l.Limit, l.Window)
		if err != nil {
			s.logger.Warn("rate limiter unavailable, websocket upgrade let through", "client_ip", ip, "error", err)
			return 0, true
		}
		if !ok {
			return max(retry, time.Second), false
		}
	}
	return 0, true
}

// originAllowed checks a cookie-authenticated upgrade's Origin against the
// server's own origin and the allow-list (cross-site websocket hijacking).
func (s *Server) originAllowed(ctx *fasthttp.RequestCtx) bool {
	origin := string(ctx.Request.Header.Peek("Origin"))
	if origin == "" {
		return false
	}
	for _, o := range s.cfg.AllowedOrigins {
		if strings.EqualFold(o, origin) {
			return true
		}
	}
	host := string(ctx.Host())
	return strings.EqualFold(origin, "http://"+host) || strings.EqualFold(origin, "https://"+host)
}

// Close ends every open connection with "going away", for shutdown.
func (s *Server) Close() {
	s.closing.Store(true)
	s.system.EventStream.Unsubscribe(s.grainSub)
	s.closeAll(CloseGoingAway, "server shutting down")
	if s.poller != nil {
		s.poller.close()
	}
}

// Restart closes every connection with 1012: the node was out of the
// cluster (paused or cut off longer than its lease), the others have
// dropped its connections from the profiles they host and placed those
// profiles anew, so its clients must reconnect (to any node) and resume.
func (s *Server) Restart() {
	s.logger.Warn("closing every websocket: this node was out of the cluster")
	s.closeAll(CloseRestart, "this server left the cluster: reconnect")
}

// closeAll closes every open connection with code and reason, waiting up
// to a second for busy writers to send the close frames.
func (s *Server) closeAll(code int, reason string) {
	s.mu.RLock()
	conns := make([]*conn, 0, len(s.conns))
	for _, c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.RUnlock()
	for _, c := range conns {
		c.close(code, reason)
	}
	// Writers that were busy send their close frames within a second.
	deadline := time.Now().Add(time.Second)
	for _, c := range conns {
		for c.writingNow() && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		c.nc.Close()
	}
}

func (s *Server) track(c *conn, open bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if open {
		s.conns[c.id] = c
		s.cfg.Metrics.ConnsOpen.Inc()
	} else {
		delete(s.conns, c.id)
		s.cfg.Metrics.ConnsOpen.Dec()
	}
}

func (s *Server) conn(id string) *conn {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.conns[id]
}

func bearer(h *fasthttp.RequestHeader) string {
	v := string(h.Peek("Authorization"))
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return strings.TrimSpace(v[7:])
	}
	return ""
}

func headerHas(v []byte, token string) bool {
	for _, part := range strings.Split(string(v), ",") {
		if strings.EqualFold(strings.TrimSpace(part), token) {
			return true
		}
	}
	return false
}

func acceptKey(key string) string {
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(h[:])
}

func httpError(ctx *fasthttp.RequestCtx, status int, message string) {
	ctx.SetStatusCode(status)
	ctx.SetContentType("application/json")
	ctx.SetBody(mustJSON(map[string]string{"detail": fasthttp.StatusMessage(status), "message": message}))
}

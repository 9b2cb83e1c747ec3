package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/auth"
	"github.com/bunnybook/bunnybook/avatar"
	"github.com/bunnybook/bunnybook/metrics"
)

// Defaults of Config.
const (
	DefaultMaxBodyBytes   = 64 << 10
	DefaultReadyTimeout   = 2 * time.Second
	DefaultRequestTimeout = 10 * time.Second
)

// Check is one readiness check run by /readyz.
type Check struct {
	Name string
	// Ping returns nil when the dependency is usable.
	Ping func(ctx context.Context) error
	// Optional marks a dependency the node degrades without (a cache):
	// its state is reported, but its failure does not make /readyz 503.
	Optional bool
}

// RateLimit allows Limit requests per Window.
type RateLimit struct {
	Limit  int
	Window time.Duration
}

// Config configures the API.
type Config struct {
	// DisableRateLimits turns the per-IP rate limits off. Default false:
	// limits on.
	DisableRateLimits bool
	// RateLimits replaces the limits of some routes. Keys are
	// "METHOD /path" as in the OpenAPI document, e.g.
	// "GET /web/profiles/{profile_id}"; an empty slice means no limit.
	// Default: the original's table (spec §2), plus POST /web/login: 5
	// per second and 30 per minute.
	RateLimits map[string][]RateLimit
	// TrustProxy takes the client IP from X-Forwarded-For when the
	// socket's peer is a trusted proxy: the rightmost address there that is
	// not itself a trusted proxy (see Server.ClientIP). Set it only behind
	// proxies that append to that header. Default false: the peer address.
	TrustProxy bool
	// TrustedProxies are the address ranges of the proxies in front of
	// the server, used with TrustProxy. Default (nil):
	// DefaultTrustedProxies, loopback and the private ranges.
	TrustedProxies []netip.Prefix
	// SecureCookies marks the auth cookies Secure; set it when clients
	// reach the server over HTTPS. Default false.
	SecureCookies bool
	// ReadyChecks are run by /readyz. Default none.
	ReadyChecks []Check
	// ReadyTimeout bounds each readiness check. Default 2 s.
	ReadyTimeout time.Duration
	// RequestTimeout bounds the work of one request (its store calls);
	// past it the answer is 503. Default 10 s.
	RequestTimeout time.Duration
	// MaxBodyBytes bounds request bodies, in bytes. Default 64 KiB.
	// The fasthttp.Server's MaxRequestBodySize must be at least this.
	MaxBodyBytes int
	// Avatar renders the avatar PNG for a seed. Default avatar.PNG.
	Avatar func(seed string) ([]byte, error)
	// Metrics counts rate-limited requests. Default: counted nowhere.
	Metrics *metrics.Set
}

// Auth is what the API asks of authentication (auth.Auth implements it):
// signing in and out, and checking the credentials of each request. Errors
// are EUnauthorized for bad credentials, ERateLimited (with RetryAfter) for
// a throttled sign-in.
type Auth interface {
	// HashPassword hashes a new account's password.
	HashPassword(ctx context.Context, password string) (string, error)
	// Authenticate checks an e-mail and password and returns the account.
	Authenticate(ctx context.Context, email, password string) (*bunnybook.Account, error)
	// Login starts a session for an account; Refresh rotates one by its
	// refresh token; Logout ends the sessions of a refresh and an access token.
	Login(ctx context.Context, acc *bunnybook.Account) (*auth.Session, error)
	Refresh(ctx context.Context, refreshToken string) (*auth.Session, error)
	Logout(ctx context.Context, refreshToken, accessToken string) error
	// Check verifies an access token and that its session is live;
	// CheckCSRF checks a cookie-authenticated request's anti-CSRF token.
	Check(ctx context.Context, token string) (auth.Claims, error)
	CheckCSRF(c auth.Claims, token string) bool
}

// Server serves the REST API. Build it with New.
type Server struct {
	cfg     Config
	svc     *bunnybook.Service
	auth    Auth
	limiter bunnybook.RateLimiter
	log     *slog.Logger

	routes  []*route
	router  *router.Router
	openapi []byte // the OpenAPI document, encoded once
	docs    []byte // the /docs page, rendered once
	avatars *avatarCache
}

// New returns a Server calling svc, authenticating with a and counting
// requests in limiter (unused when rate limits are disabled).
func New(cfg Config, svc *bunnybook.Service, a Auth, limiter bunnybook.RateLimiter, logger *slog.Logger) *Server {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.ReadyTimeout <= 0 {
		cfg.ReadyTimeout = DefaultReadyTimeout
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.Avatar == nil {
		cfg.Avatar = avatar.PNG
	}
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.Discard()
	}
	if cfg.TrustedProxies == nil {
		cfg.TrustedProxies = DefaultTrustedProxies()
	}
	s := &Server{cfg: cfg, svc: svc, auth: a, limiter: limiter, log: logger, avatars: newAvatarCache(avatarCacheSize)}
	s.routes = s.routeTable()
	byKey := make(map[string]*route, len(s.routes))
	for _, rt := range s.routes {
		byKey[rt.key()] = rt
	}
	for key, limits := range cfg.RateLimits {
		rt := byKey[key]
		if rt == nil {
			panic(fmt.Sprintf("api: Config.RateLimits names no route: %q", key))
		}
		rt.limits = limits
	}
	s.router = s.newRouter()
	doc := s.document()
	s.openapi = mustJSON(doc)
	s.docs = renderDocs(doc, s.routes)
	return s
}

// Handler returns the request handler: it routes, recovers panics into
// 500s and logs every request once. The API reads no forms: serve it with
// the fasthttp.Server's DisablePreParseMultipartForm set, so that a
// multipart body is refused with 415 rather than parsed first.
func (s *Server) Handler() fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		start := time.Now()
		defer func() {
			if p := recover(); p != nil {
				s.recovered(ctx, p)
			}
			s.logRequest(ctx, start)
		}()
		ctx.Response.Header.Set("X-Content-Type-Options", "nosniff")
		if presentsCredentials(&ctx.Request.Header) {
			noStore(ctx)
		}
		s.router.Handler(ctx)
	}
}

// ErrorHandler answers requests fasthttp itself rejects (too large,
// malformed) with JSON; set it as the fasthttp.Server's ErrorHandler.
func (s *Server) ErrorHandler(ctx *fasthttp.RequestCtx, err error) {
	var e error = bunnybook.Errorf(bunnybook.EBadRequest, "malformed request")
	if isTooLarge(err) {
		e = bunnybook.Errorf(bunnybook.ETooLarge, "request body too large")
	}
	status, body := errorResponse(e, func(string) string { return inBody })
	writeJSON(ctx, status, body)
}

func (s *Server) newRouter() *router.Router {
	r := router.New()
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	for _, rt := range s.routes {
		r.Handle(rt.method, rt.path, s.endpoint(rt))
	}
	r.NotFound = func(ctx *fasthttp.RequestCtx) {
		s.fail(ctx, nil, bunnybook.Errorf(bunnybook.ENotFound, "no route for %s %s", ctx.Method(), ctx.Path()))
	}
	r.MethodNotAllowed = func(ctx *fasthttp.RequestCtx) {
		writeJSON(ctx, fasthttp.StatusMethodNotAllowed, errorBody{
			Detail:  fasthttp.StatusMessage(fasthttp.StatusMethodNotAllowed),
			Message: "allowed: " + string(ctx.Response.Header.Peek("Allow")),
		})
	}
	return r
}

// endpoint runs one route in the original's order: rate limit,
// authentication, body size, then the handler (which validates, checks
// ownership and calls the service), with the body's media type checked
// just before the handler.
func (s *Server) endpoint(rt *route) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		if rt.private {
			noStore(ctx)
		}
		deadline, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
		defer cancel()
		r := &request{RequestCtx: ctx, ctx: deadline, route: rt}
		err := s.rateLimit(r)
		if err == nil {
			err = s.authenticate(r)
		}
		if err == nil && len(ctx.Request.Body()) > s.cfg.MaxBodyBytes {
			err = bunnybook.Errorf(bunnybook.ETooLarge, "request body larger than %d bytes", s.cfg.MaxBodyBytes)
		}
		if err == nil {
			err = checkMediaType(r)
		}
		if err == nil {
			err = rt.handle(r)
		}
		if err != nil && deadline.Err() != nil {
			s.log.Warn("request timed out", "path", string(ctx.Path()), "error", err)
			err = &bunnybook.Error{Kind: bunnybook.EUnavailable, Message: "the request took too long: try again", RetryAfter: time.Second}
		}
		if err != nil {
			s.fail(ctx, rt, err)
		}
	}
}

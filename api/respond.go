package api

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bunnybook/bunnybook"
)

// errorKey is the user value under which a 5xx's error waits for the
// request log line.
const errorKey = "api.error"

func writeJSON(ctx *fasthttp.RequestCtx, status int, v any) {
	ctx.SetStatusCode(status)
	ctx.SetContentType("application/json")
	ctx.SetBody(mustJSON(v))
}

// noStore forbids caches, the browser's included, to keep the answer. The
// server sets it on every answer to a request that presents credentials
// (it may be about the caller) and on every answer of the private routes
// (sessions and accounts), errors included; a handler whose answer is the
// same for everyone may replace it (avatars).
func noStore(ctx *fasthttp.RequestCtx) {
	ctx.Response.Header.Set("Cache-Control", "no-store")
}

// ok writes a 200 JSON body.
func (r *request) ok(v any) error {
	writeJSON(r.RequestCtx, fasthttp.StatusOK, v)
	return nil
}

// okJSON writes a 200 whose body is already JSON.
func (r *request) okJSON(body []byte) error {
	r.SetStatusCode(fasthttp.StatusOK)
	r.SetContentType("application/json")
	r.SetBody(body)
	return nil
}

// created writes a 201, with a JSON body unless v is nil.
func (r *request) created(v any) error {
	if v == nil {
		r.SetStatusCode(fasthttp.StatusCreated)
		r.Response.Header.SetNoDefaultContentType(true)
		return nil
	}
	writeJSON(r.RequestCtx, fasthttp.StatusCreated, v)
	return nil
}

// noContent writes a 204.
func (r *request) noContent() error {
	r.SetStatusCode(fasthttp.StatusNoContent)
	r.Response.Header.SetNoDefaultContentType(true)
	return nil
}

// fail writes the error response for err. Internal errors keep their text
// for the log and show users only a generic message.
func (s *Server) fail(ctx *fasthttp.RequestCtx, rt *route, err error) {
	in := func(string) string { return inBody }
	if rt != nil {
		in = rt.paramIn
	}
	status, body := errorResponse(err, in)
	if status >= fasthttp.StatusInternalServerError {
		ctx.SetUserValue(errorKey, err)
	}
	if status == fasthttp.StatusUnauthorized {
		ctx.Response.Header.Set("WWW-Authenticate", `Bearer realm="bunnybook"`)
	}
	if e := bunnybook.AsError(err); e != nil && e.RetryAfter > 0 {
		ctx.Response.Header.Set("Retry-After", retryAfter(e.RetryAfter))
	}
	writeJSON(ctx, status, body)
}

// recovered turns a handler panic into a 500.
func (s *Server) recovered(ctx *fasthttp.RequestCtx, p any) {
	ctx.Response.Reset()
	noStore(ctx)
	s.fail(ctx, nil, fmt.Errorf("panic: %v\n%s", p, debug.Stack()))
}

// logRequest logs one line per request; 5xx lines carry the error.
func (s *Server) logRequest(ctx *fasthttp.RequestCtx, start time.Time) {
	status := ctx.Response.StatusCode()
	attrs := []slog.Attr{
		slog.String("method", string(ctx.Method())),
		slog.String("path", string(ctx.Path())),
		slog.Int("status", status),
		slog.Duration("duration", time.Since(start)),
		slog.String("client_ip", s.ClientIP(ctx)),
	}
	level := slog.LevelInfo
	if err, _ := ctx.UserValue(errorKey).(error); err != nil {
		level = slog.LevelError
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	s.log.LogAttrs(ctx, level, "http request", attrs...)
}

// retryAfter renders a wait as a Retry-After value: whole seconds, rounded
// up, at least 1.
func retryAfter(d time.Duration) string {
	return fmt.Sprint(max(int((d+time.Second-1)/time.Second), 1))
}

func isTooLarge(err error) bool { return errors.Is(err, fasthttp.ErrBodyTooLarge) }

// rateLimit counts the request against each of its route's limits, per
// client IP and bucket (limitBucket), stopping at the first one exceeded.
// A limiter failure lets the request through: a broken counter store must
// not take the API down.
func (s *Server) rateLimit(r *request) error {
	if s.cfg.DisableRateLimits || s.limiter == nil || len(r.route.limits) == 0 {
		return nil
	}
	bucket := s.ClientIP(r.RequestCtx) + ":" + limitBucket(r)
	for i, l := range r.route.limits {
		ok, retry, err := s.limiter.Allow(r, fmt.Sprintf("%s:%d", bucket, i), l.Limit, l.Window)
		if err != nil {
			s.log.Warn("rate limiter unavailable, request let through", "path", string(r.Path()), "error", err)
			return nil
		}
		if !ok {
			s.cfg.Metrics.RESTRateLimited.Inc()
			return &bunnybook.Error{Kind: bunnybook.ERateLimited, Message: "too many requests", RetryAfter: max(retry, time.Second)}
		}
	}
	return nil
}

// limitBucket names what a request is counted against: its route
// ("GET /web/profiles/{profile_id}") and the resource ids in its path, its
// UUID parameters lower-cased (as pathID does), so that another spelling
// of an id is the same bucket; malformed ids all share one. Free-text
// parameters, such as the avatar seed, are left out: their limit is per
// route.
func limitBucket(r *request) string {
	var b strings.Builder
	b.WriteString(r.route.key())
	for _, p := range r.route.params {
		if p.In != inPath || p.Schema == nil || p.Schema.Format != "uuid" {
			continue
		}
		raw, _ := r.UserValue(p.Name).(string)
		id, err := bunnybook.ParseID(p.Name, raw)
		if err != nil {
			id = "malformed"
		}
		b.WriteString(" " + id)
	}
	return b.String()
}

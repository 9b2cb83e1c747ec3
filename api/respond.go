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

// ok writes a 200 JSON body.
func (r *request) ok(v any) error {
	writeJSON(r.RequestCtx, fasthttp.StatusOK, v)
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
		slog.String("client_ip", s.clientIP(ctx)),
	}
	level := slog.LevelInfo
	if err, _ := ctx.UserValue(errorKey).(error); err != nil {
		level = slog.LevelError
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	s.log.LogAttrs(ctx, level, "http request", attrs...)
}

// clientIP is the rate-limit identity of the caller: the first
// X-Forwarded-For address behind a trusted proxy, else the peer address.
func (s *Server) clientIP(ctx *fasthttp.RequestCtx) string {
	if s.cfg.TrustProxy {
		if xff := ctx.Request.Header.Peek("X-Forwarded-For"); len(xff) > 0 {
			first, _, _ := strings.Cut(string(xff), ",")
			if ip := strings.TrimSpace(first); ip != "" {
				return ip
			}
		}
	}
	return ctx.RemoteIP().String()
}

// retryAfter renders a wait as a Retry-After value: whole seconds, rounded
// up, at least 1.
func retryAfter(d time.Duration) string {
	return fmt.Sprint(max(int((d+time.Second-1)/time.Second), 1))
}

func isTooLarge(err error) bool { return errors.Is(err, fasthttp.ErrBodyTooLarge) }

// rateLimit counts the request against each of its route's limits, per
// client IP and concrete path, stopping at the first one exceeded. A
// limiter failure lets the request through: a broken counter store must
// not take the API down.
func (s *Server) rateLimit(r *request) error {
	if s.cfg.DisableRateLimits || s.limiter == nil {
		return nil
	}
	for i, l := range r.route.limits {
		key := fmt.Sprintf("%s:%s:%d", s.clientIP(r.RequestCtx), r.Path(), i)
		ok, retry, err := s.limiter.Allow(r, key, l.Limit, l.Window)
		if err != nil {
			s.log.Warn("rate limiter unavailable, request let through", "path", string(r.Path()), "error", err)
			return nil
		}
		if !ok {
			secs := int((retry + time.Second - 1) / time.Second)
			r.Response.Header.Set("Retry-After", fmt.Sprint(max(secs, 1)))
			s.cfg.Metrics.RESTRateLimited.Inc()
			return bunnybook.Errorf(bunnybook.ERateLimited, "too many requests")
		}
	}
	return nil
}

package api

import (
	"bytes"
	"crypto/subtle"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/auth"
)

// How a route authenticates its caller (spec §2's "Auth" column).
type authMode int

const (
	authNone     authMode = iota // credentials are ignored
	authOptional                 // anonymous allowed; bad credentials are 401
	authRequired                 // 401 without valid credentials
	authSelf                     // required, and the path's profile_id must be the caller (403)
)

// Cookies. The access token's cookie goes with every request (Lax, so
// top-level navigations keep working); the refresh token's only to /web
// from this site; the CSRF token's is readable by the web UI's script.
const (
	accessCookie  = "access_token"
	refreshCookie = "refresh_token"
	csrfCookie    = "csrf_token"
	csrfHeader    = "X-CSRF-Token"
)

var bearerPrefix = []byte("bearer ")

// authenticate sets r.user from the Authorization header or, failing
// that, the access-token cookie. A state-changing request authenticated by
// the cookie must repeat the CSRF token in the X-CSRF-Token header.
func (s *Server) authenticate(r *request) error {
	if r.route.auth == authNone {
		return nil
	}
	token, fromCookie, err := credentials(&r.Request.Header)
	if err != nil {
		return err
	}
	if token == "" {
		if r.route.auth == authOptional {
			return nil
		}
		return bunnybook.Errorf(bunnybook.EUnauthorized, "sign in first: send an Authorization: Bearer header or the access_token cookie")
	}
	claims, err := s.auth.Check(r, token)
	if err != nil {
		return err
	}
	if fromCookie && !r.IsGet() && !r.IsHead() && !r.IsOptions() && !s.csrfOK(r, claims) {
		return bunnybook.Errorf(bunnybook.EForbidden,
			"missing or wrong %s header: cookie-authenticated requests that change something must send the csrf_token cookie's value in it", csrfHeader)
	}
	r.user = &claims.User
	return nil
}

// credentials returns the access token of a request and whether it came
// from the cookie. A present but malformed Authorization header is 401.
func credentials(h *fasthttp.RequestHeader) (token string, fromCookie bool, err error) {
	if v := bytes.TrimSpace(h.Peek("Authorization")); len(v) > 0 {
		if len(v) <= len(bearerPrefix) || !bytes.EqualFold(v[:len(bearerPrefix)], bearerPrefix) {
			return "", false, bunnybook.Errorf(bunnybook.EUnauthorized, "malformed Authorization header: want \"Bearer <token>\"")
		}
		return string(bytes.TrimSpace(v[len(bearerPrefix):])), false, nil
	}
	if c := h.Cookie(accessCookie); len(c) > 0 {
		return string(c), true, nil
	}
	return "", false, nil
}

// presentsCredentials reports whether a request carries a session: an
// Authorization header, or an access or refresh token cookie, whether or
// not the route reads them.
func presentsCredentials(h *fasthttp.RequestHeader) bool {
	return len(h.Peek("Authorization")) > 0 || len(h.Cookie(accessCookie)) > 0 || len(h.Cookie(refreshCookie)) > 0
}

// csrfOK reports whether the X-CSRF-Token header equals the csrf_token
// cookie and is the session's token (constant-time compares).
func (s *Server) csrfOK(r *request, c auth.Claims) bool {
	header := r.Request.Header.Peek(csrfHeader)
	cookie := r.Request.Header.Cookie(csrfCookie)
	if len(header) == 0 || subtle.ConstantTimeCompare(header, cookie) != 1 {
		return false
	}
	return s.auth.CheckCSRF(c, string(header))
}

// setSessionCookies hands a new session to a browser.
func (s *Server) setSessionCookies(ctx *fasthttp.RequestCtx, sess *auth.Session) {
	s.setCookie(ctx, accessCookie, sess.AccessToken, "/", true, fasthttp.CookieSameSiteLaxMode, time.Until(sess.AccessExp))
	s.setCookie(ctx, refreshCookie, sess.RefreshToken, "/web", true, fasthttp.CookieSameSiteStrictMode, time.Until(sess.RefreshExp))
	s.setCookie(ctx, csrfCookie, sess.CSRFToken, "/", false, fasthttp.CookieSameSiteStrictMode, time.Until(sess.RefreshExp))
}

// clearSessionCookies deletes every auth cookie.
func (s *Server) clearSessionCookies(ctx *fasthttp.RequestCtx) {
	s.setCookie(ctx, accessCookie, "", "/", true, fasthttp.CookieSameSiteLaxMode, -1)
	s.setCookie(ctx, refreshCookie, "", "/web", true, fasthttp.CookieSameSiteStrictMode, -1)
	s.setCookie(ctx, csrfCookie, "", "/", false, fasthttp.CookieSameSiteStrictMode, -1)
}

// setCookie sets a cookie living for life (negative: delete it).
func (s *Server) setCookie(ctx *fasthttp.RequestCtx, name, value, path string, httpOnly bool, sameSite fasthttp.CookieSameSite, life time.Duration) {
	c := fasthttp.AcquireCookie()
	defer fasthttp.ReleaseCookie(c)
	c.SetKey(name)
	c.SetValue(value)
	c.SetPath(path)
	c.SetHTTPOnly(httpOnly)
	c.SetSecure(s.cfg.SecureCookies)
	c.SetSameSite(sameSite)
	if life < 0 {
		c.SetMaxAge(-1)
		c.SetExpire(fasthttp.CookieExpireDelete)
	} else {
		c.SetMaxAge(max(int(life/time.Second), 1))
	}
	ctx.Response.Header.SetCookie(c)
}

package api_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// expiredToken forges an access token of the test secret that expired.
func expiredToken(t *testing.T, c *client) string {
	t.Helper()
	now := time.Now()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": c.ID, "iat": now.Add(-time.Hour).Unix(), "exp": now.Add(-time.Minute).Unix(),
		"user": map[string]any{"id": c.ID, "username": c.Username, "email": c.Email, "role": "USER"},
	}).SignedString(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestLogoutDeniesAccessToken: after logout, the session's access token —
// still signed and unexpired — is refused, whether logout carried it, or
// only the refresh cookie (with an expired access cookie), or only the
// Bearer token. Another session of the same user keeps working.
func TestLogoutDeniesAccessToken(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		ben := registerAndLogin(t, srv)
		json := func(c *client) *client { return c.with("Content-Type", "application/json") }

		browser := ben.cookieClient()
		access := browser.cookie("/", "access_token")
		json(browser).post("/web/logout", nil).want(http.StatusNoContent)
		srv.anonymous(t).withBearer(access).get("/web/me").wantDetail(http.StatusUnauthorized)

		browser = ben.cookieClient()
		access, refresh := browser.cookie("/", "access_token"), browser.cookie("/web", "refresh_token")
		json(srv.anonymous(t)).with("Cookie", "refresh_token="+refresh+"; access_token="+expiredToken(t, ben)).
			post("/web/logout", nil).want(http.StatusNoContent)
		srv.anonymous(t).withBearer(access).get("/web/me").wantDetail(http.StatusUnauthorized)
		srv.anonymous(t).with("Cookie", "access_token="+access).get("/web/me").wantDetail(http.StatusUnauthorized)

		api := srv.anonymous(t)
		api.Username, api.Email, api.Password = ben.Username, ben.Email, ben.Password
		bearer := api.login().AccessToken
		json(srv.anonymous(t)).withBearer(bearer).post("/web/logout", nil).want(http.StatusNoContent)
		srv.anonymous(t).withBearer(bearer).get("/web/me").wantDetail(http.StatusUnauthorized)

		ben.get("/web/me").want(http.StatusOK)
	})
}

// TestRefreshReuseDeniesAccessTokens: presenting a used refresh token again
// ends the session: the access token the legitimate refresh got is refused.
func TestRefreshReuseDeniesAccessTokens(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		browser := registerAndLogin(t, srv).cookieClient()
		used := browser.cookie("/web", "refresh_token")
		var fresh tokens
		browser.with("Content-Type", "application/json").post("/web/refresh", nil).want(http.StatusOK).decode(&fresh)
		srv.anonymous(t).with("Content-Type", "application/json").with("Cookie", "refresh_token="+used).
			post("/web/refresh", nil).wantDetail(http.StatusUnauthorized)
		srv.anonymous(t).withBearer(fresh.AccessToken).get("/web/me").wantDetail(http.StatusUnauthorized)
	})
}

// TestLoginThrottledPerAccount: after the free failures, sign-ins to that
// account get 429 with Retry-After — even with rate limits off and the
// right password — while other accounts are unaffected.
func TestLoginThrottledPerAccount(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		ben, daisy := registerAndLogin(t, srv), registerAndLogin(t, srv)
		// registerAndLogin signed in once, which reset ben's count.
		for range 6 {
			srv.anonymous(t).post("/web/login", map[string]any{"email": ben.Email, "password": "wrong-password"}).
				wantDetail(http.StatusUnauthorized)
		}
		resp := srv.anonymous(t).post("/web/login", map[string]any{"email": ben.Email, "password": ben.Password})
		resp.wantDetail(http.StatusTooManyRequests)
		if secs, err := strconv.Atoi(resp.header.Get("Retry-After")); err != nil || secs < 1 {
			t.Errorf("Retry-After %q, want whole seconds ≥ 1", resp.header.Get("Retry-After"))
		}
		daisy.login()
	})
}

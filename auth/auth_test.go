package auth_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/golang-jwt/jwt/v5"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/auth"
	"github.com/bunnybook/bunnybook/persistence/memory"
	"github.com/bunnybook/bunnybook/persistence/sqlite/sqlitetest"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

var cheap = &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

func TestNewVerifierNeedsLongSecret(t *testing.T) {
	if _, err := auth.NewVerifier(secret[:31]); err == nil {
		t.Error("31-byte secret accepted")
	}
	if _, err := auth.New(auth.Config{Secret: []byte("secret")}, nil); err == nil {
		t.Error("the original's default secret accepted")
	}
}

func TestVerify(t *testing.T) {
	v, err := auth.NewVerifier(secret)
	if err != nil {
		t.Fatal(err)
	}
	u := auth.User{ID: bunnybook.NewID(), Username: "ben", Email: "ben@b.com", Role: bunnybook.RoleUser}
	now := time.Now()
	token, err := v.Sign(u, "family-1", now, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	c, err := v.Verify(token)
	if err != nil {
		t.Fatal(err)
	}
	if c.User != u || c.SessionID != "family-1" || c.ExpiresAt.Unix() != now.Add(time.Minute).Unix() {
		t.Errorf("got %+v", c)
	}

	claims := func(mod func(jwt.MapClaims)) jwt.MapClaims {
		m := jwt.MapClaims{"sub": u.ID, "iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
			"user": map[string]any{"id": u.ID, "username": u.Username, "email": u.Email, "role": u.Role}}
		if mod != nil {
			mod(m)
		}
		return m
	}
	sign := func(m jwt.SigningMethod, key any, c jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	bad := []struct{ name, token string }{
		{"empty", ""},
		{"garbage", "garbage"},
		{"truncated", token[:len(token)-4]},
		{"other secret", sign(jwt.SigningMethodHS256, []byte(strings.Repeat("x", 32)), claims(nil))},
		{"HS384", sign(jwt.SigningMethodHS384, secret, claims(nil))},
		{"none", sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil))},
		{"expired", sign(jwt.SigningMethodHS256, secret, claims(func(m jwt.MapClaims) { m["exp"] = now.Add(-time.Second).Unix() }))},
		{"no exp", sign(jwt.SigningMethodHS256, secret, claims(func(m jwt.MapClaims) { delete(m, "exp") }))},
		{"no iat", sign(jwt.SigningMethodHS256, secret, claims(func(m jwt.MapClaims) { delete(m, "iat") }))},
		{"issued in the future", sign(jwt.SigningMethodHS256, secret, claims(func(m jwt.MapClaims) { m["iat"] = now.Add(time.Hour).Unix() }))},
		{"no user", sign(jwt.SigningMethodHS256, secret, claims(func(m jwt.MapClaims) { delete(m, "user") }))},
		{"user is not an object", sign(jwt.SigningMethodHS256, secret, claims(func(m jwt.MapClaims) { m["user"] = "ben" }))},
		{"sub is not the user", sign(jwt.SigningMethodHS256, secret, claims(func(m jwt.MapClaims) { m["sub"] = bunnybook.NewID() }))},
		{"user id not a UUID", sign(jwt.SigningMethodHS256, secret, claims(func(m jwt.MapClaims) {
			m["sub"] = "admin"
			m["user"] = map[string]any{"id": "admin"}
		}))},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := v.Verify(tc.token); bunnybook.ErrorKind(err) != bunnybook.EUnauthorized {
				t.Errorf("got %v, want an %s error", err, bunnybook.EUnauthorized)
			}
		})
	}
}

func TestCSRFToken(t *testing.T) {
	v, _ := auth.NewVerifier(secret)
	a, b := v.CSRFToken("family-a"), v.CSRFToken("family-b")
	if a == b || a != v.CSRFToken("family-a") || len(a) < 40 {
		t.Errorf("tokens %q, %q", a, b)
	}
	cases := []struct {
		session, token string
		want           bool
	}{
		{"family-a", a, true},
		{"family-a", b, false},
		{"family-a", "", false},
		{"", v.CSRFToken(""), false},
	}
	for _, tc := range cases {
		if got := v.CheckCSRF(auth.Claims{SessionID: tc.session}, tc.token); got != tc.want {
			t.Errorf("CheckCSRF(%q, %q) = %v, want %v", tc.session, tc.token, got, tc.want)
		}
	}
}

// newAuth returns an Auth on a fresh SQLite store, with one account.
func newAuth(t *testing.T, params *argon2id.Params) (*auth.Auth, *bunnybook.Account) {
	return newAuthWith(t, auth.Config{Argon2: params})
}

// ended records the sessions an Auth said ended.
type ended struct {
	mu       sync.Mutex
	sessions []string // "profile/session"
}

func (e *ended) add(_ context.Context, profileID, sessionID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sessions = append(e.sessions, profileID+"/"+sessionID)
}

func (e *ended) list() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.sessions)
}

// newAuthWith returns an Auth configured by cfg (with the test secret and
// in-memory deny-list and throttle unless set) on a fresh SQLite store,
// with one account.
func newAuthWith(t testing.TB, cfg auth.Config) (*auth.Auth, *bunnybook.Account) {
	t.Helper()
	db := sqlitetest.MustOpen(t)
	cfg.Secret = secret
	if cfg.Revocations == nil {
		cfg.Revocations = memory.NewRevocations()
	}
	if cfg.Attempts == nil {
		cfg.Attempts = memory.NewAttempts()
	}
	a, err := auth.New(cfg, db)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	hash, err := a.HashPassword(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	acc := &bunnybook.Account{Profile: bunnybook.Profile{Username: "ben"}, Email: "ben@bunnybook.com", PasswordHash: hash}
	if err := bunnybook.NewService(db, db, nil).Register(ctx, acc); err != nil {
		t.Fatal(err)
	}
	return a, acc
}

func TestPasswordsUseOWASPArgon2id(t *testing.T) {
	a, acc := newAuth(t, nil)
	if !strings.HasPrefix(acc.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q", acc.PasswordHash)
	}
	ctx := context.Background()
	got, err := a.Authenticate(ctx, "BEN@bunnybook.com", "correct horse")
	if err != nil || got.ID != acc.ID {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, tc := range [][2]string{{"ben@bunnybook.com", "wrong horse"}, {"nobody@bunnybook.com", "correct horse"}} {
		if _, err := a.Authenticate(ctx, tc[0], tc[1]); bunnybook.ErrorKind(err) != bunnybook.EUnauthorized {
			t.Errorf("%v: got %v, want unauthorized", tc, err)
		}
	}
}

func TestSessions(t *testing.T) {
	a, acc := newAuth(t, cheap)
	ctx := context.Background()
	s1, err := a.Login(ctx, acc)
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.Verify(s1.AccessToken)
	if err != nil || c.User.ID != acc.ID || c.User.Email != acc.Email || c.User.Role != bunnybook.RoleUser {
		t.Fatalf("access token claims %+v, %v", c, err)
	}
	if d := time.Until(s1.AccessExp); d < 14*time.Minute || d > 15*time.Minute {
		t.Errorf("access token lives %v", d)
	}
	if d := time.Until(s1.RefreshExp); d < 13*24*time.Hour || d > 14*24*time.Hour {
		t.Errorf("refresh token lives %v", d)
	}
	if !a.CheckCSRF(c, s1.CSRFToken) {
		t.Error("login's CSRF token does not match its access token")
	}

	s2, err := a.Refresh(ctx, s1.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if s2.RefreshToken == s1.RefreshToken || s2.CSRFToken != s1.CSRFToken || s2.User != s1.User {
		t.Errorf("refresh: %+v after %+v", s2, s1)
	}
	unauthorized := func(step string, err error) {
		t.Helper()
		if bunnybook.ErrorKind(err) != bunnybook.EUnauthorized {
			t.Errorf("%s: got %v, want unauthorized", step, err)
		}
	}
	_, err = a.Refresh(ctx, s1.RefreshToken)
	unauthorized("reuse", err)
	_, err = a.Refresh(ctx, s2.RefreshToken)
	unauthorized("newer token after reuse", err)
	_, err = a.Refresh(ctx, "not a token")
	unauthorized("malformed", err)

	s3, err := a.Login(ctx, acc)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Logout(ctx, s3.RefreshToken, ""); err != nil {
		t.Fatal(err)
	}
	_, err = a.Refresh(ctx, s3.RefreshToken)
	unauthorized("after logout", err)
	if err := a.Logout(ctx, s3.RefreshToken, s3.AccessToken); err != nil {
		t.Errorf("second logout: %v", err)
	}
	if err := a.Logout(ctx, "garbage", "garbage"); err != nil {
		t.Errorf("logout with garbage: %v", err)
	}
	// The stored hash is the SHA-256 of the token, never the token.
	if h := auth.HashRefreshToken(s3.RefreshToken); len(h) != 64 || strings.Contains(h, s3.RefreshToken) {
		t.Errorf("hash %q", h)
	}
}

// The two benchmarks cost the same: a login with an unknown e-mail still
// spends one password comparison, so timing does not reveal accounts.
func BenchmarkAuthenticateKnownEmail(b *testing.B) {
	benchmarkAuthenticate(b, "ben@bunnybook.com")
}

func BenchmarkAuthenticateUnknownEmail(b *testing.B) {
	benchmarkAuthenticate(b, "nobody@bunnybook.com")
}

func benchmarkAuthenticate(b *testing.B, email string) {
	// No throttle here: every attempt hashes.
	a, _ := newAuthWith(b, auth.Config{LoginBackoff: &bunnybook.Backoff{Free: 1 << 30}})
	ctx := context.Background()
	for b.Loop() {
		a.Authenticate(ctx, email, "wrong horse")
	}
}

// TestEndedSessionsAreDenied: logout (by refresh token or by access token)
// and refresh-token reuse deny the session's access tokens at once, though
// they are still signed and unexpired, and report the session as ended.
func TestEndedSessionsAreDenied(t *testing.T) {
	var gone ended
	a, acc := newAuthWith(t, auth.Config{Argon2: cheap, SessionEnded: gone.add})
	ctx := context.Background()
	login := func() (*auth.Session, string) {
		t.Helper()
		s, err := a.Login(ctx, acc)
		if err != nil {
			t.Fatal(err)
		}
		c, err := a.Check(ctx, s.AccessToken)
		if err != nil {
			t.Fatalf("Check of a fresh token: %v", err)
		}
		return s, acc.ID + "/" + c.SessionID
	}
	denied := func(step, token string) {
		t.Helper()
		if _, err := a.Check(ctx, token); bunnybook.ErrorKind(err) != bunnybook.EUnauthorized {
			t.Errorf("%s: Check = %v, want unauthorized", step, err)
		}
		if _, err := a.Verify(token); err != nil {
			t.Errorf("%s: the token itself should still verify: %v", step, err)
		}
	}

	byCookie, session1 := login()
	other, _ := login()
	if err := a.Logout(ctx, byCookie.RefreshToken, ""); err != nil {
		t.Fatal(err)
	}
	denied("logout by refresh token", byCookie.AccessToken)
	if _, err := a.Check(ctx, other.AccessToken); err != nil {
		t.Errorf("another session of the same account: Check = %v, want ok", err)
	}

	byBearer, session2 := login()
	if err := a.Logout(ctx, "", byBearer.AccessToken); err != nil {
		t.Fatal(err)
	}
	denied("logout by access token", byBearer.AccessToken)
	if _, err := a.Refresh(ctx, byBearer.RefreshToken); bunnybook.ErrorKind(err) != bunnybook.EUnauthorized {
		t.Errorf("refresh after logout by access token: %v, want unauthorized", err)
	}

	stolen, session3 := login()
	fresh, err := a.Refresh(ctx, stolen.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Refresh(ctx, stolen.RefreshToken); bunnybook.ErrorKind(err) != bunnybook.EUnauthorized {
		t.Fatalf("reuse: %v, want unauthorized", err)
	}
	denied("reuse, old access token", stolen.AccessToken)
	denied("reuse, rotated access token", fresh.AccessToken)

	if got, want := gone.list(), []string{session1, session2, session3}; !slices.Equal(got, want) {
		t.Errorf("ended sessions %v, want %v", got, want)
	}
}

// TestLoginThrottle: sign-ins to one account back off after the free
// failures, with a retry time, before any password is checked (so even the
// right password waits), and a success resets the count.
func TestLoginThrottle(t *testing.T) {
	backoff := bunnybook.Backoff{Free: 2, Base: 300 * time.Millisecond, Max: time.Minute, Forget: time.Minute}
	a, acc := newAuthWith(t, auth.Config{Argon2: cheap, LoginBackoff: &backoff})
	ctx := context.Background()
	try := func(email, password, want string) *bunnybook.Error {
		t.Helper()
		_, err := a.Authenticate(ctx, email, password)
		if got := bunnybook.ErrorKind(err); got != want {
			t.Fatalf("Authenticate(%s, %s) = %v, want %q", email, password, err, want)
		}
		return bunnybook.AsError(err)
	}
	for range 3 { // two free failures, then one that locks
		try(acc.Email, "wrong", bunnybook.EUnauthorized)
	}
	e := try("BEN@bunnybook.com", "correct horse", bunnybook.ERateLimited)
	if e.RetryAfter <= 0 || e.RetryAfter > backoff.Base {
		t.Errorf("RetryAfter %v, want within (0, %v]", e.RetryAfter, backoff.Base)
	}
	try("nobody@bunnybook.com", "x", bunnybook.EUnauthorized) // another account is not locked

	time.Sleep(e.RetryAfter)
	try(acc.Email, "correct horse", "") // the lock ended; success resets
	for range 2 {
		try(acc.Email, "wrong", bunnybook.EUnauthorized)
	}
}

// TestVerifyRemembersOnlyTheSameToken: a token verified once is not parsed
// again, but only the very same bytes hit, and never past their expiry.
func TestVerifyRemembersOnlyTheSameToken(t *testing.T) {
	v, err := auth.NewVerifier(secret)
	if err != nil {
		t.Fatal(err)
	}
	u := auth.User{ID: bunnybook.NewID(), Username: "ben", Role: bunnybook.RoleUser}
	now := time.Now()
	token, err := v.Sign(u, "s", now, now.Add(1100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := v.Verify(token); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	}
	forged := token[:len(token)-2] + "AA"
	if forged != token {
		if _, err := v.Verify(forged); bunnybook.ErrorKind(err) != bunnybook.EUnauthorized {
			t.Errorf("a token with another signature: %v, want unauthorized", err)
		}
	}
	time.Sleep(time.Until(now.Add(2 * time.Second)))
	if _, err := v.Verify(token); bunnybook.ErrorKind(err) != bunnybook.EUnauthorized {
		t.Errorf("the remembered token after its expiry: %v, want unauthorized", err)
	}
}

// TestVerifyOnceDoesNotRemember: a token checked for a websocket upgrade
// is parsed (allocating) every time and not kept, while one checked with
// Verify is then answered from memory.
func TestVerifyOnceDoesNotRemember(t *testing.T) {
	v, err := auth.NewVerifier(secret)
	if err != nil {
		t.Fatal(err)
	}
	u := auth.User{ID: bunnybook.NewID(), Username: "ben", Role: bunnybook.RoleUser}
	token, err := v.Sign(u, "s", time.Now(), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.VerifyOnce(token); err != nil {
		t.Fatalf("VerifyOnce: %v", err)
	}
	if a := testing.AllocsPerRun(20, func() { v.VerifyOnce(token) }); a < 5 {
		t.Errorf("VerifyOnce allocates %.0f times per call: the token was remembered", a)
	}
	v.Verify(token)
	if a := testing.AllocsPerRun(20, func() { v.VerifyOnce(token) }); a > 1 {
		t.Errorf("VerifyOnce of a token Verify remembered allocates %.0f times per call, want none", a)
	}
}

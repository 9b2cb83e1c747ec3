package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/alexedwards/argon2id"

	"github.com/bunnybook/bunnybook"
)

// Defaults of Config.
const (
	DefaultAccessTTL  = 15 * time.Minute
	DefaultRefreshTTL = 14 * 24 * time.Hour
)

// OWASPParams are the argon2id parameters OWASP recommends as a minimum:
// 19 MiB of memory, 2 iterations, 1 lane.
var OWASPParams = argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Config configures Auth.
type Config struct {
	// Secret is the HMAC key of access and CSRF tokens; at least
	// MinSecretLen bytes. Required.
	Secret []byte
	// AccessTTL is the life of an access token. Default 15 minutes.
	AccessTTL time.Duration
	// RefreshTTL is the life of a refresh token; each refresh starts a new
	// one (sliding session). Default 14 days.
	RefreshTTL time.Duration
	// Argon2 is the password hashing cost. Default OWASPParams; tests may
	// use cheaper ones.
	Argon2 *argon2id.Params
	// Revocations is the deny-list of ended sessions that Check consults and
	// Logout and refresh-token reuse add to. Required.
	Revocations bunnybook.Revocations
	// Attempts throttles sign-ins per account (always on: it is not a
	// per-IP limit). Required.
	Attempts bunnybook.AttemptLimiter
	// LoginBackoff is the per-account sign-in throttle. Default
	// DefaultLoginBackoff.
	LoginBackoff *bunnybook.Backoff
	// SessionEnded, when set, is told of every session that ended (logout,
	// reuse), to close its open websockets on every node.
	SessionEnded func(ctx context.Context, profileID, sessionID string)
}

// DefaultLoginBackoff lets five sign-ins to one account in a row fail
// freely; each failure after that locks the account's sign-in for 1 s, then
// 2 s, 4 s … up to 15 minutes. A success resets it; failures are forgotten
// an hour after the last lock.
var DefaultLoginBackoff = bunnybook.Backoff{Free: 5, Base: time.Second, Max: 15 * time.Minute, Forget: time.Hour}

// Store is what Auth reads and writes: refresh tokens, and accounts to
// sign in and to put in new access tokens. bunnybook.Store implements it.
type Store interface {
	bunnybook.TokenStore
	AccountByEmail(ctx context.Context, email string) (*bunnybook.Account, error)
	AccountByUsername(ctx context.Context, username string) (*bunnybook.Account, error)
	Profile(ctx context.Context, id string) (*bunnybook.Profile, error)
}

// Session is what a successful login or refresh hands to the client.
type Session struct {
	User         User
	AccessToken  string
	AccessExp    time.Time
	RefreshToken string // opaque; only its SHA-256 is stored
	RefreshExp   time.Time
	CSRFToken    string
}

// Auth hashes and checks passwords and issues, rotates and revokes
// sessions. It is safe for concurrent use.
type Auth struct {
	*Verifier
	store      Store
	accessTTL  time.Duration
	refreshTTL time.Duration
	params     argon2id.Params
	// dummyHash is compared against when an e-mail is unknown, so that a
	// failed login costs the same whether or not the account exists.
	dummyHash string
	// hashing bounds concurrent argon2 computations (each holds
	// params.Memory KiB) to keep a login burst from exhausting memory.
	hashing chan struct{}

	revocations  bunnybook.Revocations
	attempts     bunnybook.AttemptLimiter
	loginBackoff bunnybook.Backoff
	sessionEnded func(ctx context.Context, profileID, sessionID string)
}

// New returns an Auth keeping refresh tokens in store.
func New(cfg Config, store Store) (*Auth, error) {
	v, err := NewVerifier(cfg.Secret)
	if err != nil {
		return nil, err
	}
	if cfg.Revocations == nil || cfg.Attempts == nil {
		return nil, errors.New("auth: Config.Revocations and Config.Attempts are required")
	}
	a := &Auth{
		Verifier:     v,
		store:        store,
		accessTTL:    cfg.AccessTTL,
		refreshTTL:   cfg.RefreshTTL,
		params:       OWASPParams,
		hashing:      make(chan struct{}, 2*runtime.GOMAXPROCS(0)),
		revocations:  cfg.Revocations,
		attempts:     cfg.Attempts,
		loginBackoff: DefaultLoginBackoff,
		sessionEnded: cfg.SessionEnded,
	}
	if cfg.LoginBackoff != nil {
		a.loginBackoff = *cfg.LoginBackoff
	}
	if a.accessTTL <= 0 {
		a.accessTTL = DefaultAccessTTL
	}
	if a.refreshTTL <= 0 {
		a.refreshTTL = DefaultRefreshTTL
	}
	if cfg.Argon2 != nil {
		a.params = *cfg.Argon2
	}
	if a.dummyHash, err = argon2id.CreateHash(randomToken(), &a.params); err != nil {
		return nil, fmt.Errorf("auth: dummy hash: %w", err)
	}
	return a, nil
}

// AccessTTL returns the life of an access token.
func (a *Auth) AccessTTL() time.Duration { return a.accessTTL }

// RefreshTTL returns the life of a refresh token.
func (a *Auth) RefreshTTL() time.Duration { return a.refreshTTL }

// HashPassword returns the PHC-encoded argon2id hash of password.
func (a *Auth) HashPassword(ctx context.Context, password string) (string, error) {
	if err := a.acquire(ctx); err != nil {
		return "", err
	}
	defer a.release()
	h, err := argon2id.CreateHash(password, &a.params)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// Authenticate returns the account with that e-mail if password matches
// it. An unknown e-mail and a wrong password are the same EUnauthorized
// error and take the same time. Sign-ins to one e-mail are throttled
// (LoginBackoff): a locked one is ERateLimited with RetryAfter set, before
// any password is hashed.
func (a *Auth) Authenticate(ctx context.Context, email, password string) (*bunnybook.Account, error) {
	email = strings.ToLower(email)
	key := "login:" + email
	wait, err := a.attempts.Attempt(ctx, key, a.loginBackoff)
	if err != nil {
		return nil, fmt.Errorf("count sign-in attempt: %w", err)
	}
	if wait > 0 {
		return nil, &bunnybook.Error{Kind: bunnybook.ERateLimited, RetryAfter: wait,
			Message: "too many failed sign-ins to this account: try again later"}
	}
	acc, err := a.store.AccountByEmail(ctx, email)
	hash := a.dummyHash
	switch kind := bunnybook.ErrorKind(err); kind {
	case "":
		hash = acc.PasswordHash
	case bunnybook.ENotFound:
		acc = nil
	default:
		return nil, fmt.Errorf("load account: %w", err)
	}
	ok, err := a.compare(ctx, password, hash)
	if err != nil {
		return nil, err
	}
	if !ok || acc == nil {
		return nil, bunnybook.Errorf(bunnybook.EUnauthorized, "invalid email/password combination")
	}
	if err := a.attempts.Reset(ctx, key); err != nil {
		return nil, fmt.Errorf("reset sign-in attempts: %w", err)
	}
	return acc, nil
}

func (a *Auth) compare(ctx context.Context, password, hash string) (bool, error) {
	if err := a.acquire(ctx); err != nil {
		return false, err
	}
	defer a.release()
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	if err != nil {
		return false, fmt.Errorf("compare password: %w", err)
	}
	return ok, nil
}

func (a *Auth) acquire(ctx context.Context) error {
	select {
	case a.hashing <- struct{}{}:
		return nil
	case <-ctx.Done():
		return bunnybook.Errorf(bunnybook.EUnavailable, "server busy, try again")
	}
}

func (a *Auth) release() { <-a.hashing }

// Login starts a new session (a new refresh-token family) for acc.
func (a *Auth) Login(ctx context.Context, acc *bunnybook.Account) (*Session, error) {
	now := time.Now()
	token := randomToken()
	rt := &bunnybook.RefreshToken{
		ID:        bunnybook.NewID(),
		FamilyID:  bunnybook.NewID(),
		ProfileID: acc.ID,
		Hash:      HashRefreshToken(token),
		IssuedAt:  bunnybook.At(now),
		ExpiresAt: bunnybook.At(now.Add(a.refreshTTL)),
	}
	if err := a.store.CreateRefreshToken(ctx, rt); err != nil {
		return nil, fmt.Errorf("store refresh token: %w", err)
	}
	return a.session(UserOf(acc), rt.FamilyID, token, now)
}

// Refresh rotates a refresh token: the presented token is used up and a
// session with a new refresh token of the same family is returned.
// Unknown, expired, revoked and reused tokens are EUnauthorized; reuse also
// ends the whole session (see Logout).
func (a *Auth) Refresh(ctx context.Context, refreshToken string) (*Session, error) {
	if !wellFormedToken(refreshToken) {
		return nil, bunnybook.Errorf(bunnybook.EUnauthorized, "invalid refresh token")
	}
	now := time.Now()
	token := randomToken()
	next := &bunnybook.RefreshToken{
		ID:        bunnybook.NewID(),
		Hash:      HashRefreshToken(token),
		IssuedAt:  bunnybook.At(now),
		ExpiresAt: bunnybook.At(now.Add(a.refreshTTL)),
	}
	old, err := a.store.RotateRefreshToken(ctx, HashRefreshToken(refreshToken), next, bunnybook.At(now))
	if err != nil && old != nil { // reuse: the store revoked the family
		if err := a.endSession(ctx, old.ProfileID, old.FamilyID); err != nil {
			return nil, err
		}
	}
	if err != nil {
		return nil, err
	}
	if next.FamilyID == "" {
		next.FamilyID = old.FamilyID
	}
	acc, err := a.account(ctx, old.ProfileID)
	if err != nil {
		return nil, err
	}
	return a.session(UserOf(acc), next.FamilyID, token, now)
}

// account loads the account of a profile id for a new access token.
func (a *Auth) account(ctx context.Context, profileID string) (*bunnybook.Account, error) {
	p, err := a.store.Profile(ctx, profileID)
	if err == nil {
		var acc *bunnybook.Account
		if acc, err = a.store.AccountByUsername(ctx, p.Username); err == nil {
			return acc, nil
		}
	}
	if bunnybook.ErrorKind(err) == bunnybook.ENotFound {
		return nil, bunnybook.Errorf(bunnybook.EUnauthorized, "account no longer exists")
	}
	return nil, fmt.Errorf("load account %s: %w", profileID, err)
}

// Logout ends the session of a refresh token and the session of an access
// token (a browser sends both cookies; an API client may have only its
// Bearer token; either may be empty, expired or unknown): their refresh
// tokens are revoked, their access tokens denied until they expire, their
// websockets closed. Logging out twice is fine.
func (a *Auth) Logout(ctx context.Context, refreshToken, accessToken string) error {
	now := bunnybook.Now()
	if wellFormedToken(refreshToken) {
		t, err := a.store.RevokeRefreshFamily(ctx, HashRefreshToken(refreshToken), now)
		if err != nil {
			return fmt.Errorf("revoke refresh family: %w", err)
		}
		if t != nil {
			if err := a.endSession(ctx, t.ProfileID, t.FamilyID); err != nil {
				return err
			}
		}
	}
	if c, err := a.Verify(accessToken); err == nil && c.SessionID != "" {
		if err := a.store.RevokeSession(ctx, c.SessionID, now); err != nil {
			return fmt.Errorf("revoke session: %w", err)
		}
		return a.endSession(ctx, c.User.ID, c.SessionID)
	}
	return nil
}

// endSession denies a session's access tokens for as long as any of them
// can live and closes its websockets.
func (a *Auth) endSession(ctx context.Context, profileID, sessionID string) error {
	if err := a.revocations.Revoke(ctx, sessionID, a.accessTTL); err != nil {
		return fmt.Errorf("deny session: %w", err)
	}
	if a.sessionEnded != nil {
		a.sessionEnded(ctx, profileID, sessionID)
	}
	return nil
}

// Check verifies an access token (see Verify) and that its session was not
// ended: a revoked session's token is EUnauthorized.
func (a *Auth) Check(ctx context.Context, token string) (Claims, error) {
	return a.check(ctx, token, a.Verify)
}

// CheckOnce is Check for a token presented once (a websocket upgrade): the
// token is not remembered (see Verifier.VerifyOnce).
func (a *Auth) CheckOnce(ctx context.Context, token string) (Claims, error) {
	return a.check(ctx, token, a.VerifyOnce)
}

func (a *Auth) check(ctx context.Context, token string, verify func(string) (Claims, error)) (Claims, error) {
	c, err := verify(token)
	if err != nil || c.SessionID == "" {
		return c, err
	}
	revoked, err := a.revocations.Revoked(ctx, c.SessionID)
	if err != nil {
		return Claims{}, fmt.Errorf("check session: %w", err)
	}
	if revoked {
		return Claims{}, bunnybook.Errorf(bunnybook.EUnauthorized, "this session has ended: sign in again")
	}
	return c, nil
}

func (a *Auth) session(u User, family, refresh string, now time.Time) (*Session, error) {
	exp := now.Add(a.accessTTL)
	access, err := a.Sign(u, family, now, exp)
	if err != nil {
		return nil, err
	}
	return &Session{
		User:         u,
		AccessToken:  access,
		AccessExp:    exp,
		RefreshToken: refresh,
		RefreshExp:   now.Add(a.refreshTTL),
		CSRFToken:    a.CSRFToken(family),
	}, nil
}

// refreshTokenLen is the length of a refresh token: 32 random bytes in
// unpadded base64url.
const refreshTokenLen = 43

// randomToken returns 32 random bytes in unpadded base64url.
func randomToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func wellFormedToken(s string) bool {
	if len(s) != refreshTokenLen {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// HashRefreshToken returns the hex SHA-256 under which a refresh token is stored.
func HashRefreshToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

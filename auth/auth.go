package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
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
}

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
}

// New returns an Auth keeping refresh tokens in store.
func New(cfg Config, store Store) (*Auth, error) {
	v, err := NewVerifier(cfg.Secret)
	if err != nil {
		return nil, err
	}
	a := &Auth{
		Verifier:   v,
		store:      store,
		accessTTL:  cfg.AccessTTL,
		refreshTTL: cfg.RefreshTTL,
		params:     OWASPParams,
		hashing:    make(chan struct{}, 2*runtime.GOMAXPROCS(0)),
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
// error and take the same time.
func (a *Auth) Authenticate(ctx context.Context, email, password string) (*bunnybook.Account, error) {
	acc, err := a.store.AccountByEmail(ctx, strings.ToLower(email))
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
// Unknown, expired, revoked and reused tokens are EUnauthorized (reuse
// also revokes the whole family, in the store).
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

// Logout revokes the whole family of a refresh token. Unknown or malformed
// tokens are not an error: logging out twice is fine.
func (a *Auth) Logout(ctx context.Context, refreshToken string) error {
	if !wellFormedToken(refreshToken) {
		return nil
	}
	if err := a.store.RevokeRefreshFamily(ctx, HashRefreshToken(refreshToken), bunnybook.Now()); err != nil {
		return fmt.Errorf("revoke refresh family: %w", err)
	}
	return nil
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

package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/bunnybook/bunnybook"
)

// MinSecretLen is the shortest HMAC secret accepted, in bytes.
const MinSecretLen = 32

// User is the account an access token speaks for (the original's "user" claim).
type User struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Email    string `json:"email"`
	Role     string `json:"role"`
}

// Profile returns the public face of u.
func (u User) Profile() bunnybook.Profile {
	return bunnybook.Profile{ID: u.ID, Username: u.Username}
}

// UserOf returns the token subject for an account.
func UserOf(a *bunnybook.Account) User {
	return User{ID: a.ID, Username: a.Username, Email: a.Email, Role: a.Role}
}

// Claims is what a verified access token says.
type Claims struct {
	User      User
	SessionID string // the refresh-token family the token was issued with
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// jwtClaims is the wire form of an access token: the registered claims
// (iat, exp, sub), the original's "user" object, and the session id.
type jwtClaims struct {
	jwt.RegisteredClaims
	User User   `json:"user"`
	SID  string `json:"sid,omitempty"`
}

// Verifier signs and checks access tokens with one HMAC secret. It is safe
// for concurrent use.
type Verifier struct {
	secret []byte
	parser *jwt.Parser

	// verified remembers the claims of tokens it checked, until they expire:
	// a client presents the same token on every request, and parsing one
	// (base64 and JSON) cost a third of a cached REST read. The key is the
	// whole token, signature included, so only the very same bytes hit.
	mu       sync.Mutex // guards verified
	verified map[string]Claims
}

// verifiedMax bounds the remembered tokens; when full, they are all
// forgotten (and verified again on their next use).
const verifiedMax = 50_000

// NewVerifier returns a Verifier for secret, which must be at least
// MinSecretLen bytes.
func NewVerifier(secret []byte) (*Verifier, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("auth: secret must be at least %d bytes, got %d", MinSecretLen, len(secret))
	}
	return &Verifier{
		verified: map[string]Claims{},
		secret:   append([]byte(nil), secret...),
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
		),
	}, nil
}

// Verify checks an access token's signature, algorithm and expiry and
// returns its claims. Every failure is an EUnauthorized error.
func (v *Verifier) Verify(token string) (Claims, error) {
	v.mu.Lock()
	c, ok := v.verified[token]
	v.mu.Unlock()
	if ok && time.Now().Before(c.ExpiresAt) {
		return c, nil
	}
	c, err := v.parse(token)
	if err != nil {
		return Claims{}, err
	}
	v.mu.Lock()
	if len(v.verified) >= verifiedMax {
		clear(v.verified)
	}
	v.verified[token] = c
	v.mu.Unlock()
	return c, nil
}

// VerifyOnce is Verify for a token presented once (a websocket upgrade):
// it is checked but not remembered, so that long-lived connections do not
// keep their tokens and claims in memory.
func (v *Verifier) VerifyOnce(token string) (Claims, error) {
	v.mu.Lock()
	c, ok := v.verified[token]
	v.mu.Unlock()
	if ok && time.Now().Before(c.ExpiresAt) {
		return c, nil
	}
	return v.parse(token)
}

// parse checks a token and returns its claims.
func (v *Verifier) parse(token string) (Claims, error) {
	var c jwtClaims
	_, err := v.parser.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return v.secret, nil })
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return Claims{}, bunnybook.Errorf(bunnybook.EUnauthorized, "access token expired")
	case err != nil:
		return Claims{}, bunnybook.Errorf(bunnybook.EUnauthorized, "invalid access token")
	case !bunnybook.ValidID(c.User.ID) || c.Subject != c.User.ID || c.IssuedAt == nil:
		return Claims{}, bunnybook.Errorf(bunnybook.EUnauthorized, "invalid access token")
	}
	return Claims{
		User:      c.User,
		SessionID: c.SID,
		IssuedAt:  c.IssuedAt.Time,
		ExpiresAt: c.ExpiresAt.Time,
	}, nil
}

// Sign issues an access token for u, valid from iat until exp, bound to
// session (a refresh-token family id, "" for none).
func (v *Verifier) Sign(u User, session string, iat, exp time.Time) (string, error) {
	c := jwtClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   u.ID,
			IssuedAt:  jwt.NewNumericDate(iat),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
		User: u,
		SID:  session,
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(v.secret)
	if err != nil {
		return "", fmt.Errorf("sign access token: %w", err)
	}
	return s, nil
}

// CSRFToken returns the anti-CSRF token of a session: an HMAC of its id,
// so it stays the same across refreshes and cannot be forged for another
// session.
func (v *Verifier) CSRFToken(session string) string {
	m := hmac.New(sha256.New, v.secret)
	m.Write([]byte("csrf\x00" + session))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckCSRF reports whether token is the anti-CSRF token of the session
// claims belong to (constant time).
func (v *Verifier) CheckCSRF(c Claims, token string) bool {
	if c.SessionID == "" || token == "" {
		return false
	}
	return hmac.Equal([]byte(v.CSRFToken(c.SessionID)), []byte(token))
}

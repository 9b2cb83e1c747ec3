package bunnybook

import "context"

// Roles an account can have. Only RoleUser is given out today.
const (
	RoleUser  = "USER"
	RoleAdmin = "ADMIN"
)

// Profile is the public face of an account.
type Profile struct {
	ID       string `json:"id"`
	Username string `json:"username"`
}

// Account is a profile with its private sign-in data.
type Account struct {
	Profile
	Email        string `json:"email"` // lower-cased
	PasswordHash string `json:"-"`     // PHC-encoded hash, never shown
	Role         string `json:"role"`
	// AvatarSeed is the identifier the account's avatar is drawn from.
	AvatarSeed   string `json:"-"`
	RegisteredAt Time   `json:"-"`
}

// ProfileStore keeps accounts. The relational store is the source of truth
// for profiles.
type ProfileStore interface {
	// CreateAccount inserts a. A taken e-mail or username is an EConflict
	// with Code EmailAlreadyTaken / UsernameAlreadyTaken and Field email /
	// username; nothing is written then.
	CreateAccount(ctx context.Context, a *Account) error
	// AccountByEmail returns the account with that (lower-cased) e-mail, or ENotFound.
	AccountByEmail(ctx context.Context, email string) (*Account, error)
	// AccountByUsername returns the account with exactly that username, or ENotFound.
	AccountByUsername(ctx context.Context, username string) (*Account, error)
	// Profile returns the profile with that id, or ENotFound.
	Profile(ctx context.Context, id string) (*Profile, error)
	// SearchProfiles returns up to limit profiles whose username contains
	// query, case-insensitively (query is literal text: % and _ match
	// themselves). Usernames starting with query come first, then by username.
	SearchProfiles(ctx context.Context, query string, limit int) ([]Profile, error)
}

// RefreshToken is one link of a refresh-token family. Only the SHA-256 of
// the token is stored. Using a token rotates it: it is marked rotated and a
// new token of the same family is issued. Presenting a rotated token again
// is reuse, and revokes the whole family.
type RefreshToken struct {
	ID        string
	FamilyID  string
	ProfileID string
	Hash      string // hex SHA-256 of the token given to the client
	IssuedAt  Time
	ExpiresAt Time
	RotatedAt *Time
	RevokedAt *Time
}

// TokenStore keeps refresh tokens.
type TokenStore interface {
	// CreateRefreshToken stores t, the first token of a new family (t.FamilyID set).
	CreateRefreshToken(ctx context.Context, t *RefreshToken) error
	// RotateRefreshToken, in one transaction, finds the token whose hash is
	// oldHash and, if it is current (not rotated, not revoked, not expired
	// at now), marks it rotated and stores next in the same family, filling
	// next.FamilyID and next.ProfileID; it returns the old token. A token
	// that was already rotated is reuse: the whole family is revoked (and
	// stays revoked after the call). Unknown, expired, revoked and reused
	// tokens are all EUnauthorized; on reuse the old token is returned too,
	// so that the caller can end the family's session everywhere.
	RotateRefreshToken(ctx context.Context, oldHash string, next *RefreshToken, now Time) (*RefreshToken, error)
	// RevokeRefreshFamily revokes the family of the token whose hash is hash
	// (logout) and returns that token (its FamilyID and ProfileID say whose
	// session ended). An unknown hash is not an error: nil, nil.
	RevokeRefreshFamily(ctx context.Context, hash string, now Time) (*RefreshToken, error)
	// RevokeSession revokes the family whose id is familyID (the session id
	// of an access token). An unknown id is not an error.
	RevokeSession(ctx context.Context, familyID string, now Time) error
}

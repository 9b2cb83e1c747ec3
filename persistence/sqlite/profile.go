package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/bunnybook/bunnybook"
)

// CreateAccount inserts a; a taken e-mail or username is an EConflict.
func (db *DB) CreateAccount(ctx context.Context, a *bunnybook.Account) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO profile (id, username, email, password_hash, role, avatar_seed, registered_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.Username, a.Email, a.PasswordHash, a.Role, a.AvatarSeed, millis(a.RegisteredAt))
		if err != nil {
			return err
		}
		return appendGraphEvent(ctx, tx, bunnybook.GraphEvent{Kind: bunnybook.GraphProfileCreated, A: a.ID, Username: a.Username})
	})
	if err != nil {
		return fmt.Errorf("create account %q: %w", a.Username, translate(err))
	}
	return nil
}

const accountColumns = `id, username, email, password_hash, role, avatar_seed, registered_at`

// account reads one account where column = value.
func (db *DB) account(ctx context.Context, column, value string) (*bunnybook.Account, error) {
	var a bunnybook.Account
	var registered int64
	err := db.queryRow(ctx, `SELECT `+accountColumns+` FROM profile WHERE `+column+` = ?`, value).
		Scan(&a.ID, &a.Username, &a.Email, &a.PasswordHash, &a.Role, &a.AvatarSeed, &registered)
	if err != nil {
		return nil, fmt.Errorf("account by %s: %w", column, translate(err))
	}
	a.RegisteredAt = bunnybook.UnixMilli(registered)
	return &a, nil
}

// AccountByEmail returns the account with that e-mail, or ENotFound.
func (db *DB) AccountByEmail(ctx context.Context, email string) (*bunnybook.Account, error) {
	return db.account(ctx, "email", email)
}

// AccountByUsername returns the account with exactly that username, or ENotFound.
func (db *DB) AccountByUsername(ctx context.Context, username string) (*bunnybook.Account, error) {
	return db.account(ctx, "username", username)
}

// Profile returns the profile with that id, or ENotFound.
func (db *DB) Profile(ctx context.Context, id string) (*bunnybook.Profile, error) {
	var p bunnybook.Profile
	err := db.queryRow(ctx, `SELECT id, username FROM profile WHERE id = ?`, id).Scan(&p.ID, &p.Username)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", id, translate(err))
	}
	return &p, nil
}

// SearchProfiles returns up to limit profiles whose username contains
// query, case-insensitively; prefix matches first, then by username.
// instr() matches the text literally, so % and _ need no escaping.
// Usernames are ASCII, which SQLite's lower() folds.
func (db *DB) SearchProfiles(ctx context.Context, query string, n int) ([]bunnybook.Profile, error) {
	rows, err := db.query(ctx, `
		SELECT id, username FROM profile
		WHERE instr(lower(username), ?1) > 0
		ORDER BY instr(lower(username), ?1) <> 1, username
		LIMIT ?2`, strings.ToLower(query), limit(n))
	if err != nil {
		return nil, fmt.Errorf("search profiles: %w", translate(err))
	}
	return scanProfiles(rows)
}

// scanProfiles reads (id, username) rows and closes them.
func scanProfiles(rows *sql.Rows) ([]bunnybook.Profile, error) {
	defer rows.Close()
	out := []bunnybook.Profile{}
	for rows.Next() {
		var p bunnybook.Profile
		if err := rows.Scan(&p.ID, &p.Username); err != nil {
			return nil, translate(err)
		}
		out = append(out, p)
	}
	return out, translate(rows.Err())
}

// CreateRefreshToken stores t, the first token of a new family.
func (db *DB) CreateRefreshToken(ctx context.Context, t *bunnybook.RefreshToken) error {
	if err := insertToken(ctx, db.write, t); err != nil {
		return fmt.Errorf("create refresh token: %w", translate(err))
	}
	return nil
}

// execer is what both *sql.DB and *sql.Tx can do.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func insertToken(ctx context.Context, db execer, t *bunnybook.RefreshToken) error {
	_, err := db.ExecContext(ctx, `
		INSERT INTO refresh_token (id, family_id, profile_id, hash, issued_at, expires_at, rotated_at, revoked_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.FamilyID, t.ProfileID, t.Hash, millis(t.IssuedAt), millis(t.ExpiresAt),
		millisPtr(t.RotatedAt), millisPtr(t.RevokedAt))
	return err
}

// errBadRefresh is the one answer to every unusable refresh token, so a
// client learns nothing about why.
func errBadRefresh() error {
	return bunnybook.Errorf(bunnybook.EUnauthorized, "invalid refresh token")
}

// RotateRefreshToken marks the current token with hash oldHash rotated and
// stores next in its family. Presenting an already rotated token revokes
// the family; that revocation is committed although the call fails.
func (db *DB) RotateRefreshToken(ctx context.Context, oldHash string, next *bunnybook.RefreshToken, now bunnybook.Time) (*bunnybook.RefreshToken, error) {
	var old bunnybook.RefreshToken
	reused := false
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var issued, expires int64
		var rotated, revoked sql.NullInt64
		err := tx.QueryRowContext(ctx, `
			SELECT id, family_id, profile_id, hash, issued_at, expires_at, rotated_at, revoked_at
			FROM refresh_token WHERE hash = ?`, oldHash).
			Scan(&old.ID, &old.FamilyID, &old.ProfileID, &old.Hash, &issued, &expires, &rotated, &revoked)
		if err == sql.ErrNoRows {
			return errBadRefresh()
		}
		if err != nil {
			return err
		}
		old.IssuedAt, old.ExpiresAt = bunnybook.UnixMilli(issued), bunnybook.UnixMilli(expires)
		old.RotatedAt, old.RevokedAt = timePtr(rotated), timePtr(revoked)
		switch {
		case old.RevokedAt != nil:
			return errBadRefresh()
		case old.RotatedAt != nil:
			reused = true
			return revokeFamily(ctx, tx, old.FamilyID, now) // commit, then fail
		case !now.Before(old.ExpiresAt.Time):
			return errBadRefresh()
		}
		if _, err := tx.ExecContext(ctx, `UPDATE refresh_token SET rotated_at = ? WHERE id = ?`, millis(now), old.ID); err != nil {
			return err
		}
		old.RotatedAt = &now
		next.FamilyID, next.ProfileID = old.FamilyID, old.ProfileID
		return insertToken(ctx, tx, next)
	})
	if err != nil {
		return nil, fmt.Errorf("rotate refresh token: %w", err)
	}
	if reused {
		return &old, errBadRefresh() // say whose family the reuse ended
	}
	return &old, nil
}

func revokeFamily(ctx context.Context, tx execer, family string, now bunnybook.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE refresh_token SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL`,
		millis(now), family)
	return err
}

// RevokeRefreshFamily revokes the family of the token with that hash and
// returns that token; an unknown hash is not an error (nil).
func (db *DB) RevokeRefreshFamily(ctx context.Context, hash string, now bunnybook.Time) (*bunnybook.RefreshToken, error) {
	var t *bunnybook.RefreshToken
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var found bunnybook.RefreshToken
		err := tx.QueryRowContext(ctx, `SELECT family_id, profile_id FROM refresh_token WHERE hash = ?`, hash).
			Scan(&found.FamilyID, &found.ProfileID)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		t = &found
		return revokeFamily(ctx, tx, found.FamilyID, now)
	})
	if err != nil {
		return nil, fmt.Errorf("revoke refresh family: %w", translate(err))
	}
	return t, nil
}

// RevokeSession revokes the family whose id is familyID.
func (db *DB) RevokeSession(ctx context.Context, familyID string, now bunnybook.Time) error {
	if err := revokeFamily(ctx, db.write, familyID, now); err != nil {
		return fmt.Errorf("revoke session: %w", translate(err))
	}
	return nil
}

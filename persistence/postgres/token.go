package postgres

import (
	"context"
	"errors"

	"github.com/bunnybook/bunnybook"
	"github.com/jackc/pgx/v5"
)

// CreateRefreshToken stores t, the first token of a new family.
func (db *DB) CreateRefreshToken(ctx context.Context, t *bunnybook.RefreshToken) error {
	return fail("create refresh token", insertToken(ctx, db.pool, t))
}

func insertToken(ctx context.Context, q querier, t *bunnybook.RefreshToken) error {
	_, err := q.Exec(ctx, `
		INSERT INTO refresh_token (id, family_id, profile_id, hash, issued_at, expires_at, rotated_at, revoked_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		t.ID, t.FamilyID, t.ProfileID, t.Hash, t.IssuedAt.Time, t.ExpiresAt.Time,
		nullTime(t.RotatedAt), nullTime(t.RevokedAt))
	return err
}

// RotateRefreshToken marks the current token whose hash is oldHash rotated
// and stores next in its family, in one transaction. The old row is locked
// first, so two concurrent uses of one token are a rotation and a reuse.
// A reuse revokes the family; that change is committed even though the
// call fails.
func (db *DB) RotateRefreshToken(ctx context.Context, oldHash string, next *bunnybook.RefreshToken, now bunnybook.Time) (*bunnybook.RefreshToken, error) {
	var old *bunnybook.RefreshToken
	var refused string
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		old, err = scanToken(tx.QueryRow(ctx,
			`SELECT `+tokenColumns+` FROM refresh_token WHERE hash = $1 FOR UPDATE`, oldHash))
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			refused = "unknown refresh token"
			return nil
		case err != nil:
			return err
		case old.RevokedAt != nil:
			refused = "revoked refresh token"
			return nil
		case old.RotatedAt != nil:
			refused = "reused refresh token: its family is revoked"
			return revokeFamily(ctx, tx, old.FamilyID, now)
		case !old.ExpiresAt.After(now.Time):
			refused = "expired refresh token"
			return nil
		}
		old.RotatedAt = &now
		if _, err := tx.Exec(ctx, `UPDATE refresh_token SET rotated_at = $2 WHERE id = $1`, old.ID, now.Time); err != nil {
			return err
		}
		next.FamilyID, next.ProfileID = old.FamilyID, old.ProfileID
		return insertToken(ctx, tx, next)
	})
	if err != nil {
		return nil, fail("rotate refresh token", err)
	}
	switch {
	case old != nil && old.RotatedAt != nil && refused != "":
		return old, bunnybook.Errorf(bunnybook.EUnauthorized, "%s", refused) // reuse: say whose
	case refused != "":
		return nil, bunnybook.Errorf(bunnybook.EUnauthorized, "%s", refused)
	}
	return old, nil
}

// RevokeRefreshFamily revokes the family of the token whose hash is hash
// and returns that token; nil for an unknown hash.
func (db *DB) RevokeRefreshFamily(ctx context.Context, hash string, now bunnybook.Time) (*bunnybook.RefreshToken, error) {
	var t *bunnybook.RefreshToken
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		t, err = scanToken(tx.QueryRow(ctx, `SELECT `+tokenColumns+` FROM refresh_token WHERE hash = $1`, hash))
		if errors.Is(err, pgx.ErrNoRows) {
			t = nil
			return nil
		}
		if err != nil {
			return err
		}
		return revokeFamily(ctx, tx, t.FamilyID, now)
	})
	if err != nil {
		return nil, fail("revoke refresh family", err)
	}
	return t, nil
}

func revokeFamily(ctx context.Context, q querier, family string, now bunnybook.Time) error {
	_, err := q.Exec(ctx, `UPDATE refresh_token SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL`,
		family, now.Time)
	return err
}

const tokenColumns = `id, family_id, profile_id, hash, issued_at, expires_at, rotated_at, revoked_at`

func scanToken(row pgx.Row) (*bunnybook.RefreshToken, error) {
	var t bunnybook.RefreshToken
	err := row.Scan(&t.ID, &t.FamilyID, &t.ProfileID, &t.Hash, timeDst{&t.IssuedAt}, timeDst{&t.ExpiresAt},
		nullTimeDst{&t.RotatedAt}, nullTimeDst{&t.RevokedAt})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// RevokeSession revokes the family whose id is familyID.
func (db *DB) RevokeSession(ctx context.Context, familyID string, now bunnybook.Time) error {
	return fail("revoke session", revokeFamily(ctx, db.pool, familyID, now))
}

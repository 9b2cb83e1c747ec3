package postgres

import (
	"context"
	"strings"

	"github.com/bunnybook/bunnybook"
	"github.com/jackc/pgx/v5"
)

// CreateAccount inserts a; a taken e-mail or username is an EConflict.
func (db *DB) CreateAccount(ctx context.Context, a *bunnybook.Account) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			INSERT INTO profile (id, username, email, password_hash, role, avatar_seed, registered_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			a.ID, a.Username, a.Email, a.PasswordHash, a.Role, a.AvatarSeed, a.RegisteredAt.Time)
		if err != nil {
			return err
		}
		return appendGraphEvent(ctx, tx, bunnybook.GraphEvent{Kind: bunnybook.GraphProfileCreated, A: a.ID, Username: a.Username})
	})
	return fail("create account", err)
}

const accountColumns = `id, username, email, password_hash, role, avatar_seed, registered_at`

func scanAccount(row pgx.Row) (*bunnybook.Account, error) {
	var a bunnybook.Account
	err := row.Scan(&a.ID, &a.Username, &a.Email, &a.PasswordHash, &a.Role, &a.AvatarSeed,
		timeDst{&a.RegisteredAt})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// AccountByEmail returns the account with that e-mail, or ENotFound.
func (db *DB) AccountByEmail(ctx context.Context, email string) (*bunnybook.Account, error) {
	a, err := scanAccount(db.pool.QueryRow(ctx,
		`SELECT `+accountColumns+` FROM profile WHERE email = $1`, email))
	return a, fail("account by email", err)
}

// AccountByUsername returns the account with exactly that username, or ENotFound.
func (db *DB) AccountByUsername(ctx context.Context, username string) (*bunnybook.Account, error) {
	a, err := scanAccount(db.pool.QueryRow(ctx,
		`SELECT `+accountColumns+` FROM profile WHERE username = $1`, username))
	return a, fail("account by username", err)
}

// Profile returns the profile with that id, or ENotFound.
func (db *DB) Profile(ctx context.Context, id string) (*bunnybook.Profile, error) {
	var p bunnybook.Profile
	err := db.pool.QueryRow(ctx, `SELECT id, username FROM profile WHERE id = $1`, id).
		Scan(&p.ID, &p.Username)
	if err != nil {
		return nil, fail("profile "+id, err)
	}
	return &p, nil
}

// likeEscaper makes text literal inside a LIKE pattern (escape character \).
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// SearchProfiles returns up to limit profiles whose username contains
// query, case-insensitively; prefix matches first, then by username. The
// trigram index serves the ILIKE.
func (db *DB) SearchProfiles(ctx context.Context, query string, n int) ([]bunnybook.Profile, error) {
	q := likeEscaper.Replace(query)
	rows, err := db.pool.Query(ctx, `
		SELECT id, username FROM profile
		WHERE username ILIKE '%' || $1 || '%'
		ORDER BY username ILIKE $1 || '%' DESC, username
		LIMIT $2`, q, limit(n))
	ps, err := collectProfiles(rows, err)
	return ps, fail("search profiles", err)
}

// collectProfiles reads (id, username) rows.
func collectProfiles(rows pgx.Rows, err error) ([]bunnybook.Profile, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (bunnybook.Profile, error) {
		var p bunnybook.Profile
		err := r.Scan(&p.ID, &p.Username)
		return p, err
	})
}

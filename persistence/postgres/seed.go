package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/bunnybook/bunnybook"
)

// CountProfiles returns how many profiles have a username starting with
// prefix, and how many do not.
func (db *DB) CountProfiles(ctx context.Context, prefix string) (matching, other int64, err error) {
	err = db.pool.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE starts_with(username, $1)),
		       count(*) FILTER (WHERE NOT starts_with(username, $1))
		FROM profile`, prefix).Scan(&matching, &other)
	return matching, other, fail("count profiles", err)
}

// DeleteProfiles deletes every profile whose username starts with prefix,
// and (by cascade) everything they own, and returns how many went.
func (db *DB) DeleteProfiles(ctx context.Context, prefix string) (int64, error) {
	var n int64
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		// Their private chat groups are not owned by a profile: delete
		// those whose members are all going first.
		if _, err := tx.Exec(ctx, `
			DELETE FROM chat_group g WHERE g.private AND NOT EXISTS (
				SELECT 1 FROM chat_member m JOIN profile p ON p.id = m.profile_id
				WHERE m.chat_group_id = g.id AND NOT starts_with(p.username, $1))`, prefix); err != nil {
			return err
		}
		// Nor are their messages in the groups that stay (no foreign key:
		// see migration 00008).
		if _, err := tx.Exec(ctx, `
			DELETE FROM chat_message WHERE from_profile_id IN (
				SELECT id FROM profile WHERE starts_with(username, $1))`, prefix); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM profile WHERE starts_with(username, $1)`, prefix)
		n = tag.RowsAffected()
		return err
	})
	return n, fail("delete profiles", err)
}

// Seed bulk-inserts accounts and friendships (each stored in both
// directions, with its active private chat group and both memberships),
// all created at at, with COPY in one transaction, makes graph projections
// rebuild from the store, and analyzes the tables it filled. It is for load
// tests: none of the per-action checks of the Store methods run. A taken
// username or e-mail fails it as a whole.
func (db *DB) Seed(ctx context.Context, accounts []bunnybook.Account, friendships []bunnybook.SeedFriendship, at bunnybook.Time) error {
	accounts, friendships, directed, err := bunnybook.SeedRows(accounts, friendships)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	steps := []struct {
		table string
		cols  []string
		n     int
		row   func(i int) ([]any, error)
	}{
		{"profile", []string{"id", "username", "email", "password_hash", "role", "avatar_seed", "registered_at"}, len(accounts),
			func(i int) ([]any, error) {
				a := &accounts[i]
				return []any{a.ID, a.Username, a.Email, a.PasswordHash, a.Role, a.AvatarSeed, a.RegisteredAt.Time}, nil
			}},
		{"friendship", []string{"profile_id", "friend_id", "created_at", "chat_group_id", "friend_username"}, len(directed),
			func(i int) ([]any, error) {
				f := &directed[i]
				return []any{f.ProfileID, f.FriendID, at.Time, f.ChatGroupID, f.FriendUsername}, nil
			}},
		{"chat_group", []string{"id", "private", "active", "pair_key", "last_seq", "created_at"}, len(friendships),
			func(i int) ([]any, error) {
				f := friendships[i]
				return []any{f.ChatGroupID, true, true, pairKey(f.A, f.B), int64(0), at.Time}, nil
			}},
		{"chat_member", []string{"chat_group_id", "profile_id"}, 2 * len(friendships),
			func(i int) ([]any, error) {
				f := friendships[i/2]
				if i%2 == 1 {
					return []any{f.ChatGroupID, f.B}, nil
				}
				return []any{f.ChatGroupID, f.A}, nil
			}},
	}
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		// The rows are consistent by construction: skip the per-row
		// foreign-key triggers when allowed (superuser only; otherwise the
		// savepoint is rolled back and they run).
		if sp, err := tx.Begin(ctx); err == nil {
			if _, err := sp.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
				sp.Rollback(ctx)
			} else if err := sp.Commit(ctx); err != nil {
				return err
			}
		}
		for _, s := range steps {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{s.table}, s.cols, pgx.CopyFromSlice(s.n, s.row)); err != nil {
				return fmt.Errorf("copy %s: %w", s.table, err)
			}
		}
		return markGraphStale(ctx, tx)
	})
	if err != nil {
		return fail("seed", err)
	}
	// Fresh statistics: without them the planner picks sequential scans
	// for the tables that just grew, and the first load test times out.
	for _, s := range steps {
		if _, err := db.pool.Exec(ctx, "ANALYZE "+s.table); err != nil {
			return fail("seed: analyze "+s.table, err)
		}
	}
	return nil
}

// markGraphStale makes graph projections (Neo4j) rebuild from the store:
// Seed writes no outbox events, so it declares the outbox pruned up to
// now. A placeholder event takes the next id and is deleted at once.
func markGraphStale(ctx context.Context, tx pgx.Tx) error {
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO graph_outbox (kind, payload) VALUES ('seed', '{}') RETURNING id`).Scan(&id); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM graph_outbox WHERE id = $1`, id); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE graph_outbox_state SET pruned_upto = greatest(pruned_upto, $1)`, id)
	return err
}

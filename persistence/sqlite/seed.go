package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/bunnybook/bunnybook"
)

// seedBatch is how many rows one INSERT statement of Seed carries.
const seedBatch = 128

// CountProfiles returns how many profiles have a username starting with
// prefix, and how many do not.
func (db *DB) CountProfiles(ctx context.Context, prefix string) (matching, other int64, err error) {
	err = db.read.QueryRowContext(ctx, `
		SELECT count(*) FILTER (WHERE substr(username, 1, length(?1)) = ?1),
		       count(*) FILTER (WHERE substr(username, 1, length(?1)) <> ?1)
		FROM profile`, prefix).Scan(&matching, &other)
	if err != nil {
		return 0, 0, fmt.Errorf("count profiles: %w", translate(err))
	}
	return matching, other, nil
}

// DeleteProfiles deletes every profile whose username starts with prefix,
// and (by cascade) everything they own, and returns how many went.
func (db *DB) DeleteProfiles(ctx context.Context, prefix string) (int64, error) {
	var n int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		// Private chat groups are not owned by a profile: delete those
		// whose members are all going first.
		if _, err := tx.ExecContext(ctx, `
			DELETE FROM chat_group WHERE private = 1 AND NOT EXISTS (
				SELECT 1 FROM chat_member m JOIN profile p ON p.id = m.profile_id
				WHERE m.chat_group_id = chat_group.id AND substr(p.username, 1, length(?1)) <> ?1)`, prefix); err != nil {
			return err
		}
		// Nor are their messages in the groups that stay (no foreign key:
		// see migration 00008).
		if _, err := tx.ExecContext(ctx, `
			DELETE FROM chat_message WHERE from_profile_id IN (
				SELECT id FROM profile WHERE substr(username, 1, length(?1)) = ?1)`, prefix); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM profile WHERE substr(username, 1, length(?1)) = ?1`, prefix)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete profiles %q*: %w", prefix, err)
	}
	return n, nil
}

// Seed bulk-inserts accounts and friendships (each stored in both
// directions, with its active private chat group and both memberships),
// all created at at, and makes graph projections rebuild from the store. It is for load tests: one transaction per table,
// multi-row prepared inserts, none of the per-action checks of the
// Store methods. A taken username or e-mail fails the whole table's
// transaction.
func (db *DB) Seed(ctx context.Context, accounts []bunnybook.Account, friendships []bunnybook.SeedFriendship, at bunnybook.Time) error {
	now := millis(at)
	accounts, friendships, directed, err := bunnybook.SeedRows(accounts, friendships)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	steps := []struct {
		table string
		cols  []string
		n     int
		row   func(i int) []any
	}{
		{"profile", []string{"id", "username", "email", "password_hash", "role", "avatar_seed", "registered_at"}, len(accounts),
			func(i int) []any {
				a := &accounts[i]
				return []any{a.ID, a.Username, a.Email, a.PasswordHash, a.Role, a.AvatarSeed, millis(a.RegisteredAt)}
			}},
		{"friendship", []string{"profile_id", "friend_id", "created_at", "chat_group_id", "friend_username"}, len(directed),
			func(i int) []any {
				f := &directed[i]
				return []any{f.ProfileID, f.FriendID, now, f.ChatGroupID, f.FriendUsername}
			}},
		{"chat_group", []string{"id", "private", "active", "pair_key", "last_seq", "created_at"}, len(friendships),
			func(i int) []any {
				f := friendships[i]
				return []any{f.ChatGroupID, 1, 1, pairKey(f.A, f.B), 0, now}
			}},
		{"chat_member", []string{"chat_group_id", "profile_id"}, 2 * len(friendships),
			func(i int) []any {
				f := friendships[i/2]
				if i%2 == 1 {
					return []any{f.ChatGroupID, f.B}
				}
				return []any{f.ChatGroupID, f.A}
			}},
	}
	// Random UUID keys touch index pages all over: give the one write
	// connection a big page cache while seeding, then the default back.
	if _, err := db.write.ExecContext(ctx, `PRAGMA cache_size = -262144`); err != nil {
		return fmt.Errorf("seed: %w", translate(err))
	}
	defer db.write.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = -2000`)
	for _, s := range steps {
		err := db.inTx(ctx, func(tx *sql.Tx) error { return bulkInsert(ctx, tx, s.table, s.cols, s.n, s.row) })
		if err != nil {
			return fmt.Errorf("seed %s: %w", s.table, err)
		}
	}
	if err := db.inTx(ctx, func(tx *sql.Tx) error { return markGraphStale(ctx, tx) }); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}

// markGraphStale makes graph projections (Neo4j) rebuild from the store:
// Seed writes no outbox events, so it declares the outbox pruned up to
// now. A placeholder event takes the next id and is deleted at once.
func markGraphStale(ctx context.Context, tx *sql.Tx) error {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO graph_outbox (kind, payload, created_at) VALUES ('seed', '{}', 0) RETURNING id`).Scan(&id)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM graph_outbox WHERE id = ?`, id); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE graph_outbox_state SET pruned_upto = max(pruned_upto, ?)`, id)
	return err
}

// bulkInsert inserts n rows into table, seedBatch rows per statement.
func bulkInsert(ctx context.Context, tx *sql.Tx, table string, cols []string, n int, row func(i int) []any) error {
	var full *sql.Stmt
	for start := 0; start < n; start += seedBatch {
		rows := min(seedBatch, n-start)
		stmt := full
		if rows < seedBatch || full == nil {
			s, err := tx.PrepareContext(ctx, insertSQL(table, cols, rows))
			if err != nil {
				return err
			}
			defer s.Close()
			stmt = s
			if rows == seedBatch {
				full = s
			}
		}
		args := make([]any, 0, rows*len(cols))
		for i := start; i < start+rows; i++ {
			args = append(args, row(i)...)
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

// insertSQL is "INSERT INTO table (cols) VALUES (?, …), …" for rows rows.
func insertSQL(table string, cols []string, rows int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	return "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}

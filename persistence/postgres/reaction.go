package postgres

import (
	"context"
	"errors"

	"github.com/bunnybook/bunnybook"
	"github.com/jackc/pgx/v5"
)

// ToggleReaction adds or removes profileID's reaction emoji to a message of
// groupID in one transaction. It locks the message's row first, so that
// toggles on one message take turns: the limit check and the insert that
// follow see every toggle committed before (read committed reads anew at
// each statement).
func (db *DB) ToggleReaction(ctx context.Context, groupID, messageID, profileID, emoji string, at bunnybook.Time) (bool, error) {
	var on bool
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			SELECT FROM chat_message WHERE id = $1 AND chat_group_id = $2 FOR NO KEY UPDATE`, messageID, groupID).Scan()
		if errors.Is(err, pgx.ErrNoRows) {
			return bunnybook.Errorf(bunnybook.ENotFound, "no such message in this conversation")
		} else if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			DELETE FROM chat_reaction WHERE message_id = $1 AND emoji = $2 AND profile_id = $3`, messageID, emoji, profileID)
		if err != nil || tag.RowsAffected() > 0 {
			return err // removed: off
		}
		tag, err = tx.Exec(ctx, `
			INSERT INTO chat_reaction (message_id, profile_id, emoji, created_at)
			SELECT $1, $2, $3, $4
			WHERE EXISTS (SELECT FROM chat_reaction WHERE message_id = $1 AND emoji = $3)
			   OR (SELECT count(DISTINCT emoji) FROM chat_reaction WHERE message_id = $1) < $5`,
			messageID, profileID, emoji, at.Time, bunnybook.ReactionsPerMessageMax)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return bunnybook.ErrTooManyReactions()
		}
		on = true
		return nil
	})
	return on, fail("toggle reaction", err)
}

// MessageReactions returns the reactions to the given messages, in one query.
func (db *DB) MessageReactions(ctx context.Context, messageIDs []string) (map[string]bunnybook.Reactions, error) {
	out := map[string]bunnybook.Reactions{}
	if len(messageIDs) == 0 {
		return out, nil
	}
	rows, err := db.pool.Query(ctx, `
		SELECT message_id::text, emoji, profile_id::text FROM chat_reaction
		WHERE message_id = ANY($1::uuid[])
		ORDER BY message_id, emoji, created_at, profile_id`, messageIDs)
	if err != nil {
		return nil, fail("message reactions", err)
	}
	var msg, emoji, profile string
	_, err = pgx.ForEachRow(rows, []any{&msg, &emoji, &profile}, func() error {
		bunnybook.CollectReaction(out, msg, emoji, profile)
		return nil
	})
	if err != nil {
		return nil, fail("message reactions", err)
	}
	return out, nil
}

package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/bunnybook/bunnybook"
)

// The statements of a reaction toggle. reactionAdd inserts ?3 unless the
// message has ?5 distinct emoji already and ?3 is not among them.
const (
	reactionMessage = `SELECT 1 FROM chat_message WHERE id = ? AND chat_group_id = ?`
	reactionRemove  = `DELETE FROM chat_reaction WHERE message_id = ? AND emoji = ? AND profile_id = ?`
	reactionAdd     = `
		INSERT INTO chat_reaction (message_id, profile_id, emoji, created_at)
		SELECT ?1, ?2, ?3, ?4
		WHERE EXISTS (SELECT 1 FROM chat_reaction WHERE message_id = ?1 AND emoji = ?3)
		   OR (SELECT count(DISTINCT emoji) FROM chat_reaction WHERE message_id = ?1) < ?5`
)

// ToggleReaction adds or removes profileID's reaction emoji to a message of
// groupID in one transaction. SQLite has one writer, so the limit check
// and the insert cannot interleave with another toggle.
func (db *DB) ToggleReaction(ctx context.Context, groupID, messageID, profileID, emoji string, at bunnybook.Time) (bool, error) {
	var on bool
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := db.txQueryRow(ctx, tx, reactionMessage, messageID, groupID).Scan(&one)
		if err == sql.ErrNoRows {
			return bunnybook.Errorf(bunnybook.ENotFound, "no such message in this conversation")
		} else if err != nil {
			return err
		}
		res, err := db.txExec(ctx, tx, reactionRemove, messageID, emoji, profileID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err // removed: off
		}
		res, err = db.txExec(ctx, tx, reactionAdd, messageID, profileID, emoji, millis(at), bunnybook.ReactionsPerMessageMax)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return bunnybook.ErrTooManyReactions()
		}
		on = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("toggle reaction: %w", err)
	}
	return on, nil
}

// MessageReactions returns the reactions to the given messages: one query,
// its ids passed as a JSON array so that its text (and prepared
// statement) is the same for any number of them.
func (db *DB) MessageReactions(ctx context.Context, messageIDs []string) (map[string]bunnybook.Reactions, error) {
	out := map[string]bunnybook.Reactions{}
	if len(messageIDs) == 0 {
		return out, nil
	}
	ids, _ := json.Marshal(messageIDs)
	rows, err := db.query(ctx, `
		SELECT message_id, emoji, profile_id FROM chat_reaction
		WHERE message_id IN (SELECT value FROM json_each(?))
		ORDER BY message_id, emoji, created_at, profile_id`, string(ids))
	if err != nil {
		return nil, fmt.Errorf("message reactions: %w", translate(err))
	}
	defer rows.Close()
	for rows.Next() {
		var msg, emoji, profile string
		if err := rows.Scan(&msg, &emoji, &profile); err != nil {
			return nil, fmt.Errorf("message reactions: %w", translate(err))
		}
		bunnybook.CollectReaction(out, msg, emoji, profile)
	}
	return out, translate(rows.Err())
}

-- Members' reactions to chat messages: one row per (message, emoji,
-- reacter). The key serves a message's reactions in order of emoji, and
-- whether one reacter's emoji is there; ToggleReaction keeps at most 8
-- distinct emoji per message.

-- +goose Up
CREATE TABLE chat_reaction (
    message_id TEXT NOT NULL REFERENCES chat_message (id) ON DELETE CASCADE,
    emoji      TEXT NOT NULL,
    profile_id TEXT NOT NULL REFERENCES profile (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (message_id, emoji, profile_id)
) STRICT, WITHOUT ROWID;
-- For cascading from profile.
CREATE INDEX chat_reaction_profile_idx ON chat_reaction (profile_id);

-- +goose Down
DROP TABLE chat_reaction;

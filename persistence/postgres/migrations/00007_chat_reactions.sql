-- Members' reactions to chat messages: one row per (message, emoji,
-- reacter). The key serves a message's reactions in order of emoji, and
-- whether one reacter's emoji is there; ToggleReaction keeps at most 8
-- distinct emoji per message.

-- +goose Up
CREATE TABLE chat_reaction (
    message_id uuid NOT NULL REFERENCES chat_message ON DELETE CASCADE,
    emoji      text NOT NULL,
    profile_id uuid NOT NULL REFERENCES profile ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (message_id, emoji, profile_id)
);
-- For cascading from profile.
CREATE INDEX chat_reaction_profile_idx ON chat_reaction (profile_id);

-- +goose Down
DROP TABLE chat_reaction;

-- Group chats (issue 14): a chat_group with private = 0 has a name and a
-- creator (who may remove members) and any number of chat_member rows up
-- to the limit the store checks. created_by has no foreign key: SQLite
-- cannot drop a column that has one (Down); the creator's profile is only
-- compared with, never joined.
-- chat_former_member keeps, for each profile that left a group chat (or
-- was removed), the seq of the group's newest message at that moment:
-- the history they may still read. Rejoining deletes the row.
-- chat_member.private copies its group's, so that a profile's group chats
-- (read by every websocket that connects) are one range of a partial
-- index instead of a look-up of each of its private chats' groups.
-- +goose Up
ALTER TABLE chat_group ADD COLUMN name TEXT; -- NULL for private chats
ALTER TABLE chat_group ADD COLUMN created_by TEXT;
CREATE TABLE chat_former_member (
    chat_group_id TEXT NOT NULL REFERENCES chat_group (id) ON DELETE CASCADE,
    profile_id    TEXT NOT NULL REFERENCES profile (id) ON DELETE CASCADE,
    left_seq      INTEGER NOT NULL,
    PRIMARY KEY (chat_group_id, profile_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX chat_former_member_profile_idx ON chat_former_member (profile_id);
ALTER TABLE chat_member ADD COLUMN private INTEGER NOT NULL DEFAULT 1 CHECK (private IN (0, 1));
CREATE INDEX chat_member_group_chats_idx ON chat_member (profile_id, chat_group_id) WHERE private = 0;
-- +goose Down
DROP INDEX chat_member_group_chats_idx;
ALTER TABLE chat_member DROP COLUMN private;
DROP TABLE chat_former_member;
ALTER TABLE chat_group DROP COLUMN created_by;
ALTER TABLE chat_group DROP COLUMN name;

-- chat_message loses its foreign key to the sender's profile and the index
-- that served it (chat_message_from_idx): nothing reads messages by sender,
-- and that index cost every stored message a B-tree page of its own, in a
-- place no other message of the same commit shares (about a tenth of an
-- append's pages). DeleteProfiles deletes the messages of the profiles it
-- deletes itself, which the cascade did.
--
-- SQLite cannot drop a foreign key, so the table is rebuilt. Foreign keys
-- must be off meanwhile (dropping the old table would otherwise delete
-- every reaction, by cascade), and that pragma has no effect inside a
-- transaction: hence no goose transaction, and one of our own.

-- +goose NO TRANSACTION
-- +goose Up
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE chat_message_rebuilt (
    id              TEXT PRIMARY KEY,
    chat_group_id   TEXT NOT NULL REFERENCES chat_group (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    from_profile_id TEXT NOT NULL,
    content         TEXT NOT NULL,
    client_id       TEXT, -- NULL when the sender gave none
    created_at      INTEGER NOT NULL,
    CONSTRAINT chat_message_seq_key UNIQUE (chat_group_id, seq),
    CONSTRAINT chat_message_client_id_key UNIQUE (chat_group_id, from_profile_id, client_id)
) STRICT;
INSERT INTO chat_message_rebuilt (id, chat_group_id, seq, from_profile_id, content, client_id, created_at)
SELECT id, chat_group_id, seq, from_profile_id, content, client_id, created_at FROM chat_message;
DROP TABLE chat_message;
ALTER TABLE chat_message_rebuilt RENAME TO chat_message;
CREATE INDEX chat_message_page_idx ON chat_message (chat_group_id, created_at DESC, id DESC);
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE chat_message_rebuilt (
    id              TEXT PRIMARY KEY,
    chat_group_id   TEXT NOT NULL REFERENCES chat_group (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    from_profile_id TEXT NOT NULL REFERENCES profile (id) ON DELETE CASCADE,
    content         TEXT NOT NULL,
    client_id       TEXT,
    created_at      INTEGER NOT NULL,
    CONSTRAINT chat_message_seq_key UNIQUE (chat_group_id, seq),
    CONSTRAINT chat_message_client_id_key UNIQUE (chat_group_id, from_profile_id, client_id)
) STRICT;
INSERT INTO chat_message_rebuilt (id, chat_group_id, seq, from_profile_id, content, client_id, created_at)
SELECT id, chat_group_id, seq, from_profile_id, content, client_id, created_at FROM chat_message;
DROP TABLE chat_message;
ALTER TABLE chat_message_rebuilt RENAME TO chat_message;
CREATE INDEX chat_message_page_idx ON chat_message (chat_group_id, created_at DESC, id DESC);
CREATE INDEX chat_message_from_idx ON chat_message (from_profile_id);
COMMIT;
PRAGMA foreign_keys = ON;

-- chat_message loses its foreign key to the sender's profile and the index
-- that served it (chat_message_from_idx): nothing reads messages by sender,
-- and that index cost every stored message an index insert of its own.
-- DeleteProfiles deletes the messages of the profiles it deletes itself,
-- which the cascade did.

-- +goose Up
ALTER TABLE chat_message DROP CONSTRAINT chat_message_from_profile_id_fkey;
DROP INDEX chat_message_from_idx;

-- +goose Down
CREATE INDEX chat_message_from_idx ON chat_message (from_profile_id);
DELETE FROM chat_message m WHERE NOT EXISTS (SELECT 1 FROM profile p WHERE p.id = m.from_profile_id);
ALTER TABLE chat_message ADD CONSTRAINT chat_message_from_profile_id_fkey
    FOREIGN KEY (from_profile_id) REFERENCES profile ON DELETE CASCADE;

-- The unread conversations of every member: a (member, group) row while
-- the group is active and its last message is after the member's read
-- pointer, which is what UnreadConversations returns. The writes that can
-- change it (AppendMessages, MarkChatRead, accepting and unfriending) keep
-- it in their transactions, so reading a profile's list, as every
-- websocket does when it connects, is one range of the key instead of a
-- look-up of each of its groups and read pointers.

-- +goose Up
CREATE TABLE chat_unread (
    profile_id    uuid NOT NULL REFERENCES profile ON DELETE CASCADE,
    chat_group_id uuid NOT NULL REFERENCES chat_group ON DELETE CASCADE,
    PRIMARY KEY (profile_id, chat_group_id)
);
-- For deleting a group's rows (and cascading from chat_group).
CREATE INDEX chat_unread_group_idx ON chat_unread (chat_group_id);
INSERT INTO chat_unread (profile_id, chat_group_id)
SELECT m.profile_id, m.chat_group_id
FROM chat_member m
JOIN chat_group g ON g.id = m.chat_group_id AND g.active AND g.last_seq > 0
LEFT JOIN chat_read r ON r.profile_id = m.profile_id AND r.chat_group_id = m.chat_group_id
WHERE coalesce(r.seq, 0) < g.last_seq;

-- +goose Down
DROP TABLE chat_unread;

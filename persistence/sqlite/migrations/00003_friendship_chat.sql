-- Each friendship row carries the pair's private chat group and the
-- friend's username, so that a profile's chat list (PrivateChats, read by
-- every websocket that connects) is one range of the friendship key
-- instead of a join through chat_member, chat_group and profile. The
-- copies cannot go stale: usernames never change, and a friendship exists
-- exactly while its pair's group is active (accepting inserts both rows
-- after opening the group, unfriending deletes them as it closes it).
-- There is no foreign key on chat_group_id: SQLite cannot add one to a
-- column with a default, and groups are deleted only with their members.

-- +goose Up
ALTER TABLE friendship ADD COLUMN chat_group_id TEXT NOT NULL DEFAULT '';
ALTER TABLE friendship ADD COLUMN friend_username TEXT NOT NULL DEFAULT '';
-- A friendship without its group or friend would set NULL and fail the
-- migration rather than list a chat nobody can open.
UPDATE friendship SET
    chat_group_id = (
        SELECT g.id FROM chat_group g
        WHERE g.pair_key = min(friendship.profile_id, friendship.friend_id) || ':' || max(friendship.profile_id, friendship.friend_id)),
    friend_username = (SELECT p.username FROM profile p WHERE p.id = friendship.friend_id);

-- +goose Down
ALTER TABLE friendship DROP COLUMN friend_username;
ALTER TABLE friendship DROP COLUMN chat_group_id;

-- Each friendship row carries the pair's private chat group and the
-- friend's username, so that a profile's chat list (PrivateChats, read by
-- every websocket that connects) is one range of the friendship key
-- instead of a join through chat_member, chat_group and profile. The
-- copies cannot go stale: usernames never change, and a friendship exists
-- exactly while its pair's group is active (accepting inserts both rows
-- after opening the group, unfriending deletes them as it closes it).
-- There is no foreign key on chat_group_id: it would need an index of its
-- own for deleting groups, and groups are deleted only with their members.

-- +goose Up
ALTER TABLE friendship
    ADD COLUMN chat_group_id uuid,
    ADD COLUMN friend_username text COLLATE "C"; -- ordered like profile.username
-- The pair key is "minId:maxId"; uuid order is the order of their text.
UPDATE friendship f SET chat_group_id = g.id, friend_username = p.username
FROM chat_group g, profile p
WHERE g.pair_key = least(f.profile_id, f.friend_id)::text || ':' || greatest(f.profile_id, f.friend_id)::text
  AND p.id = f.friend_id;
-- A friendship without its group or friend fails here rather than list a
-- chat nobody can open.
ALTER TABLE friendship
    ALTER COLUMN chat_group_id SET NOT NULL,
    ALTER COLUMN friend_username SET NOT NULL;
-- A profile's chats and friends by username, read from the index alone: an
-- index-only scan in order instead of a heap page per friend and a sort.
CREATE INDEX friendship_username_idx ON friendship (profile_id, friend_username) INCLUDE (friend_id, chat_group_id);

-- +goose Down
DROP INDEX friendship_username_idx;
ALTER TABLE friendship DROP COLUMN friend_username, DROP COLUMN chat_group_id;

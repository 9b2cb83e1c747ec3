-- Likes of posts and comments (issue 14). A like is a row keyed by who
-- likes what, so liking twice is one like; the liked row keeps a
-- likes_count that the same transaction changes, so wall pages read the
-- count without counting. A collapsible notification (repeated likes of one
-- post) has a collapse_key: a recipient has at most one unread
-- notification per key, which the next like updates instead of adding one.

-- +goose Up
ALTER TABLE post ADD COLUMN likes_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE comment ADD COLUMN likes_count INTEGER NOT NULL DEFAULT 0;

-- The key serves "which of these posts does the viewer like".
CREATE TABLE post_like (
    profile_id TEXT NOT NULL REFERENCES profile (id) ON DELETE CASCADE,
    post_id    TEXT NOT NULL REFERENCES post (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (profile_id, post_id)
) STRICT, WITHOUT ROWID;
-- For cascading from post.
CREATE INDEX post_like_post_idx ON post_like (post_id);

CREATE TABLE comment_like (
    profile_id TEXT NOT NULL REFERENCES profile (id) ON DELETE CASCADE,
    comment_id TEXT NOT NULL REFERENCES comment (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (profile_id, comment_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX comment_like_comment_idx ON comment_like (comment_id);

ALTER TABLE notification ADD COLUMN collapse_key TEXT;
CREATE UNIQUE INDEX notification_collapse_idx ON notification (profile_id, collapse_key)
WHERE collapse_key IS NOT NULL AND read = 0;

-- +goose Down
DROP INDEX notification_collapse_idx;
ALTER TABLE notification DROP COLUMN collapse_key;
DROP TABLE comment_like;
DROP TABLE post_like;
ALTER TABLE comment DROP COLUMN likes_count;
ALTER TABLE post DROP COLUMN likes_count;

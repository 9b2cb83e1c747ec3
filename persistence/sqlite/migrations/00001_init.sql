-- Bunnybook's relational schema for SQLite. Ids are canonical lower-case
-- UUID text; times are INTEGER milliseconds since the Unix epoch (UTC).

-- +goose Up
CREATE TABLE profile (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE, -- case-sensitive: "Bob" and "bob" are two profiles
    email         TEXT NOT NULL UNIQUE, -- stored lower-case
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL DEFAULT 'USER' CHECK (role IN ('USER', 'ADMIN')),
    avatar_seed   TEXT NOT NULL,
    registered_at INTEGER NOT NULL
) STRICT;

CREATE TABLE refresh_token (
    id         TEXT PRIMARY KEY,
    family_id  TEXT NOT NULL,
    profile_id TEXT NOT NULL REFERENCES profile (id) ON DELETE CASCADE,
    hash       TEXT NOT NULL UNIQUE, -- hex SHA-256 of the token
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    rotated_at INTEGER,
    revoked_at INTEGER
) STRICT;
CREATE INDEX refresh_token_family_idx ON refresh_token (family_id);
CREATE INDEX refresh_token_profile_idx ON refresh_token (profile_id);

CREATE TABLE post (
    id              TEXT PRIMARY KEY,
    content         TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    wall_profile_id TEXT NOT NULL REFERENCES profile (id) ON DELETE CASCADE,
    profile_id      TEXT NOT NULL REFERENCES profile (id) ON DELETE CASCADE, -- author
    privacy         TEXT NOT NULL CHECK (privacy IN ('PUBLIC', 'FRIENDS')),
    comments_count  INTEGER NOT NULL DEFAULT 0
) STRICT;
-- Wall pages: newest first, keyset on (created_at, id).
CREATE INDEX post_wall_idx ON post (wall_profile_id, created_at DESC, id DESC);
CREATE INDEX post_author_idx ON post (profile_id);

CREATE TABLE comment (
    id         TEXT PRIMARY KEY,
    content    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    post_id    TEXT NOT NULL REFERENCES post (id) ON DELETE CASCADE,
    profile_id TEXT NOT NULL REFERENCES profile (id) ON DELETE CASCADE -- author
) STRICT;
CREATE INDEX comment_post_idx ON comment (post_id, created_at DESC, id DESC);
CREATE INDEX comment_author_idx ON comment (profile_id, post_id);

CREATE TABLE notification (
    id         TEXT PRIMARY KEY,
    profile_id TEXT NOT NULL REFERENCES profile (id) ON DELETE CASCADE, -- recipient
    created_at INTEGER NOT NULL,
    event      TEXT NOT NULL,
    payload    TEXT NOT NULL CHECK (json_valid(payload)), -- JSON object of strings
    read       INTEGER NOT NULL DEFAULT 0 CHECK (read IN (0, 1)),
    visited    INTEGER NOT NULL DEFAULT 0 CHECK (visited IN (0, 1))
) STRICT;
CREATE INDEX notification_profile_idx ON notification (profile_id, created_at DESC, id DESC);
CREATE INDEX notification_unread_idx ON notification (profile_id) WHERE read = 0;

-- A pending request from_id -> to_id. At most one relationship per pair:
-- the store checks both directions and friendship in one transaction.
CREATE TABLE friend_request (
    from_id    TEXT NOT NULL REFERENCES profile (id) ON DELETE CASCADE,
    to_id      TEXT NOT NULL REFERENCES profile (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (from_id, to_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX friend_request_to_idx ON friend_request (to_id, from_id);

-- A friendship is stored in both directions, so every query starts from
-- profile_id and uses the primary key.
CREATE TABLE friendship (
    profile_id TEXT NOT NULL REFERENCES profile (id) ON DELETE CASCADE,
    friend_id  TEXT NOT NULL REFERENCES profile (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (profile_id, friend_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX friendship_friend_idx ON friendship (friend_id);

CREATE TABLE chat_group (
    id         TEXT PRIMARY KEY,
    private    INTEGER NOT NULL DEFAULT 1 CHECK (private IN (0, 1)),
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    pair_key   TEXT UNIQUE, -- "minId:maxId" of a private group's members: one group per pair
    last_seq   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE chat_member (
    chat_group_id TEXT NOT NULL REFERENCES chat_group (id) ON DELETE CASCADE,
    profile_id    TEXT NOT NULL REFERENCES profile (id) ON DELETE CASCADE,
    PRIMARY KEY (chat_group_id, profile_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX chat_member_profile_idx ON chat_member (profile_id, chat_group_id);

CREATE TABLE chat_message (
    id              TEXT PRIMARY KEY,
    chat_group_id   TEXT NOT NULL REFERENCES chat_group (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    from_profile_id TEXT NOT NULL REFERENCES profile (id) ON DELETE CASCADE,
    content         TEXT NOT NULL,
    client_id       TEXT, -- NULL when the sender gave none
    created_at      INTEGER NOT NULL,
    CONSTRAINT chat_message_seq_key UNIQUE (chat_group_id, seq),
    CONSTRAINT chat_message_client_id_key UNIQUE (chat_group_id, from_profile_id, client_id)
) STRICT;
CREATE INDEX chat_message_page_idx ON chat_message (chat_group_id, created_at DESC, id DESC);
CREATE INDEX chat_message_from_idx ON chat_message (from_profile_id);

-- One read pointer per member and group: the highest seq read.
CREATE TABLE chat_read (
    profile_id    TEXT NOT NULL REFERENCES profile (id) ON DELETE CASCADE,
    chat_group_id TEXT NOT NULL REFERENCES chat_group (id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    read_at       INTEGER NOT NULL,
    PRIMARY KEY (profile_id, chat_group_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX chat_read_group_idx ON chat_read (chat_group_id);

-- +goose Down
DROP TABLE chat_read;
DROP TABLE chat_message;
DROP TABLE chat_member;
DROP TABLE chat_group;
DROP TABLE friendship;
DROP TABLE friend_request;
DROP TABLE notification;
DROP TABLE comment;
DROP TABLE post;
DROP TABLE refresh_token;
DROP TABLE profile;

-- Bunnybook's relational schema. Every id is a UUID, every instant a
-- timestamptz holding milliseconds (the domain truncates before storing).
-- Usernames use the "C" collation so that ordering and keyset cursors
-- compare bytes, exactly like Go strings and the SQLite backend.

-- +goose Up

-- Extensions are per database while tests migrate one schema each, in
-- parallel: the advisory lock (held to the end of this migration's
-- transaction) stops two of them from creating pg_trgm at once.
SELECT pg_advisory_xact_lock(7406853412260);
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

CREATE TABLE profile (
    id            uuid PRIMARY KEY,
    username      text COLLATE "C" NOT NULL CONSTRAINT profile_username_key UNIQUE,
    email         text NOT NULL CONSTRAINT profile_email_key UNIQUE,
    password_hash text NOT NULL,
    role          text NOT NULL DEFAULT 'USER' CHECK (role IN ('USER', 'ADMIN')),
    avatar_seed   text NOT NULL,
    registered_at timestamptz NOT NULL
);
-- Case-insensitive substring search (ILIKE '%q%').
CREATE INDEX profile_username_trgm_idx ON profile USING gin (username gin_trgm_ops);

CREATE TABLE refresh_token (
    id         uuid PRIMARY KEY,
    family_id  uuid NOT NULL,
    profile_id uuid NOT NULL REFERENCES profile ON DELETE CASCADE,
    hash       text NOT NULL CONSTRAINT refresh_token_hash_key UNIQUE,
    issued_at  timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    rotated_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX refresh_token_family_idx ON refresh_token (family_id);
CREATE INDEX refresh_token_profile_idx ON refresh_token (profile_id);

CREATE TABLE post (
    id              uuid PRIMARY KEY,
    content         text NOT NULL,
    created_at      timestamptz NOT NULL,
    wall_profile_id uuid NOT NULL REFERENCES profile ON DELETE CASCADE,
    profile_id      uuid NOT NULL REFERENCES profile ON DELETE CASCADE,
    privacy         text NOT NULL CHECK (privacy IN ('PUBLIC', 'FRIENDS')),
    comments_count  integer NOT NULL DEFAULT 0
);
-- Wall pages: WHERE wall_profile_id = $1 AND (created_at, id) < ($2, $3)
-- ORDER BY created_at DESC, id DESC.
CREATE INDEX post_wall_idx ON post (wall_profile_id, created_at DESC, id DESC);
CREATE INDEX post_author_idx ON post (profile_id);

CREATE TABLE comment (
    id         uuid PRIMARY KEY,
    content    text NOT NULL,
    created_at timestamptz NOT NULL,
    post_id    uuid NOT NULL REFERENCES post ON DELETE CASCADE,
    profile_id uuid NOT NULL REFERENCES profile ON DELETE CASCADE
);
CREATE INDEX comment_post_idx ON comment (post_id, created_at DESC, id DESC) INCLUDE (profile_id);
CREATE INDEX comment_author_idx ON comment (profile_id);

CREATE TABLE notification (
    id         uuid PRIMARY KEY,
    profile_id uuid NOT NULL REFERENCES profile ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    event      text NOT NULL,
    payload    jsonb NOT NULL,
    read       boolean NOT NULL DEFAULT false,
    visited    boolean NOT NULL DEFAULT false
);
CREATE INDEX notification_profile_idx ON notification (profile_id, created_at DESC, id DESC);
-- The unread badge counts only unread rows.
CREATE INDEX notification_unread_idx ON notification (profile_id) WHERE NOT read;

-- A pending request from_id → to_id. At most one relationship per pair is
-- enforced by the store's transactions (they lock both profiles).
CREATE TABLE friend_request (
    from_id    uuid NOT NULL REFERENCES profile ON DELETE CASCADE,
    to_id      uuid NOT NULL REFERENCES profile ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (from_id, to_id),
    CHECK (from_id <> to_id)
);
CREATE INDEX friend_request_to_idx ON friend_request (to_id, from_id);

-- Friendships are stored in both directions, so "friends of X" is one
-- index range and friends of friends one join.
CREATE TABLE friendship (
    profile_id uuid NOT NULL REFERENCES profile ON DELETE CASCADE,
    friend_id  uuid NOT NULL REFERENCES profile ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (profile_id, friend_id),
    CHECK (profile_id <> friend_id)
);
CREATE INDEX friendship_friend_idx ON friendship (friend_id, profile_id);

CREATE TABLE chat_group (
    id         uuid PRIMARY KEY,
    private    boolean NOT NULL DEFAULT true,
    active     boolean NOT NULL DEFAULT true,
    -- "minId:maxId" of a private group's members: one group per pair, ever.
    pair_key   text CONSTRAINT chat_group_pair_key_key UNIQUE,
    last_seq   bigint NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL
);

CREATE TABLE chat_member (
    chat_group_id uuid NOT NULL REFERENCES chat_group ON DELETE CASCADE,
    profile_id    uuid NOT NULL REFERENCES profile ON DELETE CASCADE,
    PRIMARY KEY (chat_group_id, profile_id)
);
CREATE INDEX chat_member_profile_idx ON chat_member (profile_id, chat_group_id);

CREATE TABLE chat_message (
    id              uuid PRIMARY KEY,
    chat_group_id   uuid NOT NULL REFERENCES chat_group ON DELETE CASCADE,
    seq             bigint NOT NULL CHECK (seq > 0),
    from_profile_id uuid NOT NULL REFERENCES profile ON DELETE CASCADE,
    content         text NOT NULL,
    -- NULL when the sender gave none (NULLs never collide).
    client_id       text,
    created_at      timestamptz NOT NULL,
    CONSTRAINT chat_message_seq_key UNIQUE (chat_group_id, seq),
    CONSTRAINT chat_message_client_id_key UNIQUE (chat_group_id, from_profile_id, client_id)
);
CREATE INDEX chat_message_page_idx ON chat_message (chat_group_id, created_at DESC, id DESC);
CREATE INDEX chat_message_from_idx ON chat_message (from_profile_id);

-- A member's read pointer: the seq of the newest message they have read.
CREATE TABLE chat_read (
    profile_id    uuid NOT NULL REFERENCES profile ON DELETE CASCADE,
    chat_group_id uuid NOT NULL REFERENCES chat_group ON DELETE CASCADE,
    seq           bigint NOT NULL,
    read_at       timestamptz NOT NULL,
    PRIMARY KEY (profile_id, chat_group_id)
);
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

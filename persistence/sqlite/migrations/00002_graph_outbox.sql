-- The graph outbox: every new account and every friendship write appends
-- one event here in the same transaction, so a graph projection (Neo4j)
-- can replay them in id order. See bunnybook.GraphOutbox.

-- +goose Up
CREATE TABLE graph_outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL CHECK (json_valid(payload)),
    created_at INTEGER NOT NULL
) STRICT;

-- The highest event id ever deleted, so a projection that is behind it
-- knows it missed events (one row).
CREATE TABLE graph_outbox_state (
    one         INTEGER PRIMARY KEY CHECK (one = 1),
    pruned_upto INTEGER NOT NULL
) STRICT;
INSERT INTO graph_outbox_state (one, pruned_upto) VALUES (1, 0);

-- +goose Down
DROP TABLE graph_outbox_state;
DROP TABLE graph_outbox;

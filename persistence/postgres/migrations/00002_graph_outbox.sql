-- The graph outbox: every new account and every friendship write appends
-- one event here in the same transaction, so a graph projection (Neo4j)
-- can replay them in id order. Writers take a transaction-level advisory
-- lock just before inserting (see appendGraphEvent), so ids become visible
-- in commit order and a reader never skips an id that commits late.

-- +goose Up
CREATE TABLE graph_outbox (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       text NOT NULL,
    payload    jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The highest event id ever deleted, so a projection that is behind it
-- knows it missed events (one row).
CREATE TABLE graph_outbox_state (
    one         boolean PRIMARY KEY DEFAULT true CHECK (one),
    pruned_upto bigint NOT NULL
);
INSERT INTO graph_outbox_state (pruned_upto) VALUES (0);

-- +goose Down
DROP TABLE graph_outbox_state;
DROP TABLE graph_outbox;

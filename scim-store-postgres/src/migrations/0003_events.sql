-- scimkit-store-postgres schema, version 3: the event feed (an outbox written in the same
-- transaction as each change), and the consumers' checkpoints.

-- One row per tenant with a feed: the number of its last event, and of the last one pruned.
-- A write locks its tenant's row as its last statement before COMMIT, so events are numbered
-- in commit order: no event becomes visible after one with a greater number.
CREATE TABLE scim_event_feeds (
    tenant         text   PRIMARY KEY,
    last_seq       bigint NOT NULL,
    pruned_through bigint NOT NULL DEFAULT 0
);

CREATE TABLE scim_events (
    tenant text   NOT NULL,
    seq    bigint NOT NULL,
    body   jsonb  NOT NULL,
    PRIMARY KEY (tenant, seq)
);

CREATE TABLE scim_event_checkpoints (
    tenant   text   NOT NULL,
    consumer text   NOT NULL,
    seq      bigint NOT NULL,
    PRIMARY KEY (tenant, consumer)
);

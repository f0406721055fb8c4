-- Idempotency-Key (IETF httpapi draft): the first request under a key is run and its answer kept;
-- a retry gets the kept answer. Keys belong to one caller (organization and subject) and are
-- kept at least 24 hours.
CREATE TABLE idempotency_key (
    owner         text NOT NULL,
    key           text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    fingerprint   text NOT NULL,
    -- Which run owns the key: a run taken over after a restart can't overwrite its successor.
    claim         uuid NOT NULL,
    started_at    timestamptz NOT NULL DEFAULT now(),
    status_code   integer,
    etag          text,
    location      text,
    content_type  text,
    body          bytea,
    completed_at  timestamptz,
    PRIMARY KEY (owner, key)
);
CREATE INDEX idempotency_key_started_idx ON idempotency_key (started_at);

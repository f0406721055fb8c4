-- The audit trail: who did what to which resource, when, in which request. Written in the same
-- transaction as each write, and for each read of restricted data. Append-only, and
-- tamper-evident: each event carries a SHA-256 over its fields and the previous event's hash,
-- so an edited, removed or inserted event breaks the chain (`gloact audit verify`).
CREATE TABLE audit_event (
    seq             bigint PRIMARY KEY,
    occurred_at     timestamptz NOT NULL,
    actor           text NOT NULL,
    role            text NOT NULL,
    organization    text NOT NULL,
    action          text NOT NULL,
    resource_type   text NOT NULL,
    resource_id     text,
    -- For a read of several rows (a page): one event naming them all.
    resource_ids    text[] NOT NULL DEFAULT '{}',
    request_id      text,
    changed_fields  text[] NOT NULL DEFAULT '{}',
    prev_hash       text NOT NULL,
    hash            text NOT NULL
);
CREATE INDEX audit_event_resource_idx ON audit_event (resource_type, resource_id, seq);
CREATE INDEX audit_event_actor_idx ON audit_event (actor, seq);
CREATE INDEX audit_event_occurred_idx ON audit_event (occurred_at);
CREATE INDEX audit_event_request_idx ON audit_event (request_id);

CREATE FUNCTION gloact_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only';
END
$$;
CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION gloact_audit_append_only();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION gloact_audit_append_only();

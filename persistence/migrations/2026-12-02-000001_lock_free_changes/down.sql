DROP TABLE audit_checkpoint;
CREATE OR REPLACE FUNCTION gloact_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only';
END
$$;
-- Events not sealed yet can't be kept in the old table, which needs a place in the chain.
ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update;
DELETE FROM audit_event WHERE seq IS NULL;
ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update;
DROP INDEX audit_event_unsealed_idx;
ALTER TABLE audit_event
    DROP CONSTRAINT audit_event_sealed_whole,
    DROP CONSTRAINT audit_event_seq_key,
    DROP CONSTRAINT audit_event_pkey,
    ALTER COLUMN seq SET NOT NULL,
    ALTER COLUMN prev_hash SET NOT NULL,
    ALTER COLUMN hash SET NOT NULL,
    DROP COLUMN pos,
    ADD CONSTRAINT audit_event_pkey PRIMARY KEY (seq);

ALTER TABLE sight_lost ALTER COLUMN change_seq DROP DEFAULT;
-- Numbers handed out since stay above what the sequence gives next.
SELECT setval('change_seq', greatest(gloact_last_change_number(), 1));
CREATE OR REPLACE FUNCTION gloact_touch_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7243001);
    NEW.change_seq := nextval('change_seq');
    IF TG_OP = 'INSERT' THEN
        NEW.version := 1;
        NEW.created_at := now();
        NEW.updated_at := NEW.created_at;
    ELSE
        NEW.version := OLD.version + 1;
        NEW.created_at := OLD.created_at;
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END
$$;
DROP FUNCTION gloact_last_change_number();
DROP FUNCTION gloact_await_change_horizon(integer);
DROP FUNCTION gloact_change_horizon();
DROP FUNCTION gloact_next_change_number();
DROP FUNCTION gloact_change_clock_behind();
DROP FUNCTION gloact_rebase_change_clock();
DROP TABLE change_clock;

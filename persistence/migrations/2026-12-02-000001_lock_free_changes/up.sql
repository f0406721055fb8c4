-- Change numbers and the audit chain without a global lock.
--
-- Until now every writer took one advisory lock (change numbers in commit order) and every
-- audited action another (the hash chain), both held through the commit: the system wrote one
-- transaction at a time. Now a change number is derived from the writing transaction's id, and
-- readers of changes only go as far as the oldest transaction still running:
--
--   number  = base + ((xid - xid0) << 23) + (nextval('change_seq') mod 2^23)
--   horizon = base + ((xmin - xid0) << 23)      xmin = pg_snapshot_xmin(pg_current_snapshot())
--
-- Every row a transaction writes is numbered within its transaction's own block of 2^23
-- numbers, and blocks follow transaction ids. A transaction below xmin has finished, and every
-- transaction still running or yet to start has an id of at least xmin, so no row can ever
-- commit below the horizon once a reader has seen it: a walk of "changed after N" that stops at
-- the horizon never skips a late commit, and writers wait for nobody. `base` puts every new
-- number above every number handed out before (clients keep their `changed_after`), and `xid0`
-- is the transaction id at which the clock was set.
--
-- Transaction ids are per cluster: a database restored into another cluster may see smaller
-- ids than `xid0`. Numbering then refuses to run until the clock is set again
-- (gloact_rebase_change_clock(), which `gloact migrate` and every start do when needed).

CREATE TABLE change_clock (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    base      bigint NOT NULL,
    xid0      bigint NOT NULL
);

-- The highest change number stored (0 when there is none).
CREATE FUNCTION gloact_last_change_number() RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE
    top bigint := 0;
    found bigint;
    t record;
BEGIN
    FOR t IN SELECT c.table_name FROM information_schema.columns c
             JOIN information_schema.tables USING (table_schema, table_name)
             WHERE c.column_name = 'change_seq' AND c.table_schema = current_schema()
               AND table_type = 'BASE TABLE'
    LOOP
        EXECUTE format('SELECT max(change_seq) FROM %I', t.table_name) INTO found;
        top := greatest(top, coalesce(found, 0));
    END LOOP;
    RETURN top;
END
$$;

-- Sets the clock above every change number and audit position stored (and every sequence value
-- handed out), from the current transaction's id.
CREATE FUNCTION gloact_rebase_change_clock() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    top bigint;
BEGIN
    SELECT greatest(CASE WHEN is_called THEN last_value ELSE 0 END, gloact_last_change_number(),
                    (SELECT coalesce(max(pos), 0) FROM audit_event))
        INTO top FROM change_seq;
    DELETE FROM change_clock;
    INSERT INTO change_clock (base, xid0) VALUES (top + 1, pg_current_xact_id()::text::bigint);
END
$$;

-- Whether the clock must be set again: this cluster's transaction ids are below its start.
CREATE FUNCTION gloact_change_clock_behind() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint < xid0 FROM change_clock
$$;

-- The next change number of the current transaction (the default of the columns the trigger
-- below doesn't set; it computes the same, inline).
CREATE FUNCTION gloact_next_change_number() RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    number bigint;
BEGIN
    SELECT CASE WHEN pg_current_xact_id()::text::bigint >= xid0
                THEN base + ((pg_current_xact_id()::text::bigint - xid0) << 23)
                     + (nextval('change_seq') & 8388607) END
        INTO number FROM change_clock;
    IF number IS NULL THEN
        RAISE EXCEPTION 'the change clock is ahead of this cluster (a restored database?): run gloact migrate';
    END IF;
    RETURN number;
END
$$;

-- Every change number below this one is final: its transaction has ended, and no transaction
-- running or to come can write below it. Computed from the calling statement's snapshot.
CREATE FUNCTION gloact_change_horizon() RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT base + ((pg_snapshot_xmin(pg_current_snapshot())::text::bigint - xid0) << 23)
    FROM change_clock
$$;

-- Waits (at most max_wait_ms) until every transaction that had ended or was running when it was
-- called has ended, so that a walk of changes started next sees what committed before it:
-- read-your-writes for a client that writes and then syncs. Call it outside a
-- REPEATABLE READ transaction (it needs a fresh snapshot each time round).
CREATE FUNCTION gloact_await_change_horizon(max_wait_ms integer) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    target xid8 := pg_snapshot_xmax(pg_current_snapshot());
    deadline timestamptz := clock_timestamp() + max_wait_ms * interval '1 millisecond';
BEGIN
    WHILE pg_snapshot_xmin(pg_current_snapshot()) < target LOOP
        IF clock_timestamp() >= deadline THEN
            RETURN false;
        END IF;
        PERFORM pg_sleep(0.0005);
    END LOOP;
    RETURN true;
END
$$;

-- The bookkeeping trigger, as before but without the lock. The number is computed here as
-- gloact_next_change_number() does, not by calling it: a second PL/pgSQL call per row cost a
-- sixth of the single-report insert rate.
CREATE OR REPLACE FUNCTION gloact_touch_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT CASE WHEN pg_current_xact_id()::text::bigint >= xid0
                THEN base + ((pg_current_xact_id()::text::bigint - xid0) << 23)
                     + (nextval('change_seq') & 8388607) END
        INTO NEW.change_seq FROM change_clock;
    IF NEW.change_seq IS NULL THEN
        RAISE EXCEPTION 'the change clock is ahead of this cluster (a restored database?): run gloact migrate';
    END IF;
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

ALTER TABLE sight_lost ALTER COLUMN change_seq SET DEFAULT gloact_next_change_number();

-- The audit trail: events are written in the action's transaction with a position from the same
-- clock (`pos`), and chained afterwards by one sealer at a time, in position order, below the
-- horizon: `seq`, `prev_hash` and `hash` are set once, when the event is sealed. Events sealed
-- before this migration keep their chain; their positions are below every new one.
ALTER TABLE audit_event DROP CONSTRAINT audit_event_pkey;
ALTER TABLE audit_event ADD COLUMN pos bigint;
ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update;
UPDATE audit_event SET pos = seq - 1 - (SELECT coalesce(max(seq), 0) FROM audit_event);
ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update;
ALTER TABLE audit_event
    ALTER COLUMN pos SET NOT NULL,
    ALTER COLUMN pos SET DEFAULT gloact_next_change_number(),
    ADD CONSTRAINT audit_event_pkey PRIMARY KEY (pos),
    ALTER COLUMN seq DROP NOT NULL,
    ALTER COLUMN prev_hash DROP NOT NULL,
    ALTER COLUMN hash DROP NOT NULL,
    ADD CONSTRAINT audit_event_seq_key UNIQUE (seq),
    ADD CONSTRAINT audit_event_sealed_whole CHECK (
        (seq IS NULL) = (hash IS NULL) AND (seq IS NULL) = (prev_hash IS NULL));
CREATE INDEX audit_event_unsealed_idx ON audit_event (pos) WHERE seq IS NULL;

-- Append-only still: the one update allowed is sealing an unsealed event, once, changing nothing
-- but its place in the chain.
CREATE OR REPLACE FUNCTION gloact_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
        AND (to_jsonb(OLD) - '{seq,prev_hash,hash}'::text[])
            = (to_jsonb(NEW) - '{seq,prev_hash,hash}'::text[]) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_event is append-only';
END
$$;

-- Signed checkpoints of the chain's head, one per sealing run: the signature is made with a key
-- the database never holds, so whoever owns the tables can't rewrite the chain and its
-- checkpoints together unseen (`gloact audit verify` checks both).
CREATE TABLE audit_checkpoint (
    seq        bigint PRIMARY KEY,
    hash       text NOT NULL,
    signed_at  timestamptz NOT NULL,
    key_id     text NOT NULL,
    signature  text NOT NULL
);
CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE OR DELETE ON audit_checkpoint
    FOR EACH ROW EXECUTE FUNCTION gloact_audit_append_only();

SELECT pg_advisory_xact_lock(7243001);
SELECT gloact_rebase_change_clock();

-- The programme's work plan and results framework, with the bookkeeping every mutable row carries:
-- created_at, updated_at, version (optimistic concurrency, the ETag) and change_seq (delta sync).
-- Deletes are soft (deleted_at) so that they can be served as tombstones.

-- One sequence numbers every change in every table.
CREATE SEQUENCE change_seq AS bigint;

-- Sets the bookkeeping columns on every insert and update, whatever the writer sends.
--
-- Change numbers are taken under a transaction-scoped advisory lock, so they are handed out in
-- commit order: a reader of "changed after N" can never see N+1 while N is still uncommitted and
-- so never skips a row that commits late. The application takes the same lock first thing in each
-- writing transaction (before any row lock), which keeps the two from deadlocking.
CREATE FUNCTION gloact_touch_row() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- An activity's representation embeds its participations, objectives and follow-up actions, so a
-- change to one of them is a change to the activity: its version (ETag) and change number move,
-- once per transaction (a row whose xmin is this transaction was already touched, or created).
CREATE FUNCTION gloact_touch_parent_activity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE activity SET updated_at = now()
    WHERE id = NEW.activity_id AND xmin <> pg_current_xact_id()::xid;
    RETURN NULL;
END
$$;

-- The rules of the domain's value types, repeated here so that no writer (a migration, a script,
-- psql) can store a row the API would refuse to read.
CREATE FUNCTION gloact_is_code(value text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT value ~ '^[A-Z0-9][A-Z0-9._-]{0,63}$'
$$;
CREATE FUNCTION gloact_is_line(value text, max_chars integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT value = btrim(value) AND value <> '' AND char_length(value) <= max_chars
        AND value !~ '[[:cntrl:]]'
$$;

CREATE TABLE organization (
    id          uuid PRIMARY KEY,
    code        text NOT NULL CHECK (gloact_is_code(code)),
    name        text NOT NULL CHECK (gloact_is_line(name, 300)),
    kind        text NOT NULL CHECK (kind IN ('government', 'un_agency', 'donor', 'civil_society',
                                              'international_org', 'other')),
    country     text NOT NULL CHECK (country ~ '^[A-Z]{3}$'),
    parent_id   uuid REFERENCES organization (id),
    iati_ref    text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1,
    change_seq  bigint NOT NULL DEFAULT 0,
    deleted_at  timestamptz,
    CONSTRAINT organization_code_key UNIQUE (code)
);
CREATE INDEX organization_change_seq_idx ON organization (change_seq);
CREATE INDEX organization_parent_idx ON organization (parent_id);
CREATE INDEX organization_kind_idx ON organization (kind, id);
CREATE INDEX organization_country_idx ON organization (country, id);
CREATE TRIGGER organization_touch BEFORE INSERT OR UPDATE ON organization
    FOR EACH ROW EXECUTE FUNCTION gloact_touch_row();

CREATE TABLE programme (
    id               uuid PRIMARY KEY,
    code             text NOT NULL CHECK (gloact_is_code(code)),
    title            text NOT NULL CHECK (gloact_is_line(title, 300)),
    start_date       date NOT NULL,
    end_date         date NOT NULL,
    countries        text[] NOT NULL,
    iati_identifier  text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    version          integer NOT NULL DEFAULT 1,
    change_seq       bigint NOT NULL DEFAULT 0,
    deleted_at       timestamptz,
    CONSTRAINT programme_code_key UNIQUE (code),
    CONSTRAINT programme_dates_ordered CHECK (end_date >= start_date)
);
CREATE INDEX programme_change_seq_idx ON programme (change_seq);
CREATE TRIGGER programme_touch BEFORE INSERT OR UPDATE ON programme
    FOR EACH ROW EXECUTE FUNCTION gloact_touch_row();

-- Funders and implementers of a programme.
CREATE TABLE programme_partner (
    programme_id     uuid NOT NULL REFERENCES programme (id),
    organization_id  uuid NOT NULL REFERENCES organization (id),
    role             text NOT NULL CHECK (role IN ('funder', 'implementer')),
    PRIMARY KEY (programme_id, role, organization_id)
);

CREATE TABLE activity (
    id                      uuid PRIMARY KEY,
    programme_id            uuid NOT NULL REFERENCES programme (id),
    parent_id               uuid REFERENCES activity (id),
    code                    text NOT NULL CHECK (gloact_is_code(code)),
    title                   text NOT NULL CHECK (gloact_is_line(title, 300)),
    description             text,
    kind                    text NOT NULL CHECK (kind IN ('consultation', 'meeting', 'workshop', 'training',
                                'validation_workshop', 'study', 'legislative_review', 'awareness',
                                'assistance', 'other')),
    pillar                  text NOT NULL CHECK (pillar IN ('coordination', 'research_evidence',
                                'legislative_review', 'capacity_building', 'international_cooperation',
                                'victim_assistance')),
    status                  text NOT NULL CHECK (status IN ('planned', 'ongoing', 'completed', 'postponed',
                                'cancelled')),
    visibility              text NOT NULL CHECK (visibility IN ('public', 'restricted')),
    planned_start           date,
    planned_end             date,
    actual_start            date,
    actual_end              date,
    location                text,
    district                text,
    participants_female     integer NOT NULL DEFAULT 0 CHECK (participants_female BETWEEN 0 AND 1000000),
    participants_male       integer NOT NULL DEFAULT 0 CHECK (participants_male BETWEEN 0 AND 1000000),
    participants_other      integer NOT NULL DEFAULT 0 CHECK (participants_other BETWEEN 0 AND 1000000),
    judges                  integer NOT NULL DEFAULT 0 CHECK (judges BETWEEN 0 AND 1000000),
    prosecutors             integer NOT NULL DEFAULT 0 CHECK (prosecutors BETWEEN 0 AND 1000000),
    law_enforcement         integer NOT NULL DEFAULT 0 CHECK (law_enforcement BETWEEN 0 AND 1000000),
    officials               integer NOT NULL DEFAULT 0 CHECK (officials BETWEEN 0 AND 1000000),
    civil_society           integer NOT NULL DEFAULT 0 CHECK (civil_society BETWEEN 0 AND 1000000),
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    version                 integer NOT NULL DEFAULT 1,
    change_seq              bigint NOT NULL DEFAULT 0,
    deleted_at              timestamptz,
    CONSTRAINT activity_planned_dates_ordered CHECK (planned_end >= planned_start),
    CONSTRAINT activity_actual_dates_ordered CHECK (actual_end >= actual_start),
    -- Actor types are a breakdown of the participants, not more people.
    CONSTRAINT activity_actor_types_within_participants CHECK (
        judges + prosecutors + law_enforcement + officials + civil_society
            <= participants_female + participants_male + participants_other)
);
CREATE UNIQUE INDEX activity_programme_code_key ON activity (programme_id, code) WHERE deleted_at IS NULL;
CREATE INDEX activity_change_seq_idx ON activity (change_seq);
CREATE INDEX activity_programme_idx ON activity (programme_id, id);
CREATE INDEX activity_parent_idx ON activity (parent_id, id);
CREATE INDEX activity_kind_idx ON activity (kind, id);
CREATE INDEX activity_pillar_idx ON activity (pillar, id);
CREATE INDEX activity_status_idx ON activity (status, id);
CREATE INDEX activity_district_idx ON activity (district, id);
CREATE INDEX activity_planned_start_idx ON activity (planned_start);
CREATE INDEX activity_planned_end_idx ON activity (planned_end);
CREATE TRIGGER activity_touch BEFORE INSERT OR UPDATE ON activity
    FOR EACH ROW EXECUTE FUNCTION gloact_touch_row();

CREATE TABLE participation (
    id               uuid PRIMARY KEY,
    activity_id      uuid NOT NULL REFERENCES activity (id),
    organization_id  uuid NOT NULL REFERENCES organization (id),
    role             text NOT NULL CHECK (role IN ('funding', 'accountable', 'extending', 'implementing',
                                                   'organizer', 'participant')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    version          integer NOT NULL DEFAULT 1,
    change_seq       bigint NOT NULL DEFAULT 0,
    deleted_at       timestamptz
);
CREATE UNIQUE INDEX participation_key ON participation (activity_id, organization_id, role)
    WHERE deleted_at IS NULL;
CREATE INDEX participation_organization_idx ON participation (organization_id, activity_id);
CREATE INDEX participation_change_seq_idx ON participation (change_seq);
CREATE TRIGGER participation_touch BEFORE INSERT OR UPDATE ON participation
    FOR EACH ROW EXECUTE FUNCTION gloact_touch_row();
CREATE TRIGGER participation_touch_activity AFTER INSERT OR UPDATE ON participation
    FOR EACH ROW EXECUTE FUNCTION gloact_touch_parent_activity();

CREATE TABLE objective (
    id           uuid PRIMARY KEY,
    activity_id  uuid NOT NULL REFERENCES activity (id),
    description  text NOT NULL,
    achieved     boolean NOT NULL DEFAULT false,
    evidence     text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    version      integer NOT NULL DEFAULT 1,
    change_seq   bigint NOT NULL DEFAULT 0,
    deleted_at   timestamptz
);
CREATE INDEX objective_activity_idx ON objective (activity_id);
CREATE INDEX objective_change_seq_idx ON objective (change_seq);
CREATE TRIGGER objective_touch BEFORE INSERT OR UPDATE ON objective
    FOR EACH ROW EXECUTE FUNCTION gloact_touch_row();
CREATE TRIGGER objective_touch_activity AFTER INSERT OR UPDATE ON objective
    FOR EACH ROW EXECUTE FUNCTION gloact_touch_parent_activity();

CREATE TABLE follow_up_action (
    id                     uuid PRIMARY KEY,
    activity_id            uuid NOT NULL REFERENCES activity (id),
    owner_organization_id  uuid NOT NULL REFERENCES organization (id),
    title                  text NOT NULL CHECK (gloact_is_line(title, 300)),
    description            text,
    due_date               date,
    status                 text NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'dropped')),
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    version                integer NOT NULL DEFAULT 1,
    change_seq             bigint NOT NULL DEFAULT 0,
    deleted_at             timestamptz
);
CREATE INDEX follow_up_action_activity_idx ON follow_up_action (activity_id, id);
CREATE INDEX follow_up_action_owner_idx ON follow_up_action (owner_organization_id, id);
CREATE INDEX follow_up_action_status_idx ON follow_up_action (status, id);
CREATE INDEX follow_up_action_change_seq_idx ON follow_up_action (change_seq);
CREATE TRIGGER follow_up_action_touch BEFORE INSERT OR UPDATE ON follow_up_action
    FOR EACH ROW EXECUTE FUNCTION gloact_touch_row();
CREATE TRIGGER follow_up_action_touch_activity AFTER INSERT OR UPDATE ON follow_up_action
    FOR EACH ROW EXECUTE FUNCTION gloact_touch_parent_activity();

CREATE TABLE indicator (
    id                    uuid PRIMARY KEY,
    programme_id          uuid NOT NULL REFERENCES programme (id),
    code                  text NOT NULL CHECK (gloact_is_code(code)),
    title                 text NOT NULL CHECK (gloact_is_line(title, 300)),
    result_level          text NOT NULL CHECK (result_level IN ('outcome', 'output')),
    measure               text NOT NULL CHECK (measure IN ('unit', 'percentage')),
    baseline_value        double precision,
    baseline_year         integer,
    disaggregated_by_sex  boolean NOT NULL DEFAULT false,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    version               integer NOT NULL DEFAULT 1,
    change_seq            bigint NOT NULL DEFAULT 0,
    deleted_at            timestamptz,
    CONSTRAINT indicator_programme_code_key UNIQUE (programme_id, code)
);
CREATE INDEX indicator_change_seq_idx ON indicator (change_seq);
CREATE INDEX indicator_programme_idx ON indicator (programme_id, id);
CREATE INDEX indicator_result_level_idx ON indicator (result_level, id);
CREATE TRIGGER indicator_touch BEFORE INSERT OR UPDATE ON indicator
    FOR EACH ROW EXECUTE FUNCTION gloact_touch_row();

CREATE TABLE indicator_period (
    id             uuid PRIMARY KEY,
    indicator_id   uuid NOT NULL REFERENCES indicator (id),
    period_start   date NOT NULL,
    period_end     date NOT NULL,
    target_value   double precision,
    actual_value   double precision,
    actual_female  double precision,
    actual_male    double precision,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    version        integer NOT NULL DEFAULT 1,
    change_seq     bigint NOT NULL DEFAULT 0,
    deleted_at     timestamptz,
    CONSTRAINT indicator_period_dates_ordered CHECK (period_end >= period_start),
    CONSTRAINT indicator_period_key UNIQUE (indicator_id, period_start, period_end)
);
CREATE INDEX indicator_period_change_seq_idx ON indicator_period (change_seq);
CREATE TRIGGER indicator_period_touch BEFORE INSERT OR UPDATE ON indicator_period
    FOR EACH ROW EXECUTE FUNCTION gloact_touch_row();

-- A period's figures belong to its indicator's representation, as children do to an activity.
CREATE FUNCTION gloact_touch_parent_indicator() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE indicator SET updated_at = now()
    WHERE id = NEW.indicator_id AND xmin <> pg_current_xact_id()::xid;
    RETURN NULL;
END
$$;
CREATE TRIGGER indicator_period_touch_indicator AFTER INSERT OR UPDATE ON indicator_period
    FOR EACH ROW EXECUTE FUNCTION gloact_touch_parent_indicator();

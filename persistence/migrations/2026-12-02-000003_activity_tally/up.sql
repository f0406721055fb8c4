-- Counts behind the dashboards, kept by the writing transactions instead of counted per request.
--
-- Each live activity counts once (and its participants) under each dimension the dashboards
-- group by ('total' with the key '', 'pillar', 'kind', 'status', 'month', 'district'), for each
-- audience that may see it: everyone (public activities, audience all zeros), those who see every
-- activity (restricted ones, audience all ones), and each organization taking part in a
-- restricted one (audience = its id). A caller's counts are the sum over its audiences: UNODC,
-- IOM and the EU take the first two, a government organization the first and its own.
--
-- Writers only ever insert into activity_tally_delta (no row is shared between writers, so no
-- writer waits for another); a change is the old row's contribution taken away and the new one's
-- added. A background job folds the deltas into activity_tally now and then; readers sum both
-- in one statement, which sees either a delta or its folded sum, never both.

CREATE TABLE activity_tally (
    programme_id     uuid NOT NULL,
    audience         uuid NOT NULL,
    dimension        text NOT NULL,
    key              text NOT NULL,
    activities       bigint NOT NULL,
    female           bigint NOT NULL,
    male             bigint NOT NULL,
    other            bigint NOT NULL,
    judges           bigint NOT NULL,
    prosecutors      bigint NOT NULL,
    law_enforcement  bigint NOT NULL,
    officials        bigint NOT NULL,
    civil_society    bigint NOT NULL,
    PRIMARY KEY (dimension, audience, programme_id, key)
);

-- The same columns, no key: writers only insert.
CREATE TABLE activity_tally_delta (LIKE activity_tally);
CREATE INDEX activity_tally_delta_dimension_idx ON activity_tally_delta (dimension, audience);

-- Adds (sign 1) or takes away (sign -1) a live activity's contribution for one audience.
CREATE FUNCTION gloact_tally_for(a activity, audience uuid, sign integer) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO activity_tally_delta (programme_id, audience, dimension, key, activities, female,
        male, other, judges, prosecutors, law_enforcement, officials, civil_society)
    SELECT a.programme_id, audience, d.dimension, d.key, sign,
           sign * a.participants_female, sign * a.participants_male, sign * a.participants_other,
           sign * a.judges, sign * a.prosecutors, sign * a.law_enforcement, sign * a.officials,
           sign * a.civil_society
    FROM (VALUES ('total', ''), ('pillar', a.pillar), ('kind', a.kind), ('status', a.status),
                 ('month', coalesce(to_char(coalesce(a.actual_start, a.planned_start), 'YYYY-MM'),
                                    'undated')),
                 ('district', coalesce(a.district, 'unknown'))) AS d (dimension, key)
    WHERE a.deleted_at IS NULL
$$;

-- Adds or takes away a live activity's contribution for every audience that sees it.
CREATE FUNCTION gloact_tally_activity(a activity, sign integer) RETURNS void
LANGUAGE sql AS $$
    SELECT gloact_tally_for(a, audience, sign)
    FROM (SELECT CASE a.visibility WHEN 'public' THEN '00000000-0000-0000-0000-000000000000'::uuid
                 ELSE 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid END AS audience
          UNION
          SELECT p.organization_id FROM participation p
          WHERE p.activity_id = a.id AND p.deleted_at IS NULL AND a.visibility = 'restricted') AS seen
$$;

CREATE FUNCTION gloact_tally_activity_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        -- Most updates (a child changed, a title) move no count.
        IF (OLD.programme_id, OLD.visibility, OLD.pillar, OLD.kind, OLD.status, OLD.actual_start,
            OLD.planned_start, OLD.district, OLD.deleted_at, OLD.participants_female,
            OLD.participants_male, OLD.participants_other, OLD.judges, OLD.prosecutors,
            OLD.law_enforcement, OLD.officials, OLD.civil_society)
           IS NOT DISTINCT FROM
           (NEW.programme_id, NEW.visibility, NEW.pillar, NEW.kind, NEW.status, NEW.actual_start,
            NEW.planned_start, NEW.district, NEW.deleted_at, NEW.participants_female,
            NEW.participants_male, NEW.participants_other, NEW.judges, NEW.prosecutors,
            NEW.law_enforcement, NEW.officials, NEW.civil_society) THEN
            RETURN NULL;
        END IF;
        PERFORM gloact_tally_activity(OLD, -1);
    END IF;
    PERFORM gloact_tally_activity(NEW, 1);
    RETURN NULL;
END
$$;
CREATE TRIGGER activity_tally AFTER INSERT OR UPDATE ON activity
    FOR EACH ROW EXECUTE FUNCTION gloact_tally_activity_change();

-- An organization that starts (or stops) taking part in a restricted activity starts (or stops)
-- seeing it: its audience gains (or loses) the activity, once however many roles it has. Per
-- statement, over the rows it wrote: an activity's participations are inserted together, and a
-- trigger per row would see its siblings already there.
CREATE FUNCTION gloact_tally_participations_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM gloact_tally_for(a, added.organization_id, 1)
    FROM (SELECT DISTINCT n.activity_id, n.organization_id FROM new_rows n
          WHERE n.deleted_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM participation p
                            WHERE p.activity_id = n.activity_id
                              AND p.organization_id = n.organization_id
                              AND p.deleted_at IS NULL
                              AND p.id NOT IN (SELECT id FROM new_rows))) AS added
    JOIN activity a ON a.id = added.activity_id AND a.visibility = 'restricted';
    RETURN NULL;
END
$$;
-- A participation deleted (or brought back): the organization's audience loses the activity
-- when no other role keeps it there (or gains it when this is its first).
CREATE FUNCTION gloact_tally_participations_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM gloact_tally_for(a, changed.organization_id, changed.sign)
    FROM (SELECT DISTINCT o.activity_id, o.organization_id,
                 CASE WHEN n.deleted_at IS NULL THEN 1 ELSE -1 END AS sign
          FROM old_rows o JOIN new_rows n ON n.id = o.id
          WHERE (o.deleted_at IS NULL) <> (n.deleted_at IS NULL)
            AND NOT EXISTS (SELECT 1 FROM participation p
                            WHERE p.activity_id = o.activity_id
                              AND p.organization_id = o.organization_id
                              AND p.deleted_at IS NULL
                              AND p.id NOT IN (SELECT id FROM new_rows))) AS changed
    JOIN activity a ON a.id = changed.activity_id AND a.visibility = 'restricted';
    RETURN NULL;
END
$$;
CREATE TRIGGER participation_tally_insert AFTER INSERT ON participation
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION gloact_tally_participations_inserted();
CREATE TRIGGER participation_tally_update AFTER UPDATE ON participation
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION gloact_tally_participations_updated();

-- Folds the deltas committed so far into the tally; returns how many it folded.
CREATE FUNCTION gloact_fold_activity_tally() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    folded bigint;
BEGIN
    WITH moved AS (DELETE FROM activity_tally_delta RETURNING *),
    summed AS (
        SELECT programme_id, audience, dimension, key, sum(activities) AS activities,
               sum(female) AS female, sum(male) AS male, sum(other) AS other,
               sum(judges) AS judges, sum(prosecutors) AS prosecutors,
               sum(law_enforcement) AS law_enforcement, sum(officials) AS officials,
               sum(civil_society) AS civil_society, count(*) AS n
        FROM moved GROUP BY programme_id, audience, dimension, key),
    upserted AS (
        INSERT INTO activity_tally AS t (programme_id, audience, dimension, key, activities,
            female, male, other, judges, prosecutors, law_enforcement, officials, civil_society)
        SELECT programme_id, audience, dimension, key, activities, female, male, other, judges,
               prosecutors, law_enforcement, officials, civil_society FROM summed
        ON CONFLICT (dimension, audience, programme_id, key) DO UPDATE SET
            activities = t.activities + EXCLUDED.activities, female = t.female + EXCLUDED.female,
            male = t.male + EXCLUDED.male, other = t.other + EXCLUDED.other,
            judges = t.judges + EXCLUDED.judges, prosecutors = t.prosecutors + EXCLUDED.prosecutors,
            law_enforcement = t.law_enforcement + EXCLUDED.law_enforcement,
            officials = t.officials + EXCLUDED.officials,
            civil_society = t.civil_society + EXCLUDED.civil_society)
    SELECT coalesce(sum(n), 0) INTO folded FROM summed;
    DELETE FROM activity_tally WHERE activities = 0;
    RETURN folded;
END
$$;

-- The activities there are already.
SELECT gloact_tally_activity(a, 1) FROM activity a;
SELECT gloact_fold_activity_tally();

-- Participations looked up by activity alone (the unique index on activity, organization and
-- role is partial, for live rows only, so a lookup without that condition can't use it).
CREATE INDEX participation_activity_idx ON participation (activity_id);

-- Rows that left the sight of some callers without being deleted: when an activity is made
-- restricted, the organizations not taking part in it can no longer see it or its follow-up
-- actions. Delta sync (`changed_after`) reports each such row to them as a tombstone, in change
-- order, so that their copies drop it. Each row gets a change number of its own, taken under
-- the change lock like every other.
CREATE TABLE sight_lost (
    change_seq   bigint PRIMARY KEY,
    entity       text NOT NULL CHECK (entity IN ('activity', 'follow_up_action')),
    row_id       uuid NOT NULL,
    activity_id  uuid NOT NULL REFERENCES activity (id),
    lost_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sight_lost_entity_change_idx ON sight_lost (entity, change_seq);

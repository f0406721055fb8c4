-- Field reports from officers' phones. The id is the phone's own UUID, so a resend is the same
-- report; `content_hash` tells an identical resend from a different report reusing the id.
CREATE TABLE field_report (
    id               uuid PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('activity_monitoring', 'victim_identification', 'referral',
                                                   'incident', 'border_observation')),
    payload          jsonb NOT NULL,
    occurred_at      timestamptz NOT NULL,
    received_at      timestamptz NOT NULL DEFAULT now(),
    reporter         text NOT NULL,
    organization_id  uuid NOT NULL REFERENCES organization (id),
    district         text NOT NULL,
    latitude         double precision,
    longitude        double precision,
    accuracy_m       double precision,
    activity_id      uuid REFERENCES activity (id),
    narrative        text,
    review_status    text NOT NULL DEFAULT 'submitted' CHECK (review_status IN ('submitted', 'verified', 'rejected')),
    review_reason    text,
    content_hash     text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    version          integer NOT NULL DEFAULT 1,
    change_seq       bigint NOT NULL DEFAULT 0,
    deleted_at       timestamptz,
    CONSTRAINT field_report_gps_whole CHECK ((latitude IS NULL) = (longitude IS NULL) AND (latitude IS NULL) = (accuracy_m IS NULL)),
    CONSTRAINT field_report_rejection_has_reason CHECK (review_status <> 'rejected' OR review_reason IS NOT NULL)
);
CREATE INDEX field_report_organization_idx ON field_report (organization_id, id);
CREATE INDEX field_report_organization_change_idx ON field_report (organization_id, change_seq);
CREATE INDEX field_report_change_seq_idx ON field_report (change_seq);
CREATE INDEX field_report_kind_idx ON field_report (kind, id);
CREATE INDEX field_report_review_idx ON field_report (review_status, id);
CREATE TRIGGER field_report_touch BEFORE INSERT OR UPDATE ON field_report
    FOR EACH ROW EXECUTE FUNCTION gloact_touch_row();

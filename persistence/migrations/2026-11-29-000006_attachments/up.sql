-- Photos and documents of a field report, kept in the database with the report. A retried upload
-- of the same content is the same attachment.
CREATE TABLE field_report_attachment (
    id            uuid PRIMARY KEY,
    report_id     uuid NOT NULL REFERENCES field_report (id),
    media_type    text NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png', 'application/pdf')),
    size_bytes    integer NOT NULL CHECK (size_bytes > 0),
    sha256        text NOT NULL,
    data          bytea NOT NULL,
    uploaded_by   text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT field_report_attachment_content_key UNIQUE (report_id, sha256)
);

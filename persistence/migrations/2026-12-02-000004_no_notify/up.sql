-- Watchers of field reports walk the change feed instead of being told by NOTIFY: PostgreSQL
-- serializes the commits of all transactions that notify (one lock on the notification queue,
-- for the whole cluster, held through the commit), which halved the rate of single reports.
DROP TRIGGER field_report_notify ON field_report;
DROP FUNCTION gloact_notify_field_report();

DROP TRIGGER field_report_notify ON field_report;
DROP FUNCTION gloact_notify_field_report();

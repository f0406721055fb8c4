DROP TABLE audit_event;
DROP FUNCTION gloact_audit_append_only();

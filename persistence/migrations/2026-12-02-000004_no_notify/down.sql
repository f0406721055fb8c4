CREATE FUNCTION gloact_notify_field_report() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.review_status IS DISTINCT FROM OLD.review_status THEN
        PERFORM pg_notify('gloact_field_report', NEW.id::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER field_report_notify AFTER INSERT OR UPDATE ON field_report
    FOR EACH ROW EXECUTE FUNCTION gloact_notify_field_report();

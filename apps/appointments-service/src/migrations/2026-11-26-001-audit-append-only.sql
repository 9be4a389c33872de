-- appointment_audit is append-only: the application's own database role can
-- add rows but never change or remove them, as the video service's audit_log.
CREATE FUNCTION appointment_audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'appointment_audit is append-only';
END;
$fn$;
CREATE TRIGGER appointment_audit_no_update BEFORE UPDATE OR DELETE ON appointment_audit
  FOR EACH ROW EXECUTE FUNCTION appointment_audit_is_append_only();
CREATE TRIGGER appointment_audit_no_truncate BEFORE TRUNCATE ON appointment_audit
  FOR EACH STATEMENT EXECUTE FUNCTION appointment_audit_is_append_only();

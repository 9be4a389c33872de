-- Session counts (issue 14): GET /sessions' `total` read from a few counter rows instead of
-- counting the doctor's (or the clinic's) sessions on every page. A trigger keeps them exact
-- in the same transaction as every insert, delete and change of status, clinic or doctor of a
-- session, whoever writes it (the service, a migration, a bulk load).

CREATE TABLE session_counts (
  clinic_id text NOT NULL,
  doctor_id text NOT NULL,
  status text NOT NULL,
  n bigint NOT NULL CHECK (n >= 0),
  PRIMARY KEY (clinic_id, doctor_id, status)
);

-- A session counted before is uncounted with an UPDATE (its row exists; a missing one means the
-- counts are wrong, and the change fails rather than go on with them): an INSERT of a negative
-- count would fail the CHECK before ON CONFLICT is considered.
-- Both functions keep this schema's search_path: a session changed from a connection with
-- another path (an operator's psql naming the schema) is still counted here.
CREATE FUNCTION session_counts_add(c text, d text, s text, delta integer) RETURNS void LANGUAGE plpgsql
SET search_path FROM CURRENT AS $fn$
BEGIN
  IF delta > 0 THEN
    INSERT INTO session_counts AS t (clinic_id, doctor_id, status, n) VALUES (c, d, s, delta)
    ON CONFLICT (clinic_id, doctor_id, status) DO UPDATE SET n = t.n + excluded.n;
  ELSE
    UPDATE session_counts SET n = n + delta WHERE clinic_id = c AND doctor_id = d AND status = s;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'session_counts has no row for a counted session (%, %, %)', c, d, s;
    END IF;
  END IF;
END;
$fn$;

CREATE FUNCTION session_counts_follow() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM session_counts_add(NEW.clinic_id, NEW.doctor_id, NEW.status, 1);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM session_counts_add(OLD.clinic_id, OLD.doctor_id, OLD.status, -1);
  -- A change touches two counter rows: always in key order, so two transactions changing the
  -- same doctor's sessions cannot each hold one row while waiting for the other.
  ELSIF (OLD.clinic_id, OLD.doctor_id, OLD.status) < (NEW.clinic_id, NEW.doctor_id, NEW.status) THEN
    PERFORM session_counts_add(OLD.clinic_id, OLD.doctor_id, OLD.status, -1);
    PERFORM session_counts_add(NEW.clinic_id, NEW.doctor_id, NEW.status, 1);
  ELSE
    PERFORM session_counts_add(NEW.clinic_id, NEW.doctor_id, NEW.status, 1);
    PERFORM session_counts_add(OLD.clinic_id, OLD.doctor_id, OLD.status, -1);
  END IF;
  RETURN NULL;
END;
$fn$;

CREATE TRIGGER session_counts_on_insert_delete AFTER INSERT OR DELETE ON sessions
  FOR EACH ROW EXECUTE FUNCTION session_counts_follow();
-- Only when a counted column changes: touching activity, notes or times costs nothing here.
CREATE TRIGGER session_counts_on_update AFTER UPDATE OF clinic_id, doctor_id, status ON sessions
  FOR EACH ROW
  WHEN ((OLD.clinic_id, OLD.doctor_id, OLD.status) IS DISTINCT FROM (NEW.clinic_id, NEW.doctor_id, NEW.status))
  EXECUTE FUNCTION session_counts_follow();

-- The sessions already there. CREATE TRIGGER locked the table against writes until this
-- migration commits, so none is missed or counted twice.
INSERT INTO session_counts (clinic_id, doctor_id, status, n)
SELECT clinic_id, doctor_id, status, count(*) FROM sessions GROUP BY clinic_id, doctor_id, status;

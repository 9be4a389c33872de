-- People directory and provisioning (issue 11). Clinic admins create people; a new person
-- has no password until they use their one-time set-password link.
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;
ALTER TABLE users ADD COLUMN deactivated_at timestamptz;
ALTER TABLE users ADD COLUMN updated_at timestamptz;
ALTER TABLE users ADD CONSTRAINT users_deactivated_when_inactive CHECK (active = (deactivated_at IS NULL));
-- The admin's list and the booking picker: one clinic's people by name.
CREATE INDEX users_clinic_name ON users (clinic_id, name);

-- A deactivation or a new password ends every login of the person.
ALTER TABLE refresh_token_families DROP CONSTRAINT refresh_token_families_revoked_reason_check;
ALTER TABLE refresh_token_families ADD CONSTRAINT refresh_token_families_revoked_reason_check
  CHECK (revoked_reason IN ('LOGOUT', 'REUSE_DETECTED', 'DEACTIVATED', 'PASSWORD_CHANGED'));

-- One-time links to set a password (a new person: SET) or replace it (admin-triggered: RESET).
-- Only the SHA-256 of the token is stored; the token itself exists only in the link handed out.
CREATE TABLE password_links (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  purpose text NOT NULL CHECK (purpose IN ('SET', 'RESET')),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX password_links_user ON password_links (user_id);

-- Who did (or was refused) what to whom in the directory. Append-only: the runtime role may
-- only insert (grants, see migrate's appendOnly) and the triggers refuse changes for everyone.
-- Never names or emails: people are named by id.
CREATE TABLE user_audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor_id text NOT NULL,
  actor_role text NOT NULL,
  clinic_id text,
  action text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('ALLOWED', 'DENIED')),
  reason text CHECK (reason ~ '^[A-Z_]{1,40}$'),
  target_user_id text,
  request_id text,
  CONSTRAINT user_audit_reason_only_when_denied CHECK ((outcome = 'DENIED') = (reason IS NOT NULL))
);
CREATE INDEX user_audit_target ON user_audit (target_user_id, at);
CREATE INDEX user_audit_clinic ON user_audit (clinic_id, at);

CREATE FUNCTION user_audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'user_audit is append-only';
END;
$fn$;
CREATE TRIGGER user_audit_no_update BEFORE UPDATE OR DELETE ON user_audit
  FOR EACH ROW EXECUTE FUNCTION user_audit_is_append_only();
CREATE TRIGGER user_audit_no_truncate BEFORE TRUNCATE ON user_audit
  FOR EACH STATEMENT EXECUTE FUNCTION user_audit_is_append_only();

-- Invite links (issue 11): a doctor or clinic admin sends the appointment's patient a link
-- that opens that one consultation without an account. The token (32 random bytes) is shown
-- once; only its SHA-256 (base64url) is stored, so this table cannot be turned back into links.
CREATE TABLE appointment_invites (
  id uuid PRIMARY KEY,
  appointment_id text NOT NULL REFERENCES appointments (id),
  clinic_id text NOT NULL,
  patient_id text NOT NULL,
  token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[A-Za-z0-9_-]{43}$'),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- The join window's end when the invite was made; the live expiry follows the appointment's
  -- current start and duration (a reschedule moves it), see invites.service.ts.
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_by text,
  CONSTRAINT appointment_invites_revoked_by CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
-- "Revoke every live invite of this appointment".
CREATE INDEX appointment_invites_live ON appointment_invites (appointment_id) WHERE revoked_at IS NULL;

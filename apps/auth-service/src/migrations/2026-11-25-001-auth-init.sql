-- Identity: clinics, their people, the JWT signing keys and refresh token families.
CREATE TABLE clinics (
  id text PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  role text NOT NULL CHECK (role IN ('DOCTOR', 'PATIENT', 'ADMIN')),
  name text NOT NULL,
  email text NOT NULL,
  password_hash text NOT NULL,
  clinic_id text NOT NULL REFERENCES clinics (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Emails are unique whatever their case; lookups use the same expression.
CREATE UNIQUE INDEX users_email_lower ON users (lower(email));
CREATE INDEX users_clinic ON users (clinic_id);

CREATE TABLE signing_keys (
  kid text PRIMARY KEY,
  algorithm text NOT NULL,
  public_jwk jsonb NOT NULL,
  private_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A family is one login; every rotation adds a token to it. Revoking the family ends the login.
CREATE TABLE refresh_token_families (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  revoked_reason text CHECK (revoked_reason IN ('LOGOUT', 'REUSE_DETECTED'))
);
CREATE INDEX refresh_token_families_user ON refresh_token_families (user_id);

-- Only the SHA-256 of a refresh token is stored: a database leak does not hand out logins.
CREATE TABLE refresh_tokens (
  token_hash text PRIMARY KEY,
  family_id text NOT NULL REFERENCES refresh_token_families (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

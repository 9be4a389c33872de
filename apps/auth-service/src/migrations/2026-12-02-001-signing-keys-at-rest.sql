-- Signing keys at rest and rotation. The private half is kept either encrypted with
-- AUTH_KEY_ENCRYPTION_KEY (a JWE, private_jwk_encrypted) or, in development without that
-- key, as plain JSON (private_jwk); a retired key keeps only its public half.
-- activates_at: when the key starts signing (a rotation publishes the new key before that);
-- retired_at: when it stopped being published (every token it signed had expired).
ALTER TABLE signing_keys ALTER COLUMN private_jwk DROP NOT NULL;
ALTER TABLE signing_keys ADD COLUMN private_jwk_encrypted text;
ALTER TABLE signing_keys ADD COLUMN activates_at timestamptz;
UPDATE signing_keys SET activates_at = created_at;
ALTER TABLE signing_keys ALTER COLUMN activates_at SET NOT NULL;
ALTER TABLE signing_keys ALTER COLUMN activates_at SET DEFAULT now();
ALTER TABLE signing_keys ADD COLUMN retired_at timestamptz;
ALTER TABLE signing_keys ADD CONSTRAINT signing_keys_private_half CHECK (
  CASE
    WHEN retired_at IS NULL THEN (private_jwk IS NULL) <> (private_jwk_encrypted IS NULL)
    ELSE private_jwk IS NULL AND private_jwk_encrypted IS NULL
  END
);

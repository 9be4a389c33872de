-- The refresh grace window (REFRESH_REUSE_GRACE_S) forgives ONE late presentation of a used
-- token (two tabs or a retried request racing with one cookie): when it did, and so a second
-- replay inside the window is reuse like any other.
ALTER TABLE refresh_tokens ADD COLUMN grace_used_at timestamptz;

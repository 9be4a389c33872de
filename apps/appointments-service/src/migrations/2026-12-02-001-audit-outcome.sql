-- Refused attempts are audited too (issue 15): every row says whether access was ALLOWED or
-- DENIED, and a denial why, as a code (never free text). Rows written before this migration
-- are all ALLOWED: until now only reads and changes that went through were recorded.
-- ADD COLUMN with a default rewrites no row, so the append-only trigger is not involved.
ALTER TABLE appointment_audit
  ADD COLUMN outcome text NOT NULL DEFAULT 'ALLOWED' CHECK (outcome IN ('ALLOWED', 'DENIED')),
  ADD COLUMN reason text CHECK (reason ~ '^[A-Z_]{1,40}$'),
  ADD CONSTRAINT appointment_audit_reason_only_when_denied CHECK ((outcome = 'DENIED') = (reason IS NOT NULL));
-- New rows must say their outcome.
ALTER TABLE appointment_audit ALTER COLUMN outcome DROP DEFAULT;
-- "Who was refused what, lately" for a clinic, without scanning every allowed read.
CREATE INDEX appointment_audit_denied ON appointment_audit (clinic_id, at) WHERE outcome = 'DENIED';

-- The quality record (issue 12): each side's browser sends a summary of its call's WebRTC stats
-- at hang-up. One row per session and side (a session has one doctor and one patient); a
-- repeated send (a retry, a rejoin from a new page) replaces it. Technical figures only: no
-- addresses, no names.
CREATE TABLE call_quality_reports (
  session_id text NOT NULL REFERENCES sessions (session_id),
  side text NOT NULL CHECK (side IN ('DOCTOR', 'PATIENT')),
  reported_by text NOT NULL,
  rtt_ms_median double precision CHECK (rtt_ms_median BETWEEN 0 AND 60000),
  packet_loss_pct double precision CHECK (packet_loss_pct BETWEEN 0 AND 100),
  outgoing_kbps_median double precision CHECK (outgoing_kbps_median BETWEEN 0 AND 100000),
  incoming_kbps_median double precision CHECK (incoming_kbps_median BETWEEN 0 AND 100000),
  sent_resolution text CHECK (char_length(sent_resolution) <= 11),
  relay_seconds integer NOT NULL CHECK (relay_seconds BETWEEN 0 AND 86400),
  audio_only_seconds integer NOT NULL CHECK (audio_only_seconds BETWEEN 0 AND 86400),
  call_seconds integer NOT NULL CHECK (call_seconds BETWEEN 0 AND 86400),
  reported_at timestamptz NOT NULL,
  PRIMARY KEY (session_id, side)
);

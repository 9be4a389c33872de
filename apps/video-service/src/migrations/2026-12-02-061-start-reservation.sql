-- A start reserves its session in a short transaction and calls the media provider with no
-- transaction open (README "Start and join: reservations"). The reservation: who holds it
-- (a random token) and since when. A concurrent start that finds a live one waits for it;
-- one older than 60 s was left by a process that died mid-call and may be taken over.
ALTER TABLE sessions ADD COLUMN start_token text;
ALTER TABLE sessions ADD COLUMN start_reserved_at timestamptz;
ALTER TABLE sessions ADD CONSTRAINT sessions_start_reservation
  CHECK ((start_token IS NULL) = (start_reserved_at IS NULL));

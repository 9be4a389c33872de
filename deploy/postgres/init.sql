-- One database per service (design: services share nothing but events), each owned by
-- clinic_owner, the role that runs the migrations (DATABASE_OWNER_URL). Each service
-- connects as its own runtime role (DATABASE_URL), which owns nothing: at start-up the
-- migrations grant it DML on its tables and only SELECT/INSERT on the audit tables, so it
-- can neither rewrite the audit trail nor alter or drop the triggers that guard it.
-- See docs/operations.md, "Database roles". Replace every change-me password.
CREATE ROLE clinic_owner LOGIN PASSWORD 'change-me-owner';
CREATE ROLE clinic_auth LOGIN PASSWORD 'change-me-auth';
CREATE ROLE clinic_appointments LOGIN PASSWORD 'change-me-appointments';
CREATE ROLE clinic_video LOGIN PASSWORD 'change-me-video';

CREATE DATABASE auth OWNER clinic_owner;
CREATE DATABASE appointments OWNER clinic_owner;
CREATE DATABASE video OWNER clinic_owner;

-- Each runtime role reaches its own database only (PUBLIC's CONNECT and TEMP removed).
-- On PostgreSQL 15 and later the public schema belongs to the database owner and nobody
-- else may create in it; on older versions also run, in each database:
--   REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON DATABASE auth, appointments, video FROM PUBLIC;
GRANT CONNECT ON DATABASE auth TO clinic_auth;
GRANT CONNECT ON DATABASE appointments TO clinic_appointments;
GRANT CONNECT ON DATABASE video TO clinic_video;

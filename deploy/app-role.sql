-- The application's own database role (docs/deploy.md, "The database roles").
--
-- The web, worker and beat services connect as this role; only the one-shot `migrate` connects
-- as the owner of the tables. The role reads and writes rows, and nothing else: it owns no
-- table, cannot create, alter or drop one, and has no TRUNCATE anywhere; on the append-only
-- logs (the event log, the document-access log, the power-grant log) it may only read and
-- insert. The triggers of ptsp/db.py refuse UPDATE, DELETE and TRUNCATE of those logs for every
-- role as well: two locks, either of which holds alone.
--
-- Run by the owner after every migration (docker-entrypoint.sh migrate does, through
-- `python -m ptsp.dbrole`), or by hand, once the role exists:
--   CREATE ROLE ptsp_app LOGIN PASSWORD '…';
--   psql "$OWNER_DATABASE_URL" -v ON_ERROR_STOP=1 -v app_role=ptsp_app -f deploy/app-role.sql
-- Idempotent: it grants what is missing and revokes what is too much.

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app_role";

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
REVOKE UPDATE, DELETE ON applications_event, security_documentaccess, agencies_powergrantlog
  FROM :"app_role";
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO :"app_role";

-- Tables and sequences the owner creates later (the next migration) come with the same rights,
-- never TRUNCATE; re-running this file afterwards takes UPDATE and DELETE off new logs.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app_role";
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO :"app_role";

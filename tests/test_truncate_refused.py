"""The append-only logs cannot be emptied: TRUNCATE is refused by a statement trigger for every
role (the superuser of the test database included, and through TRUNCATE … CASCADE of a table they
reference), and the application's own database role (deploy/app-role.sql) has no TRUNCATE, no
UPDATE or DELETE on the logs, and owns nothing."""

import uuid

import pytest
from django.db import DatabaseError, connection, transaction

from applications.models import Event
from ptsp.dbrole import ensure_app_role, grant_statements
from security.models import DocumentAccess
from tests.journeys import submitted_application

pytestmark = pytest.mark.django_db

LOGS = ("applications_event", "security_documentaccess", "agencies_powergrantlog")


def _refused(sql: str) -> str:
    # The test's own rows leave deferred foreign-key checks pending, which PostgreSQL would
    # name instead of the trigger: run them first.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as c:
        c.execute(sql)
    return str(caught.value)


def _referencing(table: str) -> list[str]:
    """The tables whose foreign keys point at `table` (PostgreSQL refuses a TRUNCATE that leaves
    them out before any trigger runs; naming them too lets the log's own trigger answer)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT conrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND confrelid = %s::regclass AND conrelid <> confrelid",
            [table],
        )
        return sorted(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("table", LOGS)
def test_truncate_of_an_append_only_log_is_refused(demo, table):
    submitted_application()
    before = Event.objects.count()
    assert before > 0
    message = _refused(f"TRUNCATE {', '.join([table, *_referencing(table)])}")
    assert f"append-only table {table}: TRUNCATE refused" in message
    assert Event.objects.count() == before


def test_truncate_cascading_into_the_event_log_is_refused(demo):
    submitted_application()
    before = Event.objects.count()
    message = _refused("TRUNCATE applications_application CASCADE")
    assert "append-only table" in message and "TRUNCATE refused" in message
    assert Event.objects.count() == before


def test_the_migrations_installed_the_statement_triggers():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgname LIKE %s AND (t.tgtype & 32) <> 0 "
            "AND (t.tgtype & 1) = 0",  # 32: TRUNCATE; bit 1 clear: FOR EACH STATEMENT
            ["%_no_truncate"],
        )
        found = {row[0] for row in cursor.fetchall()}
    assert set(LOGS) <= found


@pytest.fixture
def app_role(db):
    """The application's role, made by ptsp.dbrole inside the test's transaction (CREATE ROLE
    is transactional: it is rolled back with the test)."""
    role = f"ptsp_app_test_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        ensure_app_role(cursor, role=role, password="not-a-real-password")
    return role


def _privileges(role: str, table: str) -> dict[str, bool]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p, has_table_privilege(%s, %s, p) FROM unnest(%s::text[]) AS p",
            [role, table, ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES"]],
        )
        return dict(cursor.fetchall())


def test_the_application_role_has_no_truncate_anywhere(app_role):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' "
            "AND has_table_privilege(%s, c.oid, 'TRUNCATE')",
            [app_role],
        )
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin FROM pg_roles "
            "WHERE rolname = %s",
            [app_role],
        )
        assert cursor.fetchone() == (False, False, False, True)
        cursor.execute("SELECT count(*) FROM pg_tables WHERE tableowner = %s", [app_role])
        assert cursor.fetchone() == (0,)
    for log in LOGS:
        assert _privileges(app_role, log) == {
            "SELECT": True,
            "INSERT": True,
            "UPDATE": False,
            "DELETE": False,
            "TRUNCATE": False,
            "REFERENCES": False,
        }
    assert _privileges(app_role, "applications_application") == {
        "SELECT": True,
        "INSERT": True,
        "UPDATE": True,
        "DELETE": True,
        "TRUNCATE": False,
        "REFERENCES": False,
    }


def test_as_the_application_role_truncate_is_refused_and_rows_still_work(demo, app_role):
    submitted_application()
    events = Event.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{app_role}"')
    try:
        for table in (*LOGS, "applications_application", "django_session"):
            message = _refused(f"TRUNCATE {table}")
            assert "permission denied" in message, message
        message = _refused("DELETE FROM applications_event")
        assert "permission denied" in message
        message = _refused("CREATE TABLE ptsp_intruder (id int)")
        assert "permission denied" in message
        # What the application does is still allowed: read, write rows, add to the logs.
        assert Event.objects.count() == events
        assert DocumentAccess.objects.count() == 0
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert Event.objects.count() == events


def test_the_role_name_is_checked_before_it_reaches_sql():
    for bad in ('ptsp"; DROP TABLE x; --', "Robert", ""):
        with pytest.raises(ValueError, match="not a plain role name"):
            grant_statements(bad)


def test_the_application_role_can_run_the_portal(client, demo, app_role, run_outbox, login):
    """Everything the portal does on a request and in its tasks works with the role's grants:
    a login (sessions, the cache's counters), filing, intake, routing (sequences, the event
    log, the outbox), a staff download (the access log)."""
    from django.urls import reverse

    from accounts.models import User
    from applications.services.intake import application_accept
    from tests.journeys import all_accepted

    with connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{app_role}"')
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (app_role,)
    try:
        application = submitted_application()
        verifier = User.objects.get(email="verifikator.btg@ptsp.local")
        application_accept(
            application_id=application.pk, verdicts=all_accepted(application), actor=verifier
        )
        run_outbox()
        assert application.reviews.count() >= 1
        client.post(reverse("accounts:login"), {"username": verifier.email, "password": "nope"})
        login(verifier.email)
        document = application.documents.filter(is_current=True).first()
        url = reverse("applications:download_document", args=[document.pk])
        assert client.get(url).status_code == 200
        assert DocumentAccess.objects.filter(document=document).exists()
        with connection.cursor() as cursor:  # all of it ran as the role
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == (app_role,)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def test_a_missing_role_is_not_made_without_a_password(db):
    role = f"ptsp_app_test_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        with pytest.raises(ValueError, match="does not exist: give its password"):
            ensure_app_role(cursor, role=role, password=None)
        cursor.execute("SELECT count(*) FROM pg_roles WHERE rolname = %s", [role])
        assert cursor.fetchone() == (0,)


def test_the_command_line_applies_the_role_and_refuses_without_its_settings(tmp_path):
    """`python -m ptsp.dbrole`, as the image's migrate step runs it, in its own connection;
    the role it makes is dropped afterwards."""
    import os
    import subprocess
    import sys

    settings_dict = connection.settings_dict
    url = (
        f"postgres://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}:"
        f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
    )
    role = f"ptsp_app_cli_{uuid.uuid4().hex[:8]}"
    secret = tmp_path / "db_app_password"
    secret.write_text("a-password-from-a-secret-file\n")
    base = {k: v for k, v in os.environ.items() if not k.startswith("APP_DATABASE")}
    run = [sys.executable, "-m", "ptsp.dbrole"]
    missing = subprocess.run(run, env={**base, "DATABASE_URL": url}, capture_output=True, text=True)
    assert missing.returncode == 2 and "APP_DATABASE_USER" in missing.stderr
    done = subprocess.run(
        run,
        env={
            **base,
            "DATABASE_URL": url,
            "APP_DATABASE_USER": role,
            "APP_DATABASE_PASSWORD_FILE": str(secret),
        },
        capture_output=True,
        text=True,
    )
    try:
        assert done.returncode == 0, done.stderr
        assert "no TRUNCATE" in done.stdout
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT has_table_privilege(%s, 'applications_event', 'TRUNCATE'), "
                "has_table_privilege(%s, 'applications_event', 'INSERT'), "
                "rolpassword IS NOT NULL FROM pg_authid WHERE rolname = %s",
                [role, role, role],
            )
            assert cursor.fetchone() == (False, True, True)
    finally:
        # The command committed in its own connection: clean up in one as well, not in the
        # test's transaction (which is rolled back).
        import psycopg2

        cleanup = psycopg2.connect(url)
        cleanup.autocommit = True
        with cleanup.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE IF EXISTS "{role}"')
        cleanup.close()

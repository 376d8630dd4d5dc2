"""Database-level guards shared by migrations.

`append_only(table)` refuses row UPDATE and DELETE; `refuse_truncate(table)` refuses TRUNCATE
(a statement-level trigger: TRUNCATE fires no row trigger). Both hold for every database role,
the owner and superusers included; the application's own role has no TRUNCATE privilege either
(deploy/app-role.sql). A superuser can step around the triggers only deliberately, with
`SET session_replication_role = replica` (the test suite's flush does, tests/conftest.py).
"""

from django.db import migrations


def _sql_for(vendor: str, table: str) -> tuple[list[str], list[str]]:
    if vendor == "postgresql":
        forward = [
            """
            CREATE OR REPLACE FUNCTION ptsp_refuse_change() RETURNS trigger AS $$
            BEGIN
              RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'insufficient_privilege';
            END;
            $$ LANGUAGE plpgsql;
            """,
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION ptsp_refuse_change();",
        ]
        backward = [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"]
    else:
        forward, backward = [], []
    return forward, backward


def append_only(table: str) -> migrations.RunPython:
    """A migration operation that makes `table` refuse UPDATE and DELETE in the database itself,
    so that no code path of the application (nor a mistaken admin action) can rewrite history."""

    def forwards(apps, schema_editor):
        for statement in _sql_for(schema_editor.connection.vendor, table)[0]:
            schema_editor.execute(statement, params=None)

    def backwards(apps, schema_editor):
        for statement in _sql_for(schema_editor.connection.vendor, table)[1]:
            schema_editor.execute(statement, params=None)

    return migrations.RunPython(forwards, backwards)


REFUSE_FUNCTION = """
CREATE OR REPLACE FUNCTION ptsp_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def refuse_truncate(table: str) -> migrations.RunPython:
    """A migration operation that makes `table` refuse TRUNCATE (PostgreSQL; SQLite has no
    TRUNCATE). The row triggers of `append_only` do not fire on TRUNCATE, so without this an
    append-only log could still be emptied in one statement."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(REFUSE_FUNCTION, params=None)
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION ptsp_refuse_change();",
            params=None,
        )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};", params=None
        )

    return migrations.RunPython(forwards, backwards)

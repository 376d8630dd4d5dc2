"""Database-level guards shared by migrations."""

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

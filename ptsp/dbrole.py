"""The application's database role: created (or its password set) and granted exactly what the
application needs, from deploy/app-role.sql. Run by the owner of the tables after `migrate`:

    DATABASE_URL=<the owner's URL> APP_DATABASE_USER=ptsp_app \
      APP_DATABASE_PASSWORD_FILE=/run/secrets/db_app_password python -m ptsp.dbrole

It needs no Django (the image's `migrate` role calls it with the owner's DATABASE_URL)."""

import os
import re
import sys
from pathlib import Path

import psycopg2

SQL_FILE = Path(__file__).resolve().parent.parent / "deploy" / "app-role.sql"
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_statements(role: str) -> list[str]:
    """The statements of deploy/app-role.sql for `role` (psql's :"app_role" filled in)."""
    if not ROLE_NAME.match(role):
        raise ValueError(f"not a plain role name: {role!r}")
    text = "\n".join(
        line for line in SQL_FILE.read_text().splitlines() if not line.lstrip().startswith("--")
    )
    text = text.replace(':"app_role"', f'"{role}"')
    return [statement.strip() for statement in text.split(";") if statement.strip()]


def ensure_app_role(cursor, *, role: str, password: str | None) -> None:
    """Create `role` (LOGIN) if missing, set its password when given, apply the grants."""
    if not ROLE_NAME.match(role):
        raise ValueError(f"not a plain role name: {role!r}")
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    if cursor.fetchone() is None:
        if not password:
            # A role without a password could not log in: web, worker and beat would fail later
            # with a less clear message.
            raise ValueError(
                f"the database role {role} does not exist: give its password "
                "(APP_DATABASE_PASSWORD_FILE) to create it"
            )
        cursor.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE')
    if password:
        # psycopg2 interpolates the literal on the client: DDL takes no server-side parameter.
        cursor.execute(f'ALTER ROLE "{role}" WITH LOGIN PASSWORD %s', [password])
    for statement in grant_statements(role):
        cursor.execute(statement)


def _password() -> str | None:
    path = os.environ.get("APP_DATABASE_PASSWORD_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get("APP_DATABASE_PASSWORD") or None


def main() -> int:
    url = os.environ.get("DATABASE_URL")
    role = os.environ.get("APP_DATABASE_USER")
    if not url or not role:
        print("DATABASE_URL (the owner's) and APP_DATABASE_USER must be set", file=sys.stderr)
        return 2
    connection = psycopg2.connect(url)
    try:
        with connection, connection.cursor() as cursor:
            ensure_app_role(cursor, role=role, password=_password())
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    finally:
        connection.close()
    print(f"database role {role}: rows only, no TRUNCATE, append-only logs read and insert")
    return 0


if __name__ == "__main__":
    sys.exit(main())

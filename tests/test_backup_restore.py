"""Backup and restore round trip: scripts/backup.sh of a database with applications, events,
documents (and issued permits once issuance is on the branch), then scripts/restore.sh into a
fresh database and a fresh storage directory; everything is found again, every file has its
SHA-256, and every permit's signature is still valid (permits.verification.check_file)."""

import contextlib
import hashlib
import importlib.util
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.db import connection

from applications.services.intake import application_accept
from tests.workflow_builders import all_accepted, submitted_application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
HAS_ISSUANCE = (
    all(
        importlib.util.find_spec(name) is not None
        for name in ("permits.verification", "permits.services.issuance")
    )
    and importlib.util.find_spec("tests.builders") is not None
)


def pg_bin() -> str | None:
    """Where pg_dump is: on PATH, or in the pip-shipped pgserver."""
    found = shutil.which("pg_dump")
    if found:
        return str(Path(found).parent)
    spec = importlib.util.find_spec("pgserver")
    if spec and spec.origin:
        candidate = Path(spec.origin).parent / "pginstall" / "bin"
        if (candidate / "pg_dump").exists():
            return str(candidate)
    return None


def url_for(settings_dict: dict, name: str) -> str:
    user = quote(settings_dict["USER"] or "")
    password = quote(settings_dict["PASSWORD"] or "")
    auth = f"{user}:{password}@" if password else f"{user}@"
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{auth}{host}:{port}/{name}"


@pytest.fixture
def fresh_database():
    """An empty database next to the test database, dropped afterwards."""
    settings_dict = connection.settings_dict
    name = f"ptsp_restore_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(url_for(settings_dict, "postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield url_for(settings_dict, name)
    with admin.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


def script(name: str, *args: str, env: dict) -> subprocess.CompletedProcess:
    binaries = pg_bin()
    if binaries is None:
        pytest.skip("no pg_dump on this machine")
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / name), *args],
        env={**os.environ, "PG_BIN": binaries, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def rows(url: str, sql: str) -> set[tuple]:
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute(sql)
        return set(cursor.fetchall())


SNAPSHOT = {
    "applications": "SELECT id, tracking_number, status FROM applications_application",
    "events": "SELECT id, application_id, action, from_status, to_status, at FROM applications_event",
    "documents": "SELECT id, application_id, file, sha256 FROM applications_document",
    "reviews": "SELECT id, application_id, agency_id, status FROM agencies_review",
    "permits": "SELECT id, application_id, number, file, sha256, status FROM permits_permit",
    "users": "SELECT id, email FROM accounts_user",
}


def issue_permits(request, run_outbox) -> int:
    """Issued, signed permits through the issuance services, when they are on the branch."""
    if not HAS_ISSUANCE:
        return 0
    from accounts.models import User
    from permits.services.issuance import permit_issue
    from tests.builders import recommended_application

    for fixture in ("signing_cert", "local_tsa"):
        with contextlib.suppress(pytest.FixtureLookupError):
            request.getfixturevalue(fixture)
    signer = User.objects.get(email="kepala.btg@ptsp.local")
    for _ in range(2):
        application = recommended_application()
        permit_issue(application_id=application.pk, actor=signer)
        run_outbox()
    return 2


def test_backup_then_restore_into_a_fresh_database_and_storage(
    request, demo, settings, tmp_path, run_outbox, fresh_database
):
    from accounts.models import User

    verifier = User.objects.get(email="verifikator.btg@ptsp.local")
    first = submitted_application()
    submitted_application(applicant_email="siti.rahma@example.id")
    application_accept(application_id=first.pk, verdicts=all_accepted(first), actor=verifier)
    run_outbox()  # routing: reviews, events, notifications
    permits_issued = issue_permits(request, run_outbox)

    source_url = url_for(connection.settings_dict, connection.settings_dict["NAME"])
    before = {key: rows(source_url, sql) for key, sql in SNAPSHOT.items()}
    assert len(before["applications"]) >= 2 and len(before["events"]) >= 3
    assert len(before["documents"]) >= 4 and before["reviews"]
    assert len(before["permits"]) == permits_issued

    media = Path(settings.MEDIA_ROOT)
    made = script(
        "backup.sh",
        str(tmp_path / "backups"),
        env={"DATABASE_URL": source_url, "STORAGE_BACKEND": "local", "MEDIA_ROOT": str(media)},
    )
    assert made.returncode == 0, made.stderr
    backup_dir = Path(made.stdout.strip().splitlines()[-1])
    assert {"database.dump", "media.tar.gz", "SHA256SUMS", "BACKUP-INFO"} <= {
        p.name for p in backup_dir.iterdir()
    }

    restored_media = tmp_path / "restored-media"
    done = script(
        "restore.sh",
        str(backup_dir),
        env={
            "DATABASE_URL": fresh_database,
            "STORAGE_BACKEND": "local",
            "MEDIA_ROOT": str(restored_media),
        },
    )
    assert done.returncode == 0, done.stderr

    after = {key: rows(fresh_database, sql) for key, sql in SNAPSHOT.items()}
    assert after == before

    # Every stored file is back, byte for byte.
    for _id, _app, name, sha256 in after["documents"]:
        data = (restored_media / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha256, name
    for _id, _app, _number, name, sha256, _status in after["permits"]:
        if name:
            data = (restored_media / name).read_bytes()
            assert hashlib.sha256(data).hexdigest() == sha256, name

    # Every permit's signature is still valid on the restored bytes.
    if HAS_ISSUANCE:
        from permits.models import Permit
        from permits.verification import check_file

        for permit in Permit.objects.select_related("region").exclude(file=""):
            report = check_file((restored_media / permit.file.name).read_bytes(), permit=permit)
            assert report.ok, (permit.number, report)

    # The restored event log is still append-only (the trigger came back with the schema).
    with (
        psycopg2.connect(fresh_database) as conn,
        conn.cursor() as cursor,
        pytest.raises(psycopg2.Error, match="append-only"),
    ):
        cursor.execute("UPDATE applications_event SET note = 'x'")


def test_restore_refuses_a_database_that_is_not_empty_and_a_damaged_backup(
    demo, settings, tmp_path
):
    source_url = url_for(connection.settings_dict, connection.settings_dict["NAME"])
    made = script(
        "backup.sh",
        str(tmp_path / "backups"),
        env={"DATABASE_URL": source_url, "MEDIA_ROOT": str(settings.MEDIA_ROOT)},
    )
    assert made.returncode == 0, made.stderr
    backup_dir = Path(made.stdout.strip().splitlines()[-1])

    # Into the live database: refused, nothing changed.
    users = rows(source_url, SNAPSHOT["users"])
    refused = script(
        "restore.sh",
        str(backup_dir),
        env={"DATABASE_URL": source_url, "MEDIA_ROOT": str(tmp_path / "elsewhere")},
    )
    assert refused.returncode == 4
    assert "empty database" in refused.stderr
    assert rows(source_url, SNAPSHOT["users"]) == users

    # A damaged dump: refused before anything is touched.
    with (backup_dir / "database.dump").open("ab") as dump:
        dump.write(b"garbage")
    damaged = script(
        "restore.sh",
        str(backup_dir),
        env={"DATABASE_URL": source_url, "MEDIA_ROOT": str(tmp_path / "elsewhere")},
    )
    assert damaged.returncode == 3
    assert "damaged" in damaged.stderr

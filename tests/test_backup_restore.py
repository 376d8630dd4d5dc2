"""Backup and restore round trip: scripts/backup.sh of a database with applications, events,
documents (and issued permits once issuance is on the branch), then scripts/restore.sh into a
fresh database and a fresh storage directory; everything is found again, every file has its
SHA-256, and every permit's signature is still valid (permits.verification.check_file).

The backup is one point in time (the files are those the dumped snapshot names, nothing else),
encrypted (nothing in clear on disk), pruned to BACKUP_KEEP; a restore is refused, before it
writes anything, into a non-empty database or directory, with a wrong passphrase, or from a
damaged backup. The round trip prints its timings (the restore drill of docs/deploy.md)."""

import contextlib
import hashlib
import importlib.util
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.db import connection

from applications.services.intake import application_accept
from tests.journeys import all_accepted, submitted_application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
HAS_ISSUANCE = (
    all(
        importlib.util.find_spec(name) is not None
        for name in ("permits.verification", "permits.services.issuance")
    )
    and importlib.util.find_spec("tests.journeys") is not None
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


PASSPHRASE = "correct horse battery staple, for the tests only"


@pytest.fixture(autouse=True)
def passphrase_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("secrets") / "backup_passphrase"
    path.write_text(PASSPHRASE)
    os.environ["BACKUP_PASSPHRASE_FILE"] = str(path)
    yield path
    os.environ.pop("BACKUP_PASSPHRASE_FILE", None)


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
    from tests.journeys import recommended_application

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
    # A file in storage that no row names (an upload whose transaction rolled back): not part
    # of the point in time, so not in the backup.
    (media / "orphan-not-named-by-any-row.pdf").write_bytes(b"%PDF-1.4 orphan")
    started = time.monotonic()
    made = script(
        "backup.sh",
        str(tmp_path / "backups"),
        env={"DATABASE_URL": source_url, "STORAGE_BACKEND": "local", "MEDIA_ROOT": str(media)},
    )
    backup_seconds = time.monotonic() - started
    assert made.returncode == 0, made.stderr
    backup_dir = Path(made.stdout.strip().splitlines()[-1])
    names = {p.name for p in backup_dir.iterdir()}
    assert names == {
        "database.dump.enc",
        "media.tar.gz.enc",
        "files.list.gz.enc",
        "MANIFEST.enc",
        "SHA256SUMS",
        "BACKUP-INFO",
    }
    # Encrypted: nothing of the data is readable in any file of the backup but BACKUP-INFO.
    # A filed application's number (a draft has none yet).
    tracking = min(row for row in before["applications"] if row[1])[1]
    for name in names - {"BACKUP-INFO", "SHA256SUMS"}:
        data = (backup_dir / name).read_bytes()
        assert data.startswith(b"Salted__"), name  # openssl's salted format
        assert tracking.encode() not in data and b"PGDMP" not in data and b"%PDF" not in data
    info = (backup_dir / "BACKUP-INFO").read_text()
    named_files = {row[2] for row in before["documents"]} | {
        row[3] for row in before["permits"] if row[3]
    }
    assert f"files={len(named_files)}" in info and "snapshot=" in info

    restored_media = tmp_path / "restored-media"
    started = time.monotonic()
    done = script(
        "restore.sh",
        str(backup_dir),
        env={
            "DATABASE_URL": fresh_database,
            "STORAGE_BACKEND": "local",
            "MEDIA_ROOT": str(restored_media),
        },
    )
    restore_seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    print(
        f"\nbackup {backup_seconds:.1f} s, restore {restore_seconds:.1f} s: "
        f"{len(before['applications'])} applications, {len(before['events'])} events, "
        f"{len(named_files)} files"
    )

    after = {key: rows(fresh_database, sql) for key, sql in SNAPSHOT.items()}
    assert after == before
    restored_files = {
        str(p.relative_to(restored_media)) for p in restored_media.rglob("*") if p.is_file()
    }
    assert restored_files == named_files  # exactly the files the snapshot names

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

    # The drill an operator runs: into a scratch database of its own, checked, dropped.
    drill = script("restore_drill.sh", str(backup_dir), env={"DATABASE_URL": source_url})
    assert drill.returncode == 0, drill.stderr
    assert "drill passed" in drill.stdout
    assert f"{len(before['applications'])} applications" in drill.stdout
    assert f"({len(named_files)} files)" in drill.stdout
    print(drill.stdout)
    assert not rows(source_url, "SELECT 1 FROM pg_database WHERE datname LIKE 'ptsp_drill_2%%'")

    # The restored event log is still append-only (the trigger came back with the schema).
    with (
        psycopg2.connect(fresh_database) as conn,
        conn.cursor() as cursor,
        pytest.raises(psycopg2.Error, match="append-only"),
    ):
        cursor.execute("UPDATE applications_event SET note = 'x'")


def _tables(url: str) -> int:
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute(
            "select count(*) from information_schema.tables where table_schema = 'public'"
        )
        return cursor.fetchone()[0]


def test_restore_refuses_a_target_that_is_not_empty_a_wrong_passphrase_and_a_damaged_backup(
    demo, settings, tmp_path, fresh_database
):
    source_url = url_for(connection.settings_dict, connection.settings_dict["NAME"])
    submitted_application()
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
    # The override of earlier releases is gone: a non-empty target is always refused.
    refused = script(
        "restore.sh",
        str(backup_dir),
        env={
            "DATABASE_URL": source_url,
            "MEDIA_ROOT": str(tmp_path / "elsewhere"),
            "RESTORE_INTO_NON_EMPTY": "1",
        },
    )
    assert refused.returncode == 4 and rows(source_url, SNAPSHOT["users"]) == users

    # An empty database but a storage directory with files: refused before the database is
    # touched (no half restore).
    occupied = tmp_path / "occupied-media"
    occupied.mkdir()
    (occupied / "something.pdf").write_bytes(b"%PDF-1.4 x")
    refused = script(
        "restore.sh",
        str(backup_dir),
        env={"DATABASE_URL": fresh_database, "MEDIA_ROOT": str(occupied)},
    )
    assert refused.returncode == 4 and "not empty" in refused.stderr
    assert _tables(fresh_database) == 0

    # The wrong passphrase: refused, nothing written.
    wrong = tmp_path / "wrong-passphrase"
    wrong.write_text("not the passphrase")
    refused = script(
        "restore.sh",
        str(backup_dir),
        env={
            "DATABASE_URL": fresh_database,
            "MEDIA_ROOT": str(tmp_path / "fresh"),
            "BACKUP_PASSPHRASE_FILE": str(wrong),
        },
    )
    assert refused.returncode == 3 and "wrong passphrase" in refused.stderr
    assert _tables(fresh_database) == 0 and not (tmp_path / "fresh").exists()

    # Without a passphrase a backup is not even made (never in clear).
    unencrypted = script(
        "backup.sh",
        str(tmp_path / "backups"),
        env={
            "DATABASE_URL": source_url,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "BACKUP_PASSPHRASE_FILE": "",
        },
    )
    assert unencrypted.returncode != 0 and "BACKUP_PASSPHRASE_FILE" in unencrypted.stderr

    # A damaged dump: refused before anything is touched.
    with (backup_dir / "database.dump.enc").open("ab") as dump:
        dump.write(b"garbage")
    damaged = script(
        "restore.sh",
        str(backup_dir),
        env={"DATABASE_URL": source_url, "MEDIA_ROOT": str(tmp_path / "elsewhere")},
    )
    assert damaged.returncode == 3
    assert "damaged" in damaged.stderr
    assert rows(source_url, SNAPSHOT["users"]) == users


def test_backups_are_pruned_to_the_newest_backup_keep(demo, settings, tmp_path):
    source_url = url_for(connection.settings_dict, connection.settings_dict["NAME"])
    out = tmp_path / "backups"
    made = []
    for _ in range(3):
        result = script(
            "backup.sh",
            str(out),
            env={
                "DATABASE_URL": source_url,
                "MEDIA_ROOT": str(settings.MEDIA_ROOT),
                "BACKUP_KEEP": "2",
            },
        )
        assert result.returncode == 0, result.stderr
        made.append(Path(result.stdout.strip().splitlines()[-1]).name)
    assert sorted(p.name for p in out.iterdir()) == made[1:]
    for bad in ("0", "-1", "many"):
        refused = script(
            "backup.sh",
            str(out),
            env={
                "DATABASE_URL": source_url,
                "MEDIA_ROOT": str(settings.MEDIA_ROOT),
                "BACKUP_KEEP": bad,
            },
        )
        assert refused.returncode == 2 and "BACKUP_KEEP" in refused.stderr
    assert sorted(p.name for p in out.iterdir()) == made[1:]


def test_the_backup_names_every_file_column_of_the_models():
    from django.apps import apps
    from django.db import models

    columns = {
        f"{model._meta.db_table}.{field.column}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }
    text = (ROOT / "scripts" / "backup.sh").read_text()
    listed = set(text.split('FILE_COLUMNS="', 1)[1].split('"', 1)[0].split())
    assert listed == columns


def test_the_backup_is_one_point_in_time_while_the_portal_writes(
    demo, settings, tmp_path, fresh_database
):
    """pg_dump is held up (a lock on one table) after the snapshot is taken; meanwhile the
    portal commits a change and stores a new file. The backup holds the database and the files
    of the snapshot's moment: the old row and its file, not the new file."""
    from applications.models import Document

    application = submitted_application()
    document = Document.objects.filter(application=application).first()
    old_name = document.file.name
    media = Path(settings.MEDIA_ROOT)
    source_url = url_for(connection.settings_dict, connection.settings_dict["NAME"])

    holder = psycopg2.connect(source_url)
    with holder.cursor() as cursor:
        cursor.execute("LOCK TABLE django_admin_log IN ACCESS EXCLUSIVE MODE")
    binaries = pg_bin()
    if binaries is None:
        pytest.skip("no pg_dump on this machine")
    backup = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "backup.sh"), str(tmp_path / "backups")],
        env={
            **os.environ,
            "PG_BIN": binaries,
            "DATABASE_URL": source_url,
            "MEDIA_ROOT": str(media),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            waiting = rows(
                source_url,
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'pg_dump' "
                "AND wait_event_type = 'Lock'",
            )
            if waiting:
                break
            time.sleep(0.1)
        else:
            pytest.fail("pg_dump never waited for the lock")
        # The portal goes on: a new file stored and the row changed to name it, committed.
        late_name = "late/written-during-the-backup.pdf"
        (media / "late").mkdir(parents=True, exist_ok=True)
        (media / late_name).write_bytes(b"%PDF-1.4 late")
        Document.objects.filter(pk=document.pk).update(file=late_name)
    finally:
        holder.rollback()
        holder.close()
    out, err = backup.communicate(timeout=120)
    assert backup.returncode == 0, err
    backup_dir = Path(out.strip().splitlines()[-1])

    restored_media = tmp_path / "restored"
    done = script(
        "restore.sh",
        str(backup_dir),
        env={"DATABASE_URL": fresh_database, "MEDIA_ROOT": str(restored_media)},
    )
    assert done.returncode == 0, done.stderr
    (restored_row,) = rows(
        fresh_database,
        f"SELECT file FROM applications_document WHERE id = {int(document.pk)}",  # noqa: S608
    )
    assert restored_row == (old_name,)
    assert (restored_media / old_name).read_bytes() == (media / old_name).read_bytes()
    assert not (restored_media / late_name).exists()


def test_a_backup_of_an_unreachable_database_fails_clearly_and_leaves_nothing(settings, tmp_path):
    source = connection.settings_dict
    missing = url_for(source, f"ptsp_no_such_db_{uuid.uuid4().hex[:6]}")
    out = tmp_path / "backups"
    failed = script(
        "backup.sh",
        str(out),
        env={"DATABASE_URL": missing, "MEDIA_ROOT": str(settings.MEDIA_ROOT)},
    )
    assert failed.returncode == 5
    assert "could not take a snapshot of the database" in failed.stderr
    assert "does not exist" in failed.stderr
    assert list(out.iterdir()) == []  # no partial backup left behind

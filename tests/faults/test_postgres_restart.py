"""PostgreSQL restarted (immediate shutdown: a crash) under load: submissions and acceptances
from four threads, each retried after a database error. After recovery no application, review
or notification is lost or doubled and the tracking numbers stay consecutive.

The PostgreSQL is the test's own (pgserver, a temporary data directory, Unix socket), never the
machine's shared server."""

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg2
import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = [pytest.mark.slow]

COUNT = 24


@pytest.fixture
def own_postgres():
    pgserver = pytest.importorskip("pgserver")
    data = Path(tempfile.mkdtemp(prefix="ptsp-pgfault-")) / "pg"
    server = pgserver.get_server(str(data), cleanup_mode=None)
    pg_ctl = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_ctl"

    def restart():
        subprocess.run(
            [
                "runuser",
                "-u",
                "pgserver",
                "--",
                str(pg_ctl),
                "-D",
                str(data),
                "stop",
                "-m",
                "immediate",
            ],
            check=True,
            capture_output=True,
        )
        time.sleep(1.0)  # clients see the database gone
        server.ensure_postgres_running()

    yield server.get_uri(), restart
    subprocess.run(
        ["runuser", "-u", "pgserver", "--", str(pg_ctl), "-D", str(data), "stop", "-m", "fast"],
        capture_output=True,
    )


def _env(url):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"TEST_DATABASE_NAME", "DATABASE_URL", "DJANGO_ENV"}
    }
    env.update(
        {
            "DJANGO_ENV": "test",
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "ptsp.settings",
            "PYTHONPATH": str(ROOT),
            "DB_CONNECT_TIMEOUT": "2",
            "DB_CONN_MAX_AGE": "0",
            "PTSP_VAR_DIR": tempfile.mkdtemp(prefix="ptsp-pgfault-var-"),
        }
    )
    return env


def _run(env, *args, timeout=240):
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _query(url, sql, params=None):
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_postgres_restarted_under_load(own_postgres):
    url, restart = own_postgres
    env = _env(url)
    _run(env, "manage.py", "migrate", "-v", "0")
    _run(env, "manage.py", "createcachetable")
    _run(env, "manage.py", "seed_demo", "--quiet")
    ids = json.loads(_run(env, "tests/faults/pg_driver.py", "drafts", str(COUNT)).splitlines()[-1])
    before_btg = _query(
        url,
        "SELECT count(*) FROM applications_application a JOIN agencies_region r"
        " ON r.id = a.region_id WHERE r.code = 'BTG' AND a.status <> 'draft'",
    )[0][0]

    driver = subprocess.Popen(
        [sys.executable, "tests/faults/pg_driver.py", "work", *map(str, ids)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def restart_mid_way():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = _query(
                url,
                "SELECT count(*) FROM applications_application"
                " WHERE status <> 'draft' AND id = ANY(%s)",
                [ids],
            )[0][0]
            if done >= 3:
                break
            time.sleep(0.05)
        restart()

    restarter = threading.Thread(target=restart_mid_way)
    restarter.start()
    out, err = driver.communicate(timeout=240)
    restarter.join()
    assert driver.returncode == 0, err[-3000:]
    report = json.loads(out.splitlines()[-1])
    assert report["errors"], "the restart did not hit the running work"

    statuses = _query(
        url,
        "SELECT status, count(*) FROM applications_application WHERE id = ANY(%s) GROUP BY status",
        [ids],
    )
    assert dict(statuses) == {"in_review": COUNT}, statuses
    submitted = _query(
        url,
        "SELECT application_id, count(*) FROM applications_event WHERE action = 'submit' AND application_id = ANY(%s) GROUP BY application_id",
        [ids],
    )
    assert len(submitted) == COUNT and {c for _a, c in submitted} == {1}
    reviews = _query(
        url,
        "SELECT application_id, count(*) FROM agencies_review WHERE application_id = ANY(%s) GROUP BY application_id",
        [ids],
    )
    assert len(reviews) == COUNT and {c for _a, c in reviews} == {2}
    notices = _query(
        url,
        "SELECT application_id, count(*) FROM applications_notification WHERE kind = 'submitted' AND application_id = ANY(%s) GROUP BY application_id",
        [ids],
    )
    assert len(notices) == COUNT and {c for _a, c in notices} == {1}
    numbers = sorted(
        int(re.search(r"(\d+)$", n).group(1))
        for (n,) in _query(
            url,
            "SELECT tracking_number FROM applications_application WHERE tracking_number LIKE 'BTG-%'",
        )
    )
    assert numbers == list(range(1, len(numbers) + 1)), numbers
    filed = _query(
        url,
        "SELECT count(*) FROM applications_application a JOIN agencies_region r"
        " ON r.id = a.region_id WHERE r.code = 'BTG' AND a.status <> 'draft'",
    )[0][0]
    assert len(numbers) == filed == before_btg + COUNT

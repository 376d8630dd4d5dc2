"""The per-request floor of a logged-in request (not a test): what every page costs before its
view runs, and what the page header's context (unread count, navigation, region) adds.

    .venv/bin/python benchmarks/request_floor.py [--n 300]

Makes its own database (BENCH_DB_NAME, default `ptsp_floor`) on the local PostgreSQL (BENCH_PG,
default postgres://postgres@127.0.0.1:5432), loads the demo and requests, in-process with
Django's test client and DEBUG off, a page (benchmarks/floor_urls.py) whose view only renders the
header's context, as an applicant, an OPD officer (neither has an authenticator app) and a signer (who has one,
past the code). Prints
per person: the SQL queries before the view (session, user, memberships, second-factor device),
the queries of the header's context, the connection health checks (`SELECT 1` round trips that
no query log shows), and the median / p95 wall time before the view and of the whole request.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PEOPLE = [
    ("applicant", "budi.santoso@example.id"),
    ("officer", "petugas.dinkes.btg@ptsp.local"),
    ("signer", "kepala.btg@ptsp.local"),
]


def setup_environment() -> None:
    from benchmarks.database import fresh_database

    var = tempfile.mkdtemp(prefix="ptsp-floor-")
    os.environ.update(
        {
            "DJANGO_ENV": "local",
            "DEBUG": "false",
            "DJANGO_SETTINGS_MODULE": "ptsp.settings",
            "DATABASE_URL": fresh_database(os.environ.get("BENCH_DB_NAME", "ptsp_floor")),
            "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14"),
            "PTSP_VAR_DIR": var,
            "MEDIA_ROOT": f"{var}/media",
            "LOG_LEVEL": "WARNING",
            "OUTBOX_PUBLISH_ON_COMMIT": "false",
        }
    )


def percentile(values, q):
    ordered = sorted(values)
    return ordered[round(q / 100 * (len(ordered) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300, help="requests per person")
    args = parser.parse_args()
    setup_environment()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import close_old_connections, connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("createcachetable")
    call_command("seed_demo", "--quiet")
    settings.ROOT_URLCONF = "benchmarks.floor_urls"
    settings.ALLOWED_HOSTS = ["*"]
    from accounts.models import User
    from benchmarks.floor_urls import MARKS, QUERIES
    from security.totp import VERIFIED

    health_checks = [0]
    is_usable = connection.is_usable

    def get(client):
        # What the WSGI handler does at every request's start and end (the test client skips
        # it): a persistent connection is checked again (CONN_HEALTH_CHECKS) in each request.
        close_old_connections()
        response = client.get("/__floor__/")
        close_old_connections()
        return response

    def counting_is_usable():
        health_checks[0] += 1
        return is_usable()

    connection.is_usable = counting_is_usable

    print(f"Per-request floor — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()}")
    print(
        f"sessions: {settings.SESSION_ENGINE}; "
        f"CONN_HEALTH_CHECKS={settings.DATABASES['default'].get('CONN_HEALTH_CHECKS')}, "
        f"CONN_MAX_AGE={settings.DATABASES['default'].get('CONN_MAX_AGE')}"
    )
    print(
        f"{'who':<10} {'q before view':>13} {'q header':>9} {'health':>7} "
        f"{'before view ms':>15} {'request ms':>11}"
    )
    for who, email in PEOPLE:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(email=email))
        if who == "signer":  # has an authenticator app: past the code, as after a real login
            session = client.session
            session[VERIFIED] = True
            session.save()
        for _ in range(5):
            assert get(client).status_code == 200, who
        QUERIES.clear()

        def record(execute, sql, params, many, context):
            QUERIES.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            health_checks[0] = 0
            response = get(client)
        assert response.status_code == 200, who
        before = MARKS["queries_before_view"]
        header = MARKS["queries_after_header"] - before
        checks = health_checks[0]
        before_ms, whole_ms = [], []
        for _ in range(args.n):
            t0 = time.perf_counter()
            get(client)
            t1 = time.perf_counter()
            before_ms.append((MARKS["view_at"] - t0) * 1000)
            whole_ms.append((t1 - t0) * 1000)
        print(
            f"{who:<10} {before:>13} {header:>9} {checks:>7} "
            f"{statistics.median(before_ms):7.2f} p95 {percentile(before_ms, 95):5.2f} "
            f"{statistics.median(whole_ms):6.2f} p95 {percentile(whole_ms, 95):5.2f}"
        )
        for sql in QUERIES[: before + header]:
            print(f"    {sql[:150]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

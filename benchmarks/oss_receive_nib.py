"""receiveNIB benchmark (not a test): N pushes of two checklist items each, as the OSS simulator
sends them, through our endpoint, then the requirement files they bring fetched by the job.

    flock /tmp/ptsp-heavy.lock .venv/bin/python benchmarks/oss_receive_nib.py [--n 10000] [--files 200]

The database is `ptsp_bench_oss` on the server of DATABASE_URL (default: the local
PostgreSQL), made fresh with the demo data; the OSS simulator runs in this process on a free
port. Each push is a new business of a new applicant (its own e-mail and NIK): the full path —
body limit, Token, validation of the ≈ 290 fields, the business with its people and projects,
two checklist items, two drafts through the filing service, the applicant account, four file
records and their outbox messages — inside the Django test client (no HTTP server: the figure
is the endpoint's own cost, one process, one core). Printed: pushes per second, median and p95
per push; then `--files` requirement files fetched from the simulator and attached, per second.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_NAME = "ptsp_bench_oss"


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def server_url() -> str:
    return os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"


def with_db(url: str, name: str) -> str:
    base, _sep, query = url.partition("?")
    return base.rsplit("/", 1)[0] + "/" + name + (f"?{query}" if query else "")


def fresh_database() -> None:
    import psycopg2

    conn = psycopg2.connect(server_url())
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{DB_NAME}"')
    finally:
        conn.close()


def setup_django() -> None:
    os.environ["DATABASE_URL"] = with_db(server_url(), DB_NAME)
    os.environ.setdefault("DJANGO_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptsp.settings")
    os.environ.setdefault("OUTBOX_PUBLISH_ON_COMMIT", "false")
    # the endpoint's own cost: the inbound rate limit (one address, one region) switched off
    os.environ.setdefault("OSS_INBOUND_RATE_PER_ADDRESS", "0")
    os.environ.setdefault("OSS_INBOUND_RATE_PER_REGION", "0")
    if "PTSP_VAR_DIR" not in os.environ:
        import tempfile

        os.environ["PTSP_VAR_DIR"] = tempfile.mkdtemp(prefix="ptsp-bench-var-")
    import django

    django.setup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10000, help="pushes")
    parser.add_argument("--files", type=int, default=200, help="requirement files to fetch")
    args = parser.parse_args()

    fresh_database()
    setup_django()
    import logging

    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from oss.models import RegionConnection, RequirementFile
    from oss.services.files import requirement_file_fetch
    from oss.simulator import OssSimulator, sample_data_nib
    from oss.token import make_token, oss_today

    setup_test_environment()
    logging.disable(logging.WARNING)
    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--quiet")
    os.environ["OSS_BENCH_PUSH_PASSWORD"] = "bench-password"
    with OssSimulator(seed=False) as sim:
        RegionConnection.objects.filter(region__code="BTG").update(
            base_url=sim.base_url,
            enabled=True,
            inbound_username="bench",
            inbound_password_env="OSS_BENCH_PUSH_PASSWORD",
        )
        client = Client()
        url = "/oss/6474000000/receiveNIB"
        times = []
        today = oss_today()
        started = time.perf_counter()
        for index in range(args.n):
            nik = f"647401{1 + index % 28:02d}0388{1 + index // 28:04d}"
            data = sample_data_nib(
                files_base_url=sim.base_url,
                kd_izin=("024000000201", "033000000101"),
                email=f"bench{index}@example.org",
                nik=nik,
            )
            body = json.dumps({"dataNIB": data}, ensure_ascii=False).encode()
            token = make_token(
                username="bench", password="bench-password", nib=data["nib"], on=today
            )
            one = time.perf_counter()
            response = client.post(url, body, content_type="application/json", HTTP_TOKEN=token)
            times.append(time.perf_counter() - one)
            if response.status_code != 200:
                print(f"push {index}: HTTP {response.status_code} {response.content[:200]!r}")
                return 1
        total = time.perf_counter() - started
        print(
            f"receiveNIB ×{args.n} (2 checklist items, 2 drafts each): "
            f"{args.n / sum(times):.1f} pushes/s (wall {total:.1f} s), "
            f"median {statistics.median(times) * 1000:.1f} ms, "
            f"p95 {percentile(times, 0.95) * 1000:.1f} ms"
        )
        rows = list(
            RequirementFile.objects.filter(state="pending").values_list("pk", flat=True)[
                : args.files
            ]
        )
        one = time.perf_counter()
        states = [requirement_file_fetch(file_id=pk) for pk in rows]
        took = time.perf_counter() - one
        print(
            f"requirement files ×{len(rows)}: {len(rows) / took:.1f} files/s per worker "
            f"({states.count('attached')} attached)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

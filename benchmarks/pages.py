"""Per-page server cost (not a test): time and SQL queries of each page of the load scenario.

    .venv/bin/python benchmarks/pages.py [--n 30]

Makes its own database (BENCH_DB, default `ptsp_pages`) on the local PostgreSQL (BENCH_PG,
default postgres://postgres@127.0.0.1:5432), fills it as the load test does (benchmarks/prepare.py) and
requests each GET page of benchmarks/locustfile.py in-process with Django's test client, as the
person the scenario uses, with DEBUG off. Prints, per page, the median and p95 time and the number
of queries: what a gunicorn worker spends on it, without the network and the load generator.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_environment() -> None:
    from benchmarks.database import fresh_database

    var = tempfile.mkdtemp(prefix="ptsp-pages-")
    os.environ.update(
        {
            "DJANGO_ENV": "local",
            "DEBUG": "false",
            "DJANGO_SETTINGS_MODULE": "ptsp.settings",
            "DATABASE_URL": fresh_database(os.environ.get("BENCH_DB", "ptsp_pages")),
            "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14"),
            "PTSP_VAR_DIR": var,
            "MEDIA_ROOT": f"{var}/media",
            "LOG_LEVEL": "WARNING",
            "TOTP_ENFORCED": "false",
            "OUTBOX_PUBLISH_ON_COMMIT": "false",
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument(
        "--profile",
        metavar="PAGE",
        help="after the table, profile PAGE's requests (cProfile; a page as printed, e.g. /)",
    )
    parser.add_argument("--only", metavar="PAGE", help="measure this page only (as printed)")
    args = parser.parse_args()
    setup_environment()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable")
    call_command("seed_demo", "--quiet")
    from benchmarks import prepare

    fixtures_path = Path(os.environ["PTSP_VAR_DIR"]) / "fixtures.json"
    prepare.main(str(fixtures_path))
    fixtures = json.loads(fixtures_path.read_text())

    import re

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def client_for(email: str | None) -> Client:
        client = Client(HTTP_HOST="127.0.0.1")
        if email:
            client.cookies["sessionid"] = fixtures["sessions"][email]
        return client

    applicant = client_for(fixtures["applicants"][0])
    mine = re.findall(r'href="/applications/(\d+)/"', applicant.get("/applications/").text)
    verifier = client_for("verifikator.btg@ptsp.local")
    intake_ids = re.findall(r'href="/intake/(\d+)/"', verifier.get("/intake/").text)
    officer = client_for("petugas.dinkes.btg@ptsp.local")
    review_ids = re.findall(r'href="/reviews/(\d+)/"', officer.get("/reviews/inbox/").text)
    signer = client_for("kepala.btg@ptsp.local")
    signing_ids = re.findall(r'href="/signing/(\d+)/"', signer.get("/signing/").text)
    public = client_for(None)
    pages = [
        ("public", public, "/"),
        ("public", public, "/catalog/"),
        ("public", public, f"/catalog/{fixtures['region']}/{fixtures['code']}/"),
        ("public", public, "/track/"),
        ("public", public, f"/verify/{fixtures['tokens'][0]}/"),
        ("applicant", applicant, "/applications/"),
        ("applicant", applicant, f"/applications/{mine[0]}/"),
        ("applicant", applicant, "/notifications/"),
        ("verifier", verifier, "/intake/"),
        ("verifier", verifier, f"/intake/{intake_ids[0]}/"),
        ("officer", officer, "/reviews/inbox/"),
        ("officer", officer, f"/reviews/{review_ids[0]}/"),
        ("signer", signer, "/signing/"),
        ("signer", signer, f"/signing/{signing_ids[0]}/"),
    ]
    print(f"Per-page server cost — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()}")
    print(f"{'who':<10} {'page':<44} {'median':>8} {'p95':>8} {'queries':>8}")

    def shown(url: str) -> str:
        return re.sub(r"/[A-Za-z0-9_-]{43}/", "/[token]/", url)

    if args.only:
        pages = [page for page in pages if shown(page[2]) == args.only]
    for who, client, url in pages:
        for _ in range(3):
            assert client.get(url).status_code == 200, url
        times = []
        for _ in range(args.n):
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, url
        p95 = sorted(times)[round(0.95 * (len(times) - 1))]
        print(
            f"{who:<10} {shown(url):<44} {statistics.median(times):7.1f}  {p95:7.1f}"
            f"  {len(queries):8d}"
        )
    if args.profile:
        import cProfile
        import pstats

        who, client, url = next(page for page in pages if shown(page[2]) == args.profile)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.n):
            client.get(url)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())

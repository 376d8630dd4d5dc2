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
    parser.add_argument(
        "--compare",
        nargs="?",
        const="6",
        choices=sorted(STEPS),
        help="each page with the per-request changes of issue 20's step 6 (or the step named) "
        "undone and done, alternately in this process (rounds of 10 requests), instead of the "
        "table",
    )
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
    if args.compare:
        return compare(pages, args.n, shown, STEPS[args.compare])
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


class ORMRead:
    """A compiled statement's read done by the ORM, as before step 6."""

    def __init__(self, build):
        self.build = build

    def rows(self, **values):
        return list(self.build(**values))


def step6(done: bool) -> None:
    """Undo (`done=False`) or redo issue 20's step 6 in this process: links reversed once per
    process (`{% url %}` and the navigation), one Redis client per pool for the sessions,
    `request.user` unwrapped from its lazy proxy, the person's row and the applicant's and the
    notifications' lists through statements compiled once per thread. Each is put back to Django's own code, so the
    same process measures both."""
    from django.core.cache.backends.redis import RedisCacheClient
    from django.template.defaulttags import URLNode
    from django.urls import reverse

    from accounts.models import UserManager
    from agencies import context_processors
    from applications import selectors
    from ptsp import links, redis_cache
    from ptsp.templatetags import links as link_tags
    from security import identity

    saved = step6.__dict__.setdefault(
        "saved",
        {
            "render": link_tags.CachedURLNode.render,
            "reverse": context_processors.reverse_cached,
            "get_client": redis_cache.SharedClientRedisCacheClient.get_client,
            "call": identity.IdentityMiddleware.__call__,
            "get": UserManager.get,
            "files": selectors._applicant_file_rows,
            "notifications": selectors._notification_rows,
        },
    )

    def lazy_call(self, request):  # the middleware before step 6: request.user stays lazy
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            identity.identity_fill(user)
        return self.get_response(request)

    def orm_get(self, *args, **kwargs):  # the ORM's get, as before step 6
        return super(UserManager, self).get(*args, **kwargs)

    link_tags.CachedURLNode.render = saved["render"] if done else URLNode.render
    context_processors.reverse_cached = saved["reverse"] if done else reverse
    redis_cache.SharedClientRedisCacheClient.get_client = (
        saved["get_client"] if done else RedisCacheClient.get_client
    )
    identity.IdentityMiddleware.__call__ = saved["call"] if done else lazy_call
    UserManager.get = saved["get"] if done else orm_get
    selectors._applicant_file_rows = (
        saved["files"] if done else ORMRead(selectors._applicant_file_rows_query)
    )
    selectors._notification_rows = (
        saved["notifications"] if done else ORMRead(selectors._notification_rows_query)
    )
    links.clear()


class Uncached:
    """A ProcessCache that keeps nothing: every call computes, as before the cache."""

    def get_or_compute(self, key, compute):
        return compute()


def step7(done: bool) -> None:
    """Undo or redo issue 20's step 7 in this process: the region's footer rendered once per
    content and language (`agencies/templatetags/region_identity.py`)."""
    from agencies.templatetags import region_identity

    saved = step7.__dict__.setdefault("saved", region_identity.footers)
    region_identity.footers = saved if done else Uncached()


def step8(done: bool) -> None:
    """Undo or redo issue 20's step 8 in this process: the visitors' pages (landing, catalog,
    SOP) rendered once per content (`agencies/public_pages.py`); undone, every request renders
    (with the markers put in and replaced, as a miss does)."""
    from agencies import public_pages

    saved = step8.__dict__.setdefault("saved", public_pages.pages)
    public_pages.pages = saved if done else Uncached()


def step9(done: bool) -> None:
    """Undo or redo the page header rendered once per content (`{% site_header %}`,
    `agencies/templatetags/page_chrome.py`); undone, every page renders it (with the markers
    put in and replaced, as a miss does)."""
    from agencies.templatetags import page_chrome

    saved = step9.__dict__.setdefault("saved", page_chrome.headers)
    page_chrome.headers = saved if done else Uncached()


STEPS = {"6": step6, "7": step7, "8": step8, "9": step9}


def compare(pages, n: int, shown, step=step6) -> int:
    """Per page: the median time without and with a step, measured alternately in rounds of 10
    requests in this one process (the VM's speed drifts within minutes; interleaving puts both
    under the same drift)."""
    print(f"{'who':<10} {'page':<44} {'before':>8} {'after':>8} {'after/before':>13}")
    totals = {False: [], True: []}
    for who, client, url in pages:
        times = {False: [], True: []}
        for done in (False, True):
            step(done)
            for _ in range(3):
                assert client.get(url).status_code == 200, url
        for _ in range(max(1, n // 10)):
            for done in (False, True):
                step(done)
                for _ in range(10):
                    t0 = time.perf_counter()
                    response = client.get(url)
                    times[done].append((time.perf_counter() - t0) * 1000)
                    assert response.status_code == 200, url
        before, after = statistics.median(times[False]), statistics.median(times[True])
        totals[False].append(before)
        totals[True].append(after)
        print(f"{who:<10} {shown(url):<44} {before:7.2f}  {after:7.2f}  {after / before:12.2f}")
    step(True)
    print(
        f"{'':<10} {'sum of the medians':<44} {sum(totals[False]):7.1f}  {sum(totals[True]):7.1f}"
        f"  {sum(totals[True]) / sum(totals[False]):12.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""PTSP Online's busy pages next to a bare peer (not a test): in one process and one run, the
logged-in application page, the tracking page and the catalog against a minimal Django status
page over the same tables (two indexed queries and a small template, `bare_status` below).

    BENCH_DB_NAME=ptsp_status .venv/bin/python benchmarks/status_page.py --apps 2000 --n 200

Uses the database BENCH_DB_NAME (default `ptsp_status`) on the server of DATABASE_URL (default
the local postgres://postgres@127.0.0.1:5432/postgres); when it does not exist yet it is built
as benchmarks/sla.py builds its own (the demo plus --apps generated applications with two
reviews each and their events, inside PostgreSQL). `--fresh` drops and rebuilds it. To measure
at a million files, point it at the SLA benchmark's database, built once:

    BENCH_DB_NAME=ptsp_bench_sla .venv/bin/python benchmarks/sla.py --apps 1000000
    BENCH_DB_NAME=ptsp_bench_sla .venv/bin/python benchmarks/status_page.py --n 500

Requests go through Django's test client (the whole middleware chain, DEBUG off, no network),
interleaved page by page — ours, then the peer — so that both see the same machine. Prints per
page the median and p95 wall time, the CPU time per request, the queries, and the ratio of the
peer's median to ours (the issue's "0.3× the bare peer": ours ≥ 0.3 of the peer's speed).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ["BENCH_DB_NAME"] = os.environ.get("BENCH_DB_NAME", "ptsp_status")

from benchmarks import sla  # noqa: E402 (after the database name is set)

APPLICANT = "budi.santoso@example.id"

# The peer: what a single-file Django status page does, over our tables.
BARE_TEMPLATE = """<!doctype html><html lang="id"><head><meta charset="utf-8">
<title>{{ a.tracking_number }}</title></head><body>
<h1>{{ a.tracking_number }} — {{ a.business_name }}</h1>
<p>{{ a.status }} · {{ a.submitted_at|date:"j M Y H:i" }}</p>
<ol>{% for e in events %}<li>{{ e.at|date:"j M Y H:i" }} {{ e.action }} {{ e.to_status }}</li>{% endfor %}</ol>
</body></html>"""


def bare_urlpatterns():
    """The portal's URLs plus `/__bare__/<pk>/`: the application by its key and its last
    twenty events (the event index), rendered by a small template. No session, no middleware
    work of its own beyond the portal's chain."""
    from django.http import Http404, HttpResponse
    from django.template import engines
    from django.urls import path

    from applications.models import Application, Event
    from ptsp.urls import urlpatterns as portal

    template = engines["django"].from_string(BARE_TEMPLATE)

    def bare_status(request, pk: int):
        a = (
            Application.objects.filter(pk=pk)
            .values("tracking_number", "business_name", "status", "submitted_at")
            .first()
        )
        if a is None:
            raise Http404
        events = list(
            Event.objects.filter(application_id=pk)
            .order_by("-at", "-id")
            .values("at", "action", "to_status")[:20]
        )
        return HttpResponse(template.render({"a": a, "events": events}))

    return [path("__bare__/<int:pk>/", bare_status), *portal]


def percentile(values, q):
    ordered = sorted(values)
    return ordered[round(q / 100 * (len(ordered) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=2000, help="files to build if new")
    parser.add_argument("--n", type=int, default=200, help="requests per page")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the database")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="ROWS",
        help="instead of timing, profile --n requests of the application page (cProfile, in "
        "process) and print the ROWS costliest functions by own and by cumulative time",
    )
    args = parser.parse_args()
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # Sessions are read from Redis, as in production (the machine's Redis; the session store
    # falls back to the database, and says so, when there is none).
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")
    new = sla.create_database(args.fresh)
    sla.setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.urls import clear_url_caches

    if new:
        print(f"building {args.apps} applications in {sla.DB_NAME} ...", flush=True)
        sla.build(args.apps)
    call_command("migrate", verbosity=0)
    call_command("createcachetable")
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    module = type(sys)("benchmarks_status_urls")
    module.urlpatterns = bare_urlpatterns()
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()

    from accounts.models import User
    from applications.models import Application

    applicant = User.objects.get(email=APPLICANT)
    application = (
        Application.objects.filter(applicant=applicant)
        .exclude(submitted_at=None)
        .order_by("-pk")
        .first()
    )
    assert application is not None, "no submitted file of the demo applicant"
    ours = Client()
    ours.force_login(applicant)
    anonymous = Client()
    track = {"tracking_number": application.tracking_number, "contact": applicant.email}
    pages = [
        ("application page (logged in)", lambda: ours.get(f"/applications/{application.pk}/")),
        ("tracking page (anonymous)", lambda: anonymous.post("/track/", track)),
        ("catalog (anonymous)", lambda: anonymous.get("/catalog/")),
        ("bare peer status page", lambda: anonymous.get(f"/__bare__/{application.pk}/")),
    ]
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    wall = {label: [] for label, _ in pages}
    cpu = {label: [] for label, _ in pages}
    n_queries = {}
    for label, request in pages:  # warm: caches, templates, connections
        for _ in range(5):
            close_old_connections()
            response = request()
            assert response.status_code == 200, (label, response.status_code)
    if args.profile:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        for _ in range(args.n):
            close_old_connections()
            profile.runcall(pages[0][1])
        stats = pstats.Stats(profile).strip_dirs()
        print(f"{pages[0][0]}: {args.n} requests profiled")
        stats.sort_stats("tottime").print_stats(args.profile)
        stats.sort_stats("cumulative").print_stats(args.profile)
        return 0
    with connection.execute_wrapper(count):
        for _ in range(args.n):
            for label, request in pages:
                close_old_connections()
                queries.clear()
                c0, t0 = time.process_time(), time.perf_counter()
                request()
                wall[label].append((time.perf_counter() - t0) * 1000)
                cpu[label].append((time.process_time() - c0) * 1000)
                n_queries[label] = len(queries)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM applications_application")
        files = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM applications_event")
        events = cursor.fetchone()[0]
    print(
        f"Status pages against a bare peer — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    print(f"  database {sla.DB_NAME}: {files} applications, {events} events; n={args.n} each")
    print(f"  machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    bare = statistics.median(wall["bare peer status page"])
    for label, _ in pages:
        median = statistics.median(wall[label])
        print(
            f"  {label:<32} median {median:6.2f} ms  p95 {percentile(wall[label], 95):6.2f} ms"
            f"  cpu {statistics.median(cpu[label]):6.2f} ms  {n_queries[label]:2d} queries"
            f"  {bare / median:5.2f}× the peer"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

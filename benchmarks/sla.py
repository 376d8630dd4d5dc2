"""SLA benchmark (not part of the unit run): a million applications with their reviews and
events in a separate PostgreSQL database, then the sweep time, the dashboard page server time
and the query count per page.

    .venv/bin/python benchmarks/sla.py --apps 1000000            # build (if needed) and measure
    .venv/bin/python benchmarks/sla.py --apps 1000000 --fresh    # drop and rebuild the database

The database is `ptsp_bench_sla` on the server of DATABASE_URL (default: the local
postgres://postgres@127.0.0.1:5432/postgres); it is created here, never a test database.
Rows are generated inside PostgreSQL (INSERT ... SELECT generate_series), in one statement per
table and region. Data shape (per region, half of --apps each in BTG and PLG): submitted over
three years; 2% in review and 2% waiting for a revision, due from 3 days ago to 4 weeks ahead;
1% rejected; the rest issued (one in 200 of them deemed approved at its legal deadline). Two OPD
reviews per file; events: submit, accept, two routed, two decisions (and issue) per closed file.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_NAME = os.environ.get("BENCH_DB_NAME", "ptsp_bench_sla")


def server_url() -> str:
    return os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"


def with_db(url: str, name: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{name}"))


def create_database(fresh: bool) -> bool:
    """Create the benchmark database; return True when it is new (needs data)."""
    import psycopg2

    conn = psycopg2.connect(server_url())
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
            exists = cursor.fetchone()
            if exists and fresh:
                cursor.execute(f'DROP DATABASE "{DB_NAME}" WITH (FORCE)')
                exists = None
            if not exists:
                cursor.execute(f'CREATE DATABASE "{DB_NAME}"')
                return True
    finally:
        conn.close()
    return False


def setup_django():
    os.environ["DATABASE_URL"] = with_db(server_url(), DB_NAME)
    os.environ.setdefault("DJANGO_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptsp.settings")
    if "PTSP_VAR_DIR" not in os.environ:
        import tempfile

        os.environ["PTSP_VAR_DIR"] = tempfile.mkdtemp(prefix="ptsp-bench-var-")
    import django

    django.setup()


APPS_SQL = """
INSERT INTO applications_application
  (tracking_number, applicant_id, region_id, permit_type_id, catalog_version_id, status,
   business_name, nib, kbli, address, kelurahan, kecamatan, form_data, due_at, withdraw_reason,
   created_at, updated_at, submitted_at, closed_at, legal_state, legal_due_at,
   legal_started_at, legal_decided_at, deemed_at)
SELECT %(code)s || '-B-' || g, %(applicant)s, %(region)s, %(ptype)s, %(version)s, s.status,
       'Usaha ' || g, '', '', '', '', '', '{}'::jsonb, NULL, '',
       s.sub, s.sub, s.sub,
       CASE WHEN s.status IN ('issued', 'rejected') THEN s.sub + interval '25 days' END,
       -- The legal clock (issue 18): running for the files in review, deadlines from two days
       -- ago to four weeks ahead; stopped while waiting for the applicant; met when decided.
       CASE WHEN s.status = 'in_review' THEN 'running'
            WHEN s.status = 'revision_requested' THEN 'paused'
            WHEN g %% 200 = 3 THEN 'deemed' ELSE 'met' END,
       CASE WHEN s.status = 'in_review'
            THEN now() + interval '1 hour' * (-48 + (g::bigint * 7919) %% 720)
            WHEN s.status IN ('issued', 'rejected') THEN s.sub + interval '20 days' END,
       s.sub + interval '1 day',
       CASE WHEN s.status IN ('issued', 'rejected') AND g %% 200 <> 3
            THEN s.sub + interval '19 days' END,
       -- One file in 200 deemed approved at its deadline (the legal report's last column).
       CASE WHEN g %% 200 = 3 THEN s.sub + interval '20 days' END
  FROM (
    SELECT g,
           CASE WHEN g %% 50 = 0 THEN 'in_review'
                WHEN g %% 50 = 1 THEN 'revision_requested'
                WHEN g %% 100 = 2 THEN 'rejected'
                ELSE 'issued' END AS status,
           CASE WHEN g %% 50 IN (0, 1)
                THEN now() - interval '1 day' * (1 + random() * 14)
                ELSE now() - interval '1 day' * (30 + random() * 1065) END AS sub
      FROM generate_series(1, %(n)s) g
  ) s
"""

REVIEWS_SQL = """
INSERT INTO agencies_review
  (application_id, agency_id, assignee_id, status, budget_days, due_at, created_at, decided_at,
   decided_by_id, reasons, revision_items, letter, stage, needs_head_approval, head_note)
SELECT a.id, ag.agency_id, ag.officer_id,
       CASE WHEN a.status = 'in_review' THEN 'in_review'
            WHEN a.status = 'revision_requested' AND ag.n = 1 THEN 'revision_requested'
            WHEN a.status = 'revision_requested' THEN 'in_review'
            WHEN a.status = 'rejected' AND ag.n = 1 THEN 'rejected'
            WHEN a.status = 'rejected' THEN 'cancelled'
            ELSE 'recommended' END,
       10,
       CASE WHEN a.status IN ('in_review', 'revision_requested')
            THEN now() + interval '1 hour' * (-72 + (a.id * 7919 + ag.n * 104729) %% 744)
            ELSE a.submitted_at + interval '15 days' END,
       a.submitted_at + interval '1 day',
       CASE WHEN a.status IN ('issued', 'rejected')
            THEN a.submitted_at + interval '1 day' * (2 + random() * 18) END,
       CASE WHEN a.status IN ('issued', 'rejected') THEN ag.officer_id END,
       '', '[]'::jsonb, '', 1, false, ''
  FROM applications_application a
  CROSS JOIN (VALUES (1, %(a1)s::bigint, %(o1)s::bigint), (2, %(a2)s::bigint, %(o2)s::bigint))
       AS ag(n, agency_id, officer_id)
 WHERE a.region_id = %(region)s AND a.permit_type_id = %(ptype)s
"""

EVENTS_SQL = [
    # submit and accept
    """
INSERT INTO applications_event (application_id, review_id, actor_id, at, action, from_status,
                                to_status, note, data)
SELECT a.id, NULL::bigint, a.applicant_id, a.submitted_at, 'submit', 'draft', 'submitted', '', '{}'::jsonb
  FROM applications_application a
 WHERE a.region_id = %(region)s AND a.permit_type_id = %(ptype)s
UNION ALL
SELECT a.id, NULL::bigint, NULL::bigint, a.submitted_at + interval '1 day', 'accept', 'submitted', 'in_review',
       '', '{}'::jsonb
  FROM applications_application a
 WHERE a.region_id = %(region)s AND a.permit_type_id = %(ptype)s
""",
    # routed, decisions
    """
INSERT INTO applications_event (application_id, review_id, actor_id, at, action, from_status,
                                to_status, note, data)
SELECT r.application_id, r.id, NULL::bigint, r.created_at, 'routed', 'in_review', 'in_review', '', '{}'::jsonb
  FROM agencies_review r JOIN applications_application a ON a.id = r.application_id
 WHERE a.region_id = %(region)s AND a.permit_type_id = %(ptype)s
UNION ALL
SELECT r.application_id, r.id, r.assignee_id, r.decided_at,
       CASE r.status WHEN 'recommended' THEN 'review_recommend'
                     WHEN 'rejected' THEN 'review_reject' ELSE 'review_cancel' END,
       'in_review', r.status, '', '{}'::jsonb
  FROM agencies_review r JOIN applications_application a ON a.id = r.application_id
 WHERE a.region_id = %(region)s AND a.permit_type_id = %(ptype)s AND r.decided_at IS NOT NULL
UNION ALL
SELECT a.id, NULL::bigint, NULL::bigint, a.closed_at, 'issue', 'issuing', 'issued', '', '{}'::jsonb
  FROM applications_application a
 WHERE a.region_id = %(region)s AND a.permit_type_id = %(ptype)s AND a.status = 'issued'
""",
]


def build(n_apps: int) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from agencies.models import Agency, Region
    from tests.journeys import permit_type

    timings = {}
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--quiet")
    timings["migrate+seed"] = time.monotonic() - started
    applicant = User.objects.get(email="budi.santoso@example.id")
    per_region = n_apps // 2
    for code in ("BTG", "PLG"):
        region = Region.objects.get(code=code)
        ptype = permit_type(region_code=code, agencies=("DINKES", "DLH"), code="BENCH")
        version = ptype.versions.order_by("-number").first()
        a1, a2 = (Agency.objects.get(region=region, code=c) for c in ("DINKES", "DLH"))
        o1, o2 = (
            a.memberships.filter(role="officer").order_by("id").first().user_id for a in (a1, a2)
        )
        params = {
            "code": code,
            "applicant": applicant.pk,
            "region": region.pk,
            "ptype": ptype.pk,
            "version": version.pk,
            "n": per_region,
            "a1": a1.pk,
            "a2": a2.pk,
            "o1": o1,
            "o2": o2,
        }
        with connection.cursor() as cursor:
            for name, sql in [("applications", APPS_SQL), ("reviews", REVIEWS_SQL)] + [
                (f"events{i}", s) for i, s in enumerate(EVENTS_SQL)
            ]:
                t = time.monotonic()
                cursor.execute(sql, params)
                timings[f"{code} {name}"] = time.monotonic() - t
                print(
                    f"  {code} {name}: {cursor.rowcount} rows in {timings[f'{code} {name}']:.1f}s"
                )
    t = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    timings["vacuum analyze"] = time.monotonic() - t
    return timings


def counts() -> dict:
    from django.db import connection

    result = {}
    with connection.cursor() as cursor:
        for table in ("applications_application", "agencies_review", "applications_event"):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
            result[table] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM agencies_review WHERE status = 'in_review' AND due_at < now()"
        )
        result["overdue open reviews"] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM applications_application WHERE legal_state = 'running'"
        )
        result["running legal clocks"] = cursor.fetchone()[0]
    return result


def timed(fn, repeat=5):
    samples = []
    for _ in range(repeat):
        t = time.monotonic()
        value = fn()
        samples.append((time.monotonic() - t) * 1000)
    return statistics.median(samples), min(samples), max(samples), value


def measure() -> list[str]:
    from datetime import timedelta

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from agencies.calendar import ensure_working_days
    from agencies.models import Agency
    from applications.sla.sweep import sla_sweep

    settings.ALLOWED_HOSTS = ["*"]
    call_command("createcachetable")
    call_command("migrate", verbosity=0)
    lines = []
    ensure_working_days(list(__import__("agencies.models").models.Region.objects.all()))
    now = timezone.now()
    # The catch-up sweep: every notice owed by ten minutes ago (as after the worker was down).
    t = time.monotonic()
    first = sla_sweep(now=now - timedelta(minutes=10))
    lines.append(
        f"catch-up sweep (first run, worker was down): {first.notices} notices to "
        f"{first.notifications} people for {first.stages} stages in {time.monotonic() - t:.2f} s"
    )
    med, lo, hi, res = timed(lambda: sla_sweep(now=timezone.now()))
    lines.append(
        f"steady sweep (every 10 min): median {med:.0f} ms (min {lo:.0f}, max {hi:.0f}); "
        f"{res.notices} new notices in the last run"
    )
    # The legal guard (issue 18): the rows it reads, and its plan.
    from agencies.models import Region
    from applications.models import Application, LegalState
    from applications.sla.legal import _horizon, legal_guard
    from ptsp.workdays import Calendar

    calendars = {r.pk: Calendar(r) for r in Region.objects.filter(is_active=True)}
    due_rows = Application.objects.filter(
        legal_state=LegalState.RUNNING, legal_due_at__lte=_horizon(calendars, timezone.now())
    )
    from django.db.models import Q

    owed = due_rows.filter(Q(legal_next_at__isnull=True) | Q(legal_next_at__lte=timezone.now()))
    lines.append(
        f"legal guard: {due_rows.count()} running clocks within the horizon, {owed.count()} "
        f"owed something now, of {Application.objects.count()} applications"
    )
    plan = owed.order_by("legal_due_at", "pk").explain(analyze=True)
    lines.append("legal guard plan: " + " | ".join(plan.splitlines()[:4]))
    t = time.monotonic()
    first_guard = legal_guard(now=timezone.now())
    lines.append(
        f"legal guard, first run: {first_guard.notices} warnings, {first_guard.deemed} deemed, "
        f"in {time.monotonic() - t:.2f} s"
    )
    med, lo, hi, res = timed(lambda: legal_guard(now=timezone.now()))
    lines.append(
        f"legal guard, steady: median {med:.0f} ms (min {lo:.0f}, max {hi:.0f}); "
        f"{res.notices} new warnings in the last run"
    )
    # The dashboard's daily summary (monitoring.summary): the first run counts every day (as
    # after the migration), the next ones only the days since.
    from monitoring.summary import review_days_rebuild, review_days_refresh

    t = time.monotonic()
    days = review_days_rebuild()
    lines.append(f"daily summary, full rebuild: {days} days in {time.monotonic() - t:.2f} s")
    med, lo, hi, _ = timed(review_days_refresh)
    lines.append(f"daily summary, steady refresh: median {med:.0f} ms (min {lo:.0f}, max {hi:.0f})")
    lines += legal_report_lines()
    client = Client()
    client.force_login(User.objects.get(email="monitor.btg@ptsp.local"))
    dinkes = Agency.objects.get(region__code="BTG", code="DINKES")
    today = timezone.localdate()
    pages = [
        ("dashboard, last 30 days", "/monitoring/", {}),
        (
            "dashboard, one year",
            "/monitoring/",
            {"start": str(today - timedelta(days=364)), "end": str(today)},
        ),
        ("agency drill-down", f"/monitoring/agencies/{dinkes.pk}/", {}),
        ("CSV export (figures)", "/monitoring/export.csv", {}),
        ("public statistics, one year (cached 10 min)", "/statistics/", {"region": "BTG"}),
    ]
    # The one-year dashboard with the legal report counted as before this change (every review
    # of every file decided in the period), interleaved with the page as it is.
    from monitoring import selectors

    summarised = selectors.legal_report
    year = {"start": str(today - timedelta(days=364)), "end": str(today)}
    before, after = [], []
    for _ in range(7):
        selectors.legal_report = legal_report_counted_before
        t = time.monotonic()
        assert client.get("/monitoring/", year).status_code == 200
        before.append((time.monotonic() - t) * 1000)
        selectors.legal_report = summarised
        t = time.monotonic()
        assert client.get("/monitoring/", year).status_code == 200
        after.append((time.monotonic() - t) * 1000)
    lines.append(
        "dashboard, one year, interleaved x7: legal report counted as before "
        f"{statistics.median(before[1:]):.0f} ms, from the summary "
        f"{statistics.median(after[1:]):.0f} ms (medians without the first pair)"
    )
    for label, url, params in pages:
        client.get(url, params)  # warm
        queries = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)
        med, lo, hi, _ = timed(lambda url=url, params=params: client.get(url, params))
        lines.append(
            f"{label}: median {med:.0f} ms (min {lo:.0f}, max {hi:.0f}), {len(queries)} queries"
        )
    return lines


# The legal report as it was counted before its daily summary (issue 18's query, kept here to
# measure against): every review of every file decided in the period.
LEGAL_REPORT_BEFORE_SQL = """
SELECT r.agency_id,
       date_trunc('month', COALESCE(a.legal_decided_at, a.deemed_at) AT TIME ZONE %(tz)s)::date,
       COUNT(DISTINCT a.id),
       COUNT(DISTINCT a.id) FILTER (WHERE a.legal_state = 'met'),
       COUNT(DISTINCT a.id) FILTER (WHERE r.decided_at IS NOT NULL AND r.due_at IS NOT NULL
                                       AND r.decided_at <= r.due_at),
       COUNT(DISTINCT a.id) FILTER (WHERE a.legal_state = 'deemed'
                                       AND (r.decided_at IS NULL OR r.decided_at > a.deemed_at))
  FROM agencies_review r
  JOIN applications_application a ON a.id = r.application_id
 WHERE r.agency_id = ANY(%(agencies)s)
   AND a.region_id = %(region)s
   AND a.legal_state IN ('met', 'late', 'deemed')
   AND COALESCE(a.legal_decided_at, a.deemed_at) >= %(start)s
   AND COALESCE(a.legal_decided_at, a.deemed_at) < %(end)s
   AND r.status <> 'cancelled'
 GROUP BY 1, 2
 ORDER BY 2, 1
"""


def legal_report_counted_before(scope, *, start, end):
    from django.db import connection

    from monitoring.selectors import LegalMonth, period_bounds

    agencies = {a.pk: a for a in scope.agencies}
    lo, hi = period_bounds(scope.region, start, end)
    with connection.cursor() as cursor:
        cursor.execute(
            LEGAL_REPORT_BEFORE_SQL,
            {
                "tz": scope.region.timezone,
                "agencies": list(agencies),
                "region": scope.region.pk,
                "start": lo,
                "end": hi,
            },
        )
        return [LegalMonth(agencies[a], m, *c) for a, m, *c in cursor.fetchall()]


def legal_report_lines() -> list[str]:
    """The dashboard's legal report (issue 18) before and after its daily summary: the query
    counted from every review against the summary's, for 30 days and one year; the figures
    compared (equal but for the changed definitions, then counted live: equal)."""
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from monitoring.models import SummaryState
    from monitoring.selectors import legal_report, monitoring_scope
    from monitoring.summary import LEGAL_FIGURES_SQL

    def plain(rows):
        return [(m.agency.pk, m.month, m.decided, m.within_legal, m.deemed) for m in rows]

    lines = []
    scope = monitoring_scope(User.objects.get(email="monitor.btg@ptsp.local"))
    today = timezone.localdate()
    for label, days in (("30 days", 29), ("one year", 364)):
        start, end = today - timedelta(days=days), today
        med_b, lo_b, hi_b, before = timed(
            lambda s=start, e=end: legal_report_counted_before(scope, start=s, end=e)
        )
        med_a, lo_a, hi_a, after = timed(lambda s=start, e=end: legal_report(scope, start=s, end=e))
        with transaction.atomic():
            SummaryState.objects.filter(region=scope.region).delete()
            med_l, _lo, _hi, counted = timed(
                lambda s=start, e=end: legal_report(scope, start=s, end=e)
            )
            transaction.set_rollback(True)
        assert [m.__dict__ for m in counted] == [m.__dict__ for m in after], label
        assert plain(before) == plain(after), label
        # "Within the internal budget" now counts only the OPD's own decisions (see summary.py).
        internal = [m.within_internal for m in before] == [m.within_internal for m in after]
        lines.append(
            f"legal report, {label}: counted as before {med_b:.0f} ms (min {lo_b:.0f}, max "
            f"{hi_b:.0f}); from the summary {med_a:.1f} ms (min {lo_a:.1f}, max {hi_a:.1f}); "
            f"counted live by the new query {med_l:.0f} ms; {len(after)} rows, "
            f"{sum(m.decided for m in after)} files, the same figures"
            + ("" if internal else " (but within the internal budget)")
        )
    from monitoring.selectors import period_bounds

    start, end = today - timedelta(days=364), today
    lo, hi = period_bounds(scope.region, start, end)
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (ANALYZE, BUFFERS) " + LEGAL_FIGURES_SQL,
            {
                "region": scope.region.pk,
                "tz": scope.region.timezone,
                "agencies": [a.pk for a in scope.agencies],
                "first": start,
                "last": end,
                "start": lo,
                "end": hi,
            },
        )
        plan = [row[0] for row in cursor.fetchall()]
    lines.append(
        "legal report plan, one year: "
        + " | ".join(p.strip() for p in plan if "Index" in p or "Execution" in p)
    )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=1_000_000)
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the database")
    args = parser.parse_args()
    new = create_database(args.fresh)
    setup_django()
    if new:
        print(f"building {args.apps} applications in {DB_NAME} ...", flush=True)
        t = time.monotonic()
        build(args.apps)
        print(f"built in {time.monotonic() - t:.0f} s", flush=True)
    for key, value in counts().items():
        print(f"{key}: {value}")
    for line in measure():
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Prometheus metrics for web and workers.

Counters and histograms are updated in the process doing the work (a request, a task). With
`PROMETHEUS_MULTIPROC_DIR` set (gunicorn's and Celery's forked processes), each process writes
its samples to a memory-mapped file in that directory and the scrape merges them; the directory
must be empty when the service starts (docker-entrypoint.sh wipes it). Without it (tests,
`runserver`) the process-global registry is used.

Gauges that describe the system rather than a process (outbox backlog, broker queue length,
open and overdue reviews per agency, open and overdue files at the DPMPTSP's own stages (intake,
signing) per region, failed work waiting) are computed when scraped, by
`SystemCollector`, so they cost nothing between scrapes: a handful of queries per scrape.

The endpoint (`/metrics` on web, `METRICS_PORT` on a worker) answers only to
`Authorization: Bearer <METRICS_TOKEN>`.
"""

import hmac
import logging
import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)

HTTP_REQUEST_DURATION = Histogram(
    "ptsp_http_request_duration_seconds",
    "Time to answer a request, by view name, method and HTTP status.",
    ["view", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
TASK_DURATION = Histogram(
    "ptsp_task_duration_seconds",
    "Time a Celery task ran, by task name and final state of the attempt.",
    ["task", "state"],
    buckets=TASK_BUCKETS,
)
TASK_RETRIES = Counter(
    "ptsp_task_retries_total", "Celery task attempts that will be retried.", ["task"]
)
TASK_FAILURES = Counter(
    "ptsp_task_failures_total", "Celery tasks that failed after their retries.", ["task"]
)


KNOWN_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}


def observe_request(*, view: str, method: str, status: int, seconds: float) -> None:
    # Labels stay a small, fixed set: view names come from the URL configuration; a client's
    # made-up method is counted as "other".
    method = method if method in KNOWN_METHODS else "other"
    HTTP_REQUEST_DURATION.labels(view, method, str(status)).observe(seconds)


def observe_task(*, task: str, state: str, seconds: float) -> None:
    TASK_DURATION.labels(task, state).observe(seconds)


def count_retry(task: str) -> None:
    TASK_RETRIES.labels(task).inc()


def count_failure(task: str) -> None:
    TASK_FAILURES.labels(task).inc()


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class SystemCollector:
    """Gauges read from the database and the broker at scrape time."""

    def __init__(self, *, database: bool = True, broker: bool = True):
        self.database = database
        self.broker = broker

    def collect(self):
        if self.database:
            yield from self._database_metrics()
        if self.broker:
            yield from self._broker_metrics()

    def _database_metrics(self):
        from django.db.models import Count, Q
        from django.utils import timezone

        from agencies.models import Review, ReviewStatus
        from operations.models import FailedTask
        from outbox.services import pending_count

        try:
            backlog = pending_count()
            rows = list(
                Review.objects.filter(status=ReviewStatus.IN_REVIEW)
                .values("agency__region__code", "agency__code")
                .annotate(
                    open=Count("id"),
                    overdue=Count("id", filter=Q(due_at__lt=timezone.now())),
                )
                .order_by("agency__region__code", "agency__code")
            )
            failed_waiting = FailedTask.objects.filter(rerun_at__isnull=True).count()
            stages = _stage_rows()
        except Exception as exc:  # a scrape must not fail because the database is down
            logger.warning("metrics: database unavailable: %s", exc.__class__.__name__)
            return
        gauge = GaugeMetricFamily(
            "ptsp_outbox_pending", "Outbox messages not yet taken by the broker."
        )
        gauge.add_metric([], backlog)
        yield gauge
        open_reviews = GaugeMetricFamily(
            "ptsp_reviews_open", "OPD reviews in review, per agency.", labels=["region", "agency"]
        )
        overdue = GaugeMetricFamily(
            "ptsp_reviews_overdue",
            "OPD reviews in review past their due time, per agency.",
            labels=["region", "agency"],
        )
        for row in rows:
            labels = [row["agency__region__code"], row["agency__code"]]
            open_reviews.add_metric(labels, row["open"])
            overdue.add_metric(labels, row["overdue"])
        yield open_reviews
        yield overdue
        stage_open = GaugeMetricFamily(
            "ptsp_stage_open",
            "Files at a DPMPTSP stage (intake: submitted; signing: recommended or being issued), "
            "per region.",
            labels=["region", "stage"],
        )
        stage_overdue = GaugeMetricFamily(
            "ptsp_stage_overdue",
            "Files at a DPMPTSP stage past the stage's due time, per region.",
            labels=["region", "stage"],
        )
        for (region, stage), (open_count, overdue_count) in stages.items():
            stage_open.add_metric([region, stage], open_count)
            stage_overdue.add_metric([region, stage], overdue_count)
        yield stage_open
        yield stage_overdue
        failed = GaugeMetricFamily(
            "ptsp_failed_tasks_waiting", "Failed work recorded and not run again yet."
        )
        failed.add_metric([], failed_waiting)
        yield failed

    def _broker_metrics(self):
        import redis
        from django.conf import settings

        url = settings.CELERY_BROKER_URL
        if not url.startswith(("redis://", "rediss://")):
            return
        from ptsp.celery import app

        queue = app.conf.task_default_queue or "celery"
        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
            length = client.llen(queue)
            client.close()
        except Exception as exc:
            logger.warning("metrics: broker unavailable: %s", exc.__class__.__name__)
            return
        gauge = GaugeMetricFamily(
            "ptsp_broker_queue_length", "Messages waiting in the broker queue.", labels=["queue"]
        )
        gauge.add_metric([queue], length)
        yield gauge


# The DPMPTSP's own stages and the application statuses in which their clock runs
# (Application.due_at; the OPD stages keep theirs on agencies.Review).
STAGE_STATUSES = {"intake": ("submitted",), "signing": ("recommended", "issuing")}


def _stage_rows() -> dict[tuple[str, str], tuple[int, int]]:
    """{(region code, stage): (open, overdue)} for every active region and both stages (zeros
    included, so that an alert on growth has a series from the start): two queries."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from agencies.models import Region
    from applications.models import Application

    status_stage = {
        status: stage for stage, statuses in STAGE_STATUSES.items() for status in statuses
    }
    found = {
        (code, stage): (0, 0)
        for code in Region.objects.filter(is_active=True).values_list("code", flat=True)
        for stage in STAGE_STATUSES
    }
    rows = (
        Application.objects.filter(status__in=list(status_stage))
        .values("region__code", "status")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(due_at__lt=timezone.now())))
        .order_by()
    )
    for row in rows:
        key = (row["region__code"], status_stage[row["status"]])
        open_count, overdue_count = found.get(key, (0, 0))
        found[key] = (open_count + row["open"], overdue_count + row["overdue"])
    return dict(sorted(found.items()))


def render(*, system: bool = True) -> bytes:
    """The exposition text: this service's process metrics (merged across forked processes in
    multiprocess mode) and, when `system`, the system gauges."""
    chunks = []
    directory = multiprocess_dir()
    if directory:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)
        chunks.append(generate_latest(registry))
    else:
        chunks.append(generate_latest(REGISTRY))
    if system:
        live = CollectorRegistry()
        live.register(SystemCollector())
        chunks.append(generate_latest(live))
    return b"".join(chunks)


def token_ok(authorization: str | None, expected: str | None) -> bool:
    """Whether `Authorization: Bearer <token>` carries the expected token (constant time)."""
    if not expected or not authorization:
        return False
    scheme, _, supplied = authorization.partition(" ")
    if scheme.lower() != "bearer" or not supplied:
        return False
    return hmac.compare_digest(supplied.strip().encode(), expected.encode())


def metrics_wsgi_app(expected_token: str, *, system: bool = False):
    """A tiny WSGI app serving `render()` behind the bearer token (the worker's exporter)."""

    def app(environ, start_response):
        if not token_ok(environ.get("HTTP_AUTHORIZATION"), expected_token):
            start_response(
                "401 Unauthorized",
                [("Content-Type", "text/plain"), ("WWW-Authenticate", "Bearer")],
            )
            return [b"metrics need a bearer token\n"]
        body = render(system=system)
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
        return [body]

    return app


def start_worker_exporter(port: int, token: str) -> None:
    """Serve the worker's metrics on 0.0.0.0:`port` from a daemon thread of the main process."""
    import threading
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    class _Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class _QuietHandler(WSGIRequestHandler):
        def log_message(self, format, *args):
            pass

    server = make_server(
        "0.0.0.0",  # noqa: S104 - inside the container; the port is not published
        port,
        metrics_wsgi_app(token),
        server_class=_Server,
        handler_class=_QuietHandler,
    )
    thread = threading.Thread(target=server.serve_forever, name="metrics-exporter", daemon=True)
    thread.start()
    logger.info("metrics exporter listening on port %s", port)

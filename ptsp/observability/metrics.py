"""Prometheus metrics for web and workers.

Counters and histograms are updated in the process doing the work (a request, a task). With
`PROMETHEUS_MULTIPROC_DIR` set (gunicorn's and Celery's forked processes), each process writes
its samples to a memory-mapped file in that directory and the scrape merges them; the directory
must be empty when the service starts (docker-entrypoint.sh wipes it). Without it (tests,
`runserver`) the process-global registry is used.

Gauges that describe the system rather than a process (outbox backlog, broker queue length,
open and overdue reviews per agency, open and overdue files at the DPMPTSP's own stages (intake,
signing) per region, failed work waiting) are computed when scraped, by
`SystemCollector`, so they cost nothing between scrapes: a handful of queries per scrape. This
module knows none of them but the broker's: each app that owns the data registers its own
(`system_gauges_register`, in its AppConfig.ready).

The endpoint (`/metrics` on web, `METRICS_PORT` on a worker) answers only to
`Authorization: Bearer <METRICS_TOKEN>`.
"""

import hmac
import logging
import os
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import redis
from django.conf import settings
from django.db import DatabaseError
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric

from ptsp.celery import app

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


# Gauges that describe the system, read from the database at scrape time. The app that owns the
# data registers a source in its AppConfig.ready() (outbox: the backlog; applications: open and
# overdue reviews and DPMPTSP stages; operations: failed work waiting): each source returns its
# metric families, a handful of queries at most.
GaugeSource = Callable[[], Iterable[Metric]]
_database_gauges: dict[str, GaugeSource] = {}


def system_gauges_register(name: str, source: GaugeSource) -> None:
    _database_gauges[name] = source


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
        # A scrape must not fail: a database that is down ends the database's gauges at once
        # (one time-out, not one per source); a source that fails otherwise is left out alone.
        for name, source in _database_gauges.items():
            try:
                families = list(source())
            except DatabaseError as exc:
                logger.warning("metrics: database unavailable: %s", exc.__class__.__name__)
                return
            except Exception as exc:
                logger.warning("metrics: %s gauges failed: %s", name, exc.__class__.__name__)
                continue
            yield from families

    def _broker_metrics(self):
        url = settings.CELERY_BROKER_URL
        if not url.startswith(("redis://", "rediss://")):
            return
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


def render(*, system: bool = True) -> bytes:
    """The exposition text: this service's process metrics (merged across forked processes in
    multiprocess mode) and, when `system`, the system gauges."""
    chunks = []
    directory = multiprocess_dir()
    if directory:
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

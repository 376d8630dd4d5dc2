"""gunicorn settings for the `web` service (docker-entrypoint.sh web). Sizes in docs/deploy.md."""

import os
import shutil
from pathlib import Path

from prometheus_client import multiprocess

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Three processes of two threads on two cores: measured against 2 x 4 threads in the load test
# (docs/load.md: p95 130 against 250 ms at 108 requests/s). A thread waiting for PostgreSQL lets
# the other run; more threads per process only queue for the GIL.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On SIGTERM: stop accepting, let running requests finish for this long (< stop_grace_period).
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "25"))
keepalive = 5
# Load Django once in the master and fork: a recycled worker is ready at once (no second import
# of Django, WeasyPrint, pyHanko), and the forked workers share memory pages.
preload_app = True
# Recycle workers now and then (memory growth from PDF rendering libraries).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Worker heartbeats on tmpfs, not on the container's overlay file system.
SHM = "/dev/shm"  # noqa: S108 - tmpfs for gunicorn heartbeats, not a temp file
worker_tmp_dir = SHM if Path(SHM).is_dir() else None
# Django logs one structured line per request itself (logger "ptsp.access", with request id and
# user id); gunicorn's own access log would be a second, unstructured copy.
accesslog = None
errorlog = "-"
# gunicorn's own lines ("Booting worker", "Worker timeout", errors) through the project's handler:
# JSON in production (LOG_JSON, as the settings), context fields and redaction.
_log_json = os.environ.get(
    "LOG_JSON", "true" if os.environ.get("DJANGO_ENV") == "production" else "false"
).strip().lower() in {"1", "true", "yes", "on"}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": os.environ.get("LOG_LEVEL", "INFO"), "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
    "handlers": {
        "console": {"()": "ptsp.observability.logging.console_handler", "json": _log_json}
    },
    "formatters": {},
}
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")


def on_starting(server):
    """Start with an empty Prometheus multiprocess directory (stale files from an earlier run
    would be merged into the counters)."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)

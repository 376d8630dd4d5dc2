"""The Celery application. Settings come from Django's settings under the CELERY_ namespace.

Work is never sent to the broker directly: `outbox.services.enqueue` records it in the database
in the caller's transaction and publishes it after commit (docs/adr/0003-celery-and-the-outbox.md).
"""

import logging
import logging.config
import os

from celery import Celery
from celery.signals import celeryd_init, setup_logging, task_postrun, task_prerun
from django.conf import settings
from django.db import close_old_connections, connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptsp.settings")

app = Celery("ptsp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@celeryd_init.connect
def _warnings_as_log_lines(**kwargs):
    """In a worker, Python's warnings (Celery's start-up warnings among them, sent before its
    logging is set up) become log lines, not raw text on stderr."""
    logging.captureWarnings(True)


@setup_logging.connect
def _project_logging(loglevel=None, **kwargs):
    """Celery's own lines (the worker's and beat's, "ready", "received", "succeeded", errors)
    go through the project's handler, as every other line: JSON in production, context fields,
    redaction (ptsp/observability/logging.py). With a receiver here Celery installs no handler
    of its own."""
    if settings.LOGGING_CONFIG:
        logging.config.dictConfig(settings.LOGGING)
    if loglevel:  # the command line's --loglevel, as Celery itself would apply it
        logging.getLogger().setLevel(loglevel)
    logging.captureWarnings(True)


@task_prerun.connect(dispatch_uid="ptsp-db-connections-before-task")
def _database_connections_before_a_task(task=None, **kwargs):
    """A task starts on the connection the last one left, under Django's rule for a request (one
    older than CONN_MAX_AGE, or one an error left unusable, is closed) and checked: a connection
    that died in between (PostgreSQL restarted, its backend terminated) is closed, so the task's
    first query opens a new one instead of failing. One `SELECT 1` instead of a new connection
    per task (CELERY_DB_REUSE_MAX in the settings keeps Celery from closing it). Not for a task
    run eagerly inside the caller's transaction."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    close_old_connections()
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and not conn.is_usable():
            conn.close()


@task_postrun.connect(dispatch_uid="ptsp-db-connections-after-task")
def _database_connections_after_a_task(task=None, **kwargs):
    """What Django does after a request: a connection past CONN_MAX_AGE or broken is closed."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    close_old_connections()


# Liveness for the container health check (ptsp/observability/heartbeat.py).
from ptsp.observability.heartbeat import HeartbeatFile  # noqa: E402

app.steps["worker"].add(HeartbeatFile)
# The outbox's relay joins every worker too: outbox.signals adds its step (ptsp imports no app).

"""The Celery application. Settings come from Django's settings under the CELERY_ namespace.

Work is never sent to the broker directly: `outbox.services.enqueue` records it in the database
in the caller's transaction and publishes it after commit (docs/adr/0003-celery-and-the-outbox.md).
"""

import logging
import logging.config
import os

from celery import Celery
from celery.signals import celeryd_init, setup_logging
from django.conf import settings

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


# Liveness for the container health check (ptsp/observability/heartbeat.py).
from ptsp.observability.heartbeat import HeartbeatFile  # noqa: E402

app.steps["worker"].add(HeartbeatFile)
# The outbox's relay joins every worker too: outbox.signals adds its step (ptsp imports no app).

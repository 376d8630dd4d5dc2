"""The Celery application. Settings come from Django's settings under the CELERY_ namespace.

Work is never sent to the broker directly: `outbox.services.enqueue` records it in the database
in the caller's transaction and publishes it after commit (docs/adr/0003-celery-and-the-outbox.md).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptsp.settings")

app = Celery("ptsp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Liveness for the container health check (ptsp/observability/heartbeat.py).
from ptsp.observability.heartbeat import HeartbeatFile  # noqa: E402

app.steps["worker"].add(HeartbeatFile)

# The outbox relay runs in every worker too, so that work moves while beat is down.
from outbox.worker import OutboxRelay  # noqa: E402

app.steps["worker"].add(OutboxRelay)

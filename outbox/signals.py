"""The worker tells the outbox how its work went (docs/adr/0003-celery-and-the-outbox.md):
started, retrying (with its countdown), completed or failed; and every worker runs the outbox's
relay (outbox/worker.py). Connected in OutboxConfig.ready.

A handler that cannot reach the database logs and gives up: the row stays open and the
reconciler hands the work over again, which an idempotent task then finds done.
"""

import logging

from celery import signals
from django.db import DatabaseError, connection
from django.utils import timezone

from outbox import services
from outbox.worker import OutboxRelay

logger = logging.getLogger("outbox")


def _safely(fn, *args) -> None:
    try:
        fn(*args)
    except DatabaseError as exc:
        logger.warning("outbox: could not record %s for %s: %s", fn.__name__, args[0], exc)
        connection.close_if_unusable_or_obsolete()


@signals.worker_init.connect(dispatch_uid="outbox-relay-in-worker")
def add_the_relay(sender=None, **kwargs):
    """Every worker (the command's and the tests' alike) runs the relay, so that work moves
    while beat is down: sent before the worker builds its steps from `app.steps`."""
    if sender is not None:
        sender.app.steps["worker"].add(OutboxRelay)


@signals.task_prerun.connect(dispatch_uid="outbox-task-prerun")
def on_task_prerun(sender=None, task_id=None, **kwargs):
    _safely(services.message_started, task_id)


@signals.task_retry.connect(dispatch_uid="outbox-task-retry")
def on_task_retry(sender=None, request=None, reason=None, **kwargs):
    when = getattr(reason, "when", None)
    if when is None:
        countdown = 0.0
    elif isinstance(when, int | float):
        countdown = float(when)
    else:  # a datetime
        countdown = max(0.0, (when - timezone.now()).total_seconds())
    _safely(services.message_retrying, getattr(request, "id", None), countdown)


@signals.task_success.connect(dispatch_uid="outbox-task-success")
def on_task_success(sender=None, **kwargs):
    _safely(services.message_completed, getattr(getattr(sender, "request", None), "id", None))


@signals.task_failure.connect(dispatch_uid="outbox-task-failure")
def on_task_failure(sender=None, task_id=None, exception=None, **kwargs):
    _safely(services.message_failed, task_id, f"{exception.__class__.__name__}: {exception}")

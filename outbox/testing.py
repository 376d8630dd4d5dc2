"""Run outbox work in-process, as a worker would, for tests and debugging.

The real task functions run on the real rows; only the broker hop is skipped. Tests of the
broker itself (tests/test_outbox_broker.py) use a real Redis and a real worker instead.
"""

from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from outbox.models import OutboxMessage
from ptsp.celery import app


def run_pending(*, max_rounds: int = 20) -> list[str]:
    """Run every pending message (and the messages they enqueue) until none is left.

    Returns the task names run, in order. Each message is marked dispatched before it runs, as
    the broker would have taken it, and completed by the worker's signal (outbox.signals) when
    the task returns.
    """
    # The tasks modules of every app, as a worker loads them (without Celery's worker set-up,
    # which would reconfigure logging under the test).
    autodiscover_modules("tasks")
    ran: list[str] = []
    for _ in range(max_rounds):
        pending = list(
            OutboxMessage.objects.filter(
                dispatched_at__isnull=True, completed_at__isnull=True, failed_at__isnull=True
            ).order_by("id")
        )
        if not pending:
            return ran
        for message in pending:
            OutboxMessage.objects.filter(pk=message.pk).update(dispatched_at=timezone.now())
            task = app.tasks[message.task_name]
            result = task.apply(
                args=message.args, kwargs=message.kwargs, task_id=f"outbox-{message.pk}"
            )
            if result.failed():
                raise result.result
            ran.append(message.task_name)
    raise RuntimeError("outbox did not settle: tasks keep enqueuing work")

"""Failed work: recorded by the Celery `task_failure` signal (operations/signals.py), run again
by a person."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from operations.models import FailedTask
from operations.selectors import failed_tasks_visible_to
from outbox.services import enqueue
from ptsp.errors import Conflict
from ptsp.observability.celery_signals import application_of_task
from ptsp.observability.logging import redact


def failed_task_record(
    *, task, task_id: str, args: list, kwargs: dict, exception, traceback_text: str = ""
) -> FailedTask:
    """Record that `task` failed after its retries.

    Who calls: operations.signals on `task_failure` (worker, or in-process in tests). Changes: one
    FailedTask, keyed by task id (a redelivered task that fails again counts one more failure).
    The error and traceback are redacted like log lines. Sends nothing.
    """
    application_id, _number = application_of_task(task, args, kwargs)
    region_id = None
    if application_id:
        region_id = (
            Application.objects.filter(pk=application_id).values_list("region_id", flat=True)
        ).first()
    error = redact(f"{exception}")[:4000]
    values = {
        "task_name": task.name if task else "unknown",
        "args": args,
        "kwargs": kwargs,
        "exception_type": exception.__class__.__name__ if exception is not None else "",
        "error": error,
        "traceback": redact(traceback_text or "")[-20000:],
        "application_id": application_id,
        "region_id": region_id,
        "failed_at": timezone.now(),
    }
    failed, created = FailedTask.objects.get_or_create(task_id=task_id, defaults=values)
    if not created:
        values["failures"] = failed.failures + 1
        FailedTask.objects.filter(pk=failed.pk).update(**values)
        failed.refresh_from_db()
    return failed


def failed_task_rerun(*, failed_task_id: int, actor) -> FailedTask:
    """Run failed work again, once.

    Who may call: a platform admin, or a DPMPTSP monitor of the application's region (others
    get FailedTask.DoesNotExist, shown as 404). Changes: marks the FailedTask as run again by
    `actor` and enqueues the same task with the same arguments through the outbox (tasks are
    idempotent; the dedupe key makes a double click enqueue it once). Raises Conflict if it was
    already run again.
    """
    with transaction.atomic():
        failed = (
            failed_tasks_visible_to(actor).select_for_update(of=("self",)).get(pk=failed_task_id)
        )
        if failed.rerun_at is not None:
            raise Conflict(_("This work has already been run again."), code="already_rerun")
        message = enqueue(
            failed.task_name,
            args=failed.args,
            kwargs=failed.kwargs,
            dedupe_key=f"operations.rerun:{failed.pk}",
        )
        failed.rerun_at = timezone.now()
        failed.rerun_by = actor
        failed.rerun_message = message
        failed.save(update_fields=["rerun_at", "rerun_by", "rerun_message"])
    return failed

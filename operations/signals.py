"""Failed work recorded: a task that failed after its retries becomes an `operations.FailedTask`
(connected in OperationsConfig.ready; ptsp's own receiver only counts it)."""

import logging

from celery import signals

from operations.services import failed_task_record

logger = logging.getLogger(__name__)


@signals.task_failure.connect(dispatch_uid="operations-failed-task")
def record_failure(
    sender=None, task_id=None, exception=None, args=None, kwargs=None, einfo=None, **_
):
    try:
        failed_task_record(
            task=sender,
            task_id=task_id or "",
            args=list(args or ()),
            kwargs=dict(kwargs or {}),
            exception=exception,
            traceback_text=str(einfo.traceback) if einfo else "",
        )
    except Exception:
        logger.exception("could not record the failure of task %s", task_id)

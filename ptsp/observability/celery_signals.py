"""Celery signal handlers: context in task headers, context and metrics in the worker. Connected
once by `ptsp.apps.PtspConfig.ready` (web and worker).

- `before_task_publish` (publisher): the bound `request_id`, `user_id` and `tracking_number`
  travel as message headers `ptsp_request_id`, `ptsp_user_id`, `ptsp_tracking_number`.
- `task_prerun` (worker): binds them with `task_id`, `task_name` and the tracking number of the
  application the task concerns, found from its arguments by the lookups the apps register
  (`task_subject_register`: `application_id`, `notification_id`, `document_id`, `review_id` by
  applications, `permit_id` by permits); `task_postrun` unbinds and observes the duration.
- `task_retry` / `task_failure`: counted. A failure (after the retries) is recorded as an
  `operations.FailedTask` by operations' own receiver (operations/signals.py).
"""

import inspect
import logging
import os
import time
from dataclasses import dataclass

from celery import signals
from django.db import models
from prometheus_client import multiprocess

from ptsp.observability import context, metrics

logger = logging.getLogger(__name__)

HEADER_FIELDS = {
    "request_id": "ptsp_request_id",
    "user_id": "ptsp_user_id",
    "tracking_number": "ptsp_tracking_number",
}

_started: dict[str, tuple[float, dict]] = {}
_signatures: dict[str, inspect.Signature | None] = {}


def _arguments(task, args, kwargs) -> dict:
    name = task.name
    if name not in _signatures:
        try:
            _signatures[name] = inspect.signature(task.run)
        except (TypeError, ValueError):
            _signatures[name] = None
    signature = _signatures[name]
    if signature is None:
        return dict(kwargs or {})
    try:
        return dict(signature.bind_partial(*(args or ()), **(kwargs or {})).arguments)
    except TypeError:
        return dict(kwargs or {})


@dataclass(frozen=True)
class TaskSubject:
    """How a task argument leads to its application: `model` filtered by the argument's value
    as primary key gives the application's id and tracking number from these two fields."""

    model: type[models.Model]
    application_id_field: str
    tracking_number_field: str


# Task argument name -> how to find the application it concerns, registered by the app that owns
# the model (its AppConfig.ready). Only labels log lines: none registered means none labelled.
_subjects: dict[str, TaskSubject] = {}


def task_subject_register(
    argument: str, model, *, application_id_field: str, tracking_number_field: str
) -> None:
    _subjects[argument] = TaskSubject(model, application_id_field, tracking_number_field)


def application_of_task(task, args, kwargs) -> tuple[int | None, str | None]:
    """(application id, tracking number) of the application a task concerns, else (None, None).
    One small query, only for tasks that take one of the registered ids."""
    arguments = _arguments(task, args, kwargs)
    for argument, subject in _subjects.items():
        value = arguments.get(argument)
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            try:
                row = (
                    subject.model.objects.filter(pk=int(value))
                    .values_list(subject.application_id_field, subject.tracking_number_field)
                    .first()
                )
            except Exception:  # the database is down: the task will say so itself
                return None, None
            return row if row else (None, None)
    return None, None


@signals.before_task_publish.connect(dispatch_uid="ptsp-context-headers")
def add_context_headers(sender=None, headers=None, **_):
    if headers is None:
        return
    for field, header in HEADER_FIELDS.items():
        value = context.get(field)
        if value is not None and header not in headers:
            headers[header] = value


def _header(task, name):
    request = task.request
    value = getattr(request, name, None)
    if value is None:
        value = (getattr(request, "headers", None) or {}).get(name)
    return value


@signals.task_prerun.connect(dispatch_uid="ptsp-task-prerun")
def bind_task_context(sender=None, task_id=None, task=None, args=None, kwargs=None, **_):
    task = task or sender
    tracking = _header(task, "ptsp_tracking_number")
    if tracking is None:
        _, tracking = application_of_task(task, args, kwargs)
    tokens = context.bind(
        request_id=_header(task, "ptsp_request_id"),
        user_id=_header(task, "ptsp_user_id"),
        task_id=task_id,
        task_name=task.name,
        tracking_number=tracking,
    )
    _started[task_id] = (time.perf_counter(), tokens)


@signals.task_postrun.connect(dispatch_uid="ptsp-task-postrun")
def unbind_task_context(sender=None, task_id=None, task=None, state=None, **_):
    started, tokens = _started.pop(task_id, (None, None))
    if started is not None:
        metrics.observe_task(
            task=(task or sender).name,
            state=state or "UNKNOWN",
            seconds=time.perf_counter() - started,
        )
    if tokens:
        context.reset(tokens)


@signals.task_retry.connect(dispatch_uid="ptsp-task-retry")
def count_retry(sender=None, request=None, reason=None, **_):
    metrics.count_retry(sender.name if sender else "unknown")
    logger.warning("task will be retried: %s", reason)


@signals.task_failure.connect(dispatch_uid="ptsp-task-failure")
def count_failure(sender=None, **_):
    metrics.count_failure(sender.name if sender else "unknown")


@signals.worker_init.connect(dispatch_uid="ptsp-worker-exporter")
def start_exporter(**_):
    port = os.environ.get("METRICS_PORT")
    token = os.environ.get("METRICS_TOKEN")
    if port and token:
        metrics.start_worker_exporter(int(port), token)


@signals.worker_process_shutdown.connect(dispatch_uid="ptsp-worker-process-dead")
def mark_process_dead(pid=None, **_):
    if metrics.multiprocess_dir():
        multiprocess.mark_process_dead(pid or os.getpid())

"""Background work of the OSS integration (thin: each task calls one service; all are safe to
run twice).

Inbound: `fetch_requirement_file` fetches one OSS requirement file into its draft (enqueued
through the outbox by `oss.services.inbound`); `retry_requirement_files` (beat, every minute)
enqueues the files whose back-off has passed. Outbound: `deliver` sends one application's due
deliveries in order, `deliver_due` (beat, every minute) sends what is due, `reconcile` (beat,
daily) compares OSS's statuses with ours.
"""

import time

from celery import shared_task
from django.db import DatabaseError

from oss.services.deliveries import deliveries_send, due_applications
from oss.services.files import requirement_file_fetch, requirement_files_requeue
from oss.services.inquiry import nib_inquire
from oss.services.reconciliation import reconcile_recent


@shared_task(
    name="oss.tasks.fetch_requirement_file",
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=5,
    time_limit=120,
    soft_time_limit=100,
)
def fetch_requirement_file(file_id: int) -> str:
    """Fetch one requirement file (`oss.services.files.requirement_file_fetch`). A failing URL
    is not retried here: the row records it and `retry_requirement_files` tries again after
    the back-off, so the retry survives a lost broker message."""
    return requirement_file_fetch(file_id=file_id)


@shared_task(name="oss.tasks.retry_requirement_files", time_limit=60, soft_time_limit=50)
def retry_requirement_files() -> int:
    """Enqueue the requirement files whose next attempt is due."""
    return requirement_files_requeue()


#: The sweep stops taking new files after this long (its hard limit is 120 s).
SWEEP_BUDGET_SECONDS = 60


@shared_task(name="oss.tasks.deliver", ignore_result=True, time_limit=120, soft_time_limit=100)
def deliver(application_id: int) -> str:
    """Send one application's due OSS deliveries, in order (enqueued with each delivery and by
    "send again"). A delivery that fails is retried by `deliver_due`, not by this task."""
    return deliveries_send(application_id=application_id)


@shared_task(name="oss.tasks.deliver_due", ignore_result=True, time_limit=120, soft_time_limit=100)
def deliver_due() -> int:
    """Celery beat, every minute: send what is due (retries whose back-off passed, and
    deliveries whose task never ran). Returns how many files it looked at."""
    started = time.monotonic()
    done = 0
    for application_id in due_applications():
        if time.monotonic() - started > SWEEP_BUDGET_SECONDS:
            break
        deliveries_send(application_id=application_id)
        done += 1
    return done


@shared_task(name="oss.tasks.reconcile", ignore_result=True, time_limit=1800, soft_time_limit=1700)
def reconcile() -> int:
    """Celery beat, daily: compare the status OSS holds for the files delivered in the last
    days with ours (oss.services.reconciliation). Returns how many differ."""
    return reconcile_recent()


@shared_task(name="oss.tasks.inquire_nib", ignore_result=True, time_limit=60, soft_time_limit=50)
def inquire_nib(application_id: int) -> str:
    """`inqueryNIB` for a draft whose applicant typed an NIB (`oss.services.inquiry`)."""
    return nib_inquire(application_id=application_id)

from celery import shared_task

from agencies.services import application_route


@shared_task(
    name="agencies.tasks.route_application",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=10,
)
def route_application(application_id: int) -> int:
    """Create the application's reviews, one per agency of its route. Idempotent: a duplicate
    or a rerun after a crash leaves exactly one review per agency."""
    return len(application_route(application_id=application_id))


@shared_task(name="agencies.tasks.sla_sweep", ignore_result=True)
def sla_sweep() -> int:
    """Celery beat, every few minutes: send the SLA reminders and escalations owed now, each
    exactly once (see agencies.sla). Safe to overlap with a late or duplicate run."""
    from agencies.sla import sla_sweep as sweep

    return sweep().notices

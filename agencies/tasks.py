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

from celery import shared_task

from outbox.services import relay_pending


@shared_task(name="outbox.tasks.relay", ignore_result=True, time_limit=60, soft_time_limit=50)
def relay() -> int:
    """Periodic (beat): publish outbox messages that missed their on-commit publish."""
    return relay_pending()

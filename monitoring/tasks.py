"""Background work of the monitoring app."""

from celery import shared_task

from monitoring.summary import review_days_refresh as refresh


@shared_task(name="monitoring.tasks.review_days_refresh", ignore_result=True)
def review_days_refresh() -> int:
    """Celery beat, every ten minutes: the dashboard's daily summary up to yesterday in every
    region (monitoring.summary). Idempotent; a late, duplicate or concurrent run is harmless."""
    return refresh()

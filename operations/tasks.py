from celery import shared_task

from operations.invariants import invariants_check


@shared_task(
    name="operations.tasks.check_invariants", ignore_result=True, soft_time_limit=50, time_limit=60
)
def check_invariants() -> int:
    """Periodic (beat, every INVARIANT_CHECK_SECONDS): re-enqueue work whose effect is missing
    and remove orphan files (operations.invariants). Returns how many things it repaired."""
    return invariants_check().repaired

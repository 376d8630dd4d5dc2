from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """A piece of background work, written in the same transaction as the change that needs it.

    Its life (docs/adr/0003-celery-and-the-outbox.md): pending → handed over (`dispatched_at`,
    the broker took it) → completed (`completed_at`, the task ran to its end and its effect is
    committed) or failed (`failed_at`, after its retries; the failed-work page shows it). A
    message handed over but not completed by `redeliver_after` (the broker lost it, the worker
    was killed) is handed over again by the relay: tasks are idempotent, so a second delivery
    of work already done does nothing. `dedupe_key` makes an enqueue idempotent: the same key
    is recorded once, however often the caller runs.
    """

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A publisher holds a lease while it talks to the broker; an expired lease means it died.
    locked_until = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # Handed over but not completed by then: handed over again (moved on by a retry's countdown).
    redeliver_after = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    redeliveries = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(
                fields=["id"],
                name="outbox_pending_idx",
                condition=models.Q(dispatched_at__isnull=True),
            ),
            models.Index(
                fields=["redeliver_after"],
                name="outbox_open_idx",
                condition=models.Q(completed_at__isnull=True, failed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        if self.completed_at:
            state = "completed"
        elif self.failed_at:
            state = "failed"
        elif self.dispatched_at:
            state = "handed over"
        else:
            state = "pending"
        return f"{self.task_name} #{self.pk} ({state})"

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FailedTask(models.Model):
    """Background work that failed after its retries (recorded by the Celery `task_failure`
    signal), with the application it concerns when there is one, and who ran it again."""

    task_name = models.CharField(_("task"), max_length=200)
    task_id = models.CharField(_("task id"), max_length=255, unique=True)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    exception_type = models.CharField(_("error type"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    traceback = models.TextField(blank=True)
    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    region = models.ForeignKey(
        "agencies.Region", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    failures = models.PositiveIntegerField(default=1)
    failed_at = models.DateTimeField(_("failed at"), default=timezone.now, db_index=True)
    rerun_at = models.DateTimeField(_("run again at"), null=True, blank=True)
    rerun_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rerun_message = models.ForeignKey(
        "outbox.OutboxMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("failed task")
        verbose_name_plural = _("failed tasks")
        ordering = ["-failed_at", "-id"]
        indexes = [
            models.Index(
                fields=["region", "-failed_at"],
                name="failedtask_waiting_idx",
                condition=models.Q(rerun_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_name} ({self.task_id})"

    @property
    def waiting(self) -> bool:
        return self.rerun_at is None

"""What we send OSS (issue 16, outbound): one `OssDelivery` per reported event, and what the
daily reconciliation found (`OssStatusCheck`). Written by `oss.services.deliveries` and
`oss.services.reconciliation` only."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OssDelivery(models.Model):
    """One call we owe OSS for one event of a file that came from OSS: a `receiveLicenseStatus`
    with its `kd_status`, or the final permit (`receiveLicense`). Written in the transaction of
    the event, with its outbox message; sent by `oss.tasks`, in order per application.

    `idempotency_key` names the event (one delivery per event, however often the event's
    receivers run); a delivery that was sent is never sent again."""

    class Method(models.TextChoices):
        LICENSE_STATUS = "receiveLicenseStatus", "receiveLicenseStatus"
        LICENSE = "receiveLicense", "receiveLicense"

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED_RETRYING = "failed_retrying", _("Failed, will be retried")
        FAILED_PERMANENT = "failed_permanent", _("Refused by OSS")

    region = models.ForeignKey("agencies.Region", on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="oss_deliveries"
    )
    checklist_item = models.ForeignKey(
        "oss.ChecklistItem", on_delete=models.PROTECT, related_name="deliveries"
    )
    event = models.ForeignKey(
        "applications.Event", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    permit = models.ForeignKey(
        "permits.Permit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    method = models.CharField(_("method"), max_length=30, choices=Method.choices)
    kd_status = models.CharField(_("status code (kd_status)"), max_length=2)
    idempotency_key = models.CharField(max_length=100, unique=True)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("delivery status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_outcome = models.CharField(max_length=20, blank=True)
    last_http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    last_kode = models.IntegerField(_("OSS answer code (kode)"), null=True, blank=True)
    last_keterangan = models.TextField(_("OSS's answer (keterangan)"), blank=True)
    # The last call left and no answer came (a read timeout, a dropped connection, a worker
    # killed): OSS may hold it, so the next attempt asks first.
    last_maybe_taken = models.BooleanField(default=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    nomor_izin = models.CharField(_("OSS permit number"), max_length=50, blank=True)
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), db_index=True)

    class Meta:
        verbose_name = _("OSS delivery")
        verbose_name_plural = _("OSS deliveries")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["application", "id"], name="oss_delivery_app_idx"),
            models.Index(
                fields=["next_attempt_at"],
                name="oss_delivery_due_idx",
                condition=models.Q(status__in=["pending", "failed_retrying"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.kd_status} ({self.get_status_display()})"


class OssStatusCheck(models.Model):
    """The last reconciliation of one file: the status we last reported and the one OSS holds
    (`checkLicenseStatus`), and whether they differ. One row per checklist item, updated by the
    daily job."""

    checklist_item = models.OneToOneField(
        "oss.ChecklistItem", on_delete=models.CASCADE, related_name="status_check"
    )
    checked_at = models.DateTimeField(_("checked at"))
    ours = models.CharField(_("our last status"), max_length=2, blank=True)
    theirs = models.CharField(_("status at OSS"), max_length=20, blank=True)
    theirs_uraian = models.CharField(max_length=255, blank=True)
    theirs_known = models.BooleanField(default=True)
    differs = models.BooleanField(_("differs"), default=False)
    error = models.CharField(_("error"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("OSS status check")
        verbose_name_plural = _("OSS status checks")

    def __str__(self) -> str:
        return f"{self.checklist_item_id}: {self.ours} / {self.theirs}"

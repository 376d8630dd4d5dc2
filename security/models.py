from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DocumentAccess(models.Model):
    """One view or download of an applicant's document by someone other than its owner (staff).
    Append-only: the database refuses UPDATE and DELETE (migration 0002), as UU 27/2022 expects
    a record of who processed whose personal data."""

    class Action(models.TextChoices):
        VIEW = "view", _("viewed in the page")
        DOWNLOAD = "download", _("downloaded")

    document = models.ForeignKey(
        "applications.Document", on_delete=models.PROTECT, related_name="accesses"
    )
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey("agencies.Region", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=10, choices=Action.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("document access")
        verbose_name_plural = _("document accesses")
        indexes = [models.Index(fields=["region", "-at"], name="docaccess_region_at_idx")]

    def __str__(self) -> str:
        return (
            f"{self.user_id} {self.action} document {self.document_id} at {self.at:%Y-%m-%d %H:%M}"
        )


class TOTPDevice(models.Model):
    """A person's authenticator app (RFC 6238 TOTP). Optional for staff, required for signers
    (settings.TOTP_REQUIRED_ROLES). A platform admin removes it to recover a lost phone."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device"
    )
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    def __str__(self) -> str:
        return str(self.user)

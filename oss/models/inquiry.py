"""`inqueryNIB` asked for a draft whose applicant typed an NIB (docs/oss.md, "inqueryNIB"):
what OSS answered, for the draft page to show on reload."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NibInquiry(models.Model):
    """The last `inqueryNIB` of one draft (replaced when the applicant types another NIB)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Asking OSS")
        FOUND = "found", _("Found at OSS")
        UNKNOWN = "unknown", _("Not known to OSS")
        UNAVAILABLE = "unavailable", _("OSS did not answer")

    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="oss_nib_inquiry"
    )
    #: The NIB asked about; for an inquiry by NPWP, the NIB OSS answered (empty until then).
    nib = models.CharField(_("NIB"), max_length=13, blank=True)
    #: Set when the applicant asked by NPWP (`inqueryNIB` by `npwp`) instead of NIB.
    npwp = models.CharField(_("NPWP"), max_length=16, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices)
    #: The draft's fields filled from OSS's answer (those the applicant had left empty).
    filled = models.JSONField(_("fields filled"), default=list, blank=True)
    #: OSS's answer code and message, or what went wrong (never personal data).
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    asked_at = models.DateTimeField(_("asked at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("OSS NIB inquiry")
        verbose_name_plural = _("OSS NIB inquiries")

    def __str__(self) -> str:
        return f"{self.nib or 'NPWP'} ({self.state})"

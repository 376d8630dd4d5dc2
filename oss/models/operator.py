"""What the DPMPTSP's operators did on the integration's waiting work (docs/oss.md, "The
operator's page"): each action (a permit code mapped, a waiting item processed again, a file's
fetch tried again) with who, when, what and the outcome. Written only by
`oss.services.operator`; rows are never changed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OperatorAction(models.Model):
    """One operator's action on the OSS integration of a region."""

    class Kind(models.TextChoices):
        MAP_CODE = "map_code", _("permit code mapped")
        PROCESS_ITEM = "process_item", _("waiting item processed again")
        RETRY_FILE = "retry_file", _("file fetch tried again")

    region = models.ForeignKey(
        "agencies.Region", on_delete=models.PROTECT, related_name="oss_operator_actions"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="oss_operator_actions"
    )
    kind = models.CharField(_("action"), max_length=20, choices=Kind.choices)
    #: What it was done to, in OSS's terms: a kd_izin, an id_izin, an id_syarat.
    subject = models.CharField(_("subject"), max_length=100)
    #: The outcome in a few words (the permit type chosen, the state reached, drafts made).
    detail = models.CharField(_("outcome"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("OSS operator action")
        verbose_name_plural = _("OSS operator actions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject}"

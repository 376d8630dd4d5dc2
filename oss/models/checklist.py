"""The permits OSS asked a region to process (`data_checklist` of a `receiveNIB` push), each
linked to the application it became. The inbound side (receiveNIB) writes them; the outbound
side reads them to know which files OSS follows and under which `id_izin`."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChecklistItem(models.Model):
    """One `data_checklist` item of our `kd_daerah`: OSS's `id_izin` for one permit of one
    business (NIB), and the application it became (empty while waiting for an operator, e.g. an
    unknown `kd_izin`)."""

    region = models.ForeignKey(
        "agencies.Region", on_delete=models.PROTECT, related_name="oss_checklist_items"
    )
    id_izin = models.CharField(_("OSS permit id (id_izin)"), max_length=50)
    kd_izin = models.CharField(_("OSS permit code (kd_izin)"), max_length=20)
    nib = models.CharField(_("NIB"), max_length=13)
    oss_id = models.CharField(_("OSS id"), max_length=50, blank=True)
    id_proyek = models.CharField(_("OSS project id"), max_length=50, blank=True)
    application = models.OneToOneField(
        "applications.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="oss_checklist_item",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("OSS checklist item")
        verbose_name_plural = _("OSS checklist items")
        constraints = [
            models.UniqueConstraint(fields=["id_izin"], name="oss_checklist_id_izin_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.id_izin} ({self.kd_izin}, NIB {self.nib})"


def checklist_of(application_id: int) -> ChecklistItem | None:
    """The OSS checklist item an application came from, or None (a file filed in the portal:
    OSS does not follow it)."""
    return ChecklistItem.objects.filter(application_id=application_id).first()

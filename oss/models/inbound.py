"""What OSS pushes to a region (issue 16, inbound): the business of a NIB with its responsible
persons and projects, the state of each checklist item we were asked to process, the table that
maps OSS's permit codes (`kd_izin`) to our permit types, the requirement files fetched from OSS,
OSS's own signed permit file (`receiveFileDS`), and a record of every push.

Written only by `oss.services.inbound` and `oss.services.files`; read by the admin and the
operator's pages. NIKs are stored as `accounts.ApplicantProfile` stores them (in clear, for the
link to an applicant) and shown masked (`accounts.models.mask_nik`) everywhere else.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import mask_nik


class Business(models.Model):
    """A business (pelaku usaha) as OSS last described it to a region: one per NIB and region
    (a NIB pushed to two regions is two rows, each seen by its own region only).

    `data_version` orders the pushes: the date OSS last changed the NIB (`tgl_perubahan_nib`,
    else `tgl_terbit_nib`) and the document type, so that an update that arrives before the
    original keeps its newer data when the original comes."""

    class State(models.TextChoices):
        ACTIVE = "active", _("active")
        REVOKED = "revoked", _("revoked (tipe_dokumen 3)")
        CANCELLED = "cancelled", _("cancelled (tipe_dokumen 4)")

    region = models.ForeignKey(
        "agencies.Region", on_delete=models.PROTECT, related_name="oss_businesses"
    )
    nib = models.CharField(_("NIB"), max_length=13)
    oss_id = models.CharField(_("OSS id"), max_length=50, blank=True)
    name = models.CharField(_("business name"), max_length=255)
    npwp = models.CharField(_("NPWP"), max_length=20, blank=True)
    scale = models.CharField(_("scale (skala_usaha)"), max_length=5, blank=True)
    is_umk = models.BooleanField(_("micro or small business (UMK)"), default=False)
    nib_status = models.CharField(_("NIB status (status_nib)"), max_length=5, blank=True)
    issued_on = models.DateField(_("NIB issued on"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    email = models.EmailField(_("company e-mail"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="oss_businesses",
        help_text=_("The applicant account that owns the files OSS sent for this business."),
    )
    last_tipe_dokumen = models.CharField(_("last document type"), max_length=2, blank=True)
    data_version = models.CharField(max_length=20, blank=True, editable=False)
    last_push = models.JSONField(_("last push as received"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("OSS business")
        verbose_name_plural = _("OSS businesses")
        constraints = [
            models.UniqueConstraint(fields=["region", "nib"], name="oss_business_region_nib"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (NIB {self.nib})"


class ResponsiblePerson(models.Model):
    """A responsible person of a business (`penanggung_jwb[]`), replaced by each newer push."""

    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, related_name="responsible_persons"
    )
    name = models.CharField(_("name"), max_length=255)
    position = models.CharField(_("position"), max_length=255, blank=True)
    id_type = models.CharField(_("identity type"), max_length=5, blank=True)
    nik = models.CharField(_("NIK / identity number"), max_length=50, blank=True)
    npwp = models.CharField(_("NPWP"), max_length=20, blank=True)
    email = models.CharField(_("e-mail"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("OSS responsible person")
        verbose_name_plural = _("OSS responsible persons")

    def __str__(self) -> str:
        return f"{self.name} ({self.masked_nik})"

    @property
    def masked_nik(self) -> str:
        return mask_nik(self.nik)


class Project(models.Model):
    """A project of a business (`data_proyek[]`): KBLI, risk level and where it is."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="projects")
    id_proyek = models.CharField(_("OSS project id"), max_length=50)
    kbli = models.CharField(_("KBLI"), max_length=5, blank=True)
    activity = models.CharField(_("activity"), max_length=500, blank=True)
    risk_level = models.CharField(_("risk level (skala_resiko)"), max_length=5, blank=True)
    scale = models.CharField(_("scale"), max_length=5, blank=True)
    land_area = models.DecimalField(
        _("land area"), max_digits=22, decimal_places=2, null=True, blank=True
    )
    investment = models.DecimalField(
        _("investment"), max_digits=22, decimal_places=2, null=True, blank=True
    )
    kd_daerah = models.CharField(_("region code of the location"), max_length=10, blank=True)
    address = models.CharField(_("location address"), max_length=500, blank=True)
    coordinates = models.CharField(_("coordinates (lat,lng)"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("OSS project")
        verbose_name_plural = _("OSS projects")
        constraints = [
            models.UniqueConstraint(fields=["business", "id_proyek"], name="oss_project_once"),
        ]

    def __str__(self) -> str:
        return f"{self.id_proyek} (KBLI {self.kbli})"


class PermitMapping(models.Model):
    """Which of our permit types a region files for one OSS permit code (`kd_izin`). Kept by the
    region's admins; a code without a row is kept waiting for an operator, never dropped.

    `requirement_codes` maps OSS's requirement ids (`id_syarat`) to the permit type's
    requirement codes; a file whose `id_syarat` is not listed goes to the requirement whose code
    its file name contains, else waits for the applicant."""

    region = models.ForeignKey(
        "agencies.Region", on_delete=models.PROTECT, related_name="oss_permit_mappings"
    )
    kd_izin = models.CharField(
        _("OSS permit code (kd_izin)"),
        max_length=12,
        validators=[RegexValidator(r"^\d{1,12}$", _("At most 12 digits."))],
        help_text=_("At most 12 digits: OSS's status reports carry the code as String(12)."),
    )
    permit_type = models.ForeignKey(
        "catalog.PermitType", on_delete=models.PROTECT, related_name="oss_mappings"
    )
    requirement_codes = models.JSONField(
        _("requirement ids → our requirement codes"),
        default=dict,
        blank=True,
        help_text=_('e.g. {"S-01-001": "denah"}'),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("OSS permit code")
        verbose_name_plural = _("OSS permit codes")
        constraints = [
            models.UniqueConstraint(fields=["region", "kd_izin"], name="oss_mapping_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kd_izin} → {self.permit_type_id}"

    def clean(self):
        if self.permit_type_id and self.region_id and self.permit_type.region_id != self.region_id:
            raise ValidationError({"permit_type": _("Choose a permit type of the same region.")})
        if not isinstance(self.requirement_codes, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.requirement_codes.items()
        ):
            raise ValidationError(
                {"requirement_codes": _("A JSON object of texts: {id_syarat: requirement code}.")}
            )


class ChecklistIntake(models.Model):
    """What became of one checklist item of ours (`oss.ChecklistItem`): the draft it became, or
    why not (not for us to act on, an unknown `kd_izin`, no applicant account, a closed permit
    type). Kept beside the item so that the outbound side's model stays its own."""

    class State(models.TextChoices):
        DRAFTED = "drafted", _("draft created")
        NOT_ACTIONABLE = "not_actionable", _("nothing to do (flag_checklist not Y)")
        UNKNOWN_CODE = "unknown_code", _("waiting: unknown kd_izin")
        NO_APPLICANT = "no_applicant", _("waiting: no applicant account")
        FAILED = "failed", _("waiting: the draft could not be made")
        BUSINESS_CLOSED = "business_closed", _("business revoked or cancelled")

    item = models.OneToOneField(
        "oss.ChecklistItem", on_delete=models.CASCADE, related_name="intake"
    )
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="checklist")
    nama_izin = models.CharField(_("permit name in OSS"), max_length=255, blank=True)
    flag_checklist = models.CharField(_("flag_checklist"), max_length=1, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    reason = models.CharField(_("why"), max_length=255, blank=True)
    raw = models.JSONField(_("the item as received"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("OSS checklist intake")
        verbose_name_plural = _("OSS checklist intakes")
        indexes = [models.Index(fields=["state"], name="oss_intake_state_idx")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.state}"


class RequirementFile(models.Model):
    """A requirement file OSS holds for a checklist item (`data_persyaratan[]`), fetched from
    its URL by a background job (`oss.tasks.fetch_requirement_file`) and attached to the draft.

    A failing fetch is recorded and tried again at `next_attempt_at` (back-off); a URL outside
    the configured OSS hosts, or a file refused by the upload checks, is not tried again."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting to be fetched")
        RETRYING = "retrying", _("failed, will be tried again")
        ATTACHED = "attached", _("attached to the draft")
        REFUSED = "refused", _("refused (address not allowed)")
        REJECTED = "rejected", _("rejected by the upload checks")
        UNMAPPED = "unmapped", _("no matching requirement")
        SKIPPED = "skipped", _("not needed (the file was filed already)")
        GAVE_UP = "gave_up", _("failed too often: an operator must look")

    item = models.ForeignKey(
        "oss.ChecklistItem", on_delete=models.CASCADE, related_name="requirement_files"
    )
    id_syarat = models.CharField(_("OSS requirement id"), max_length=100)
    no_dokumen = models.CharField(_("document number"), max_length=255, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    url = models.URLField(_("address"), max_length=2000)
    requirement_code = models.CharField(_("requirement"), max_length=40, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=255, blank=True)
    document = models.ForeignKey(
        "applications.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    fetched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("OSS requirement file")
        verbose_name_plural = _("OSS requirement files")
        constraints = [
            models.UniqueConstraint(fields=["item", "id_syarat"], name="oss_file_once"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="oss_file_due_idx",
                condition=models.Q(state__in=["pending", "retrying"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.id_syarat} ({self.state})"


class SignedPermitFile(models.Model):
    """OSS's own signed file of one of our permits (`receiveFileDS`): the URL OSS gave."""

    permit = models.OneToOneField(
        "permits.Permit", on_delete=models.CASCADE, related_name="oss_signed_file"
    )
    id_izin = models.CharField(_("OSS permit id (id_izin)"), max_length=50)
    url = models.URLField(_("OSS's signed file"), max_length=2000)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("OSS signed permit file")
        verbose_name_plural = _("OSS signed permit files")

    def __str__(self) -> str:
        return f"{self.id_izin}: {self.url}"


class InboundPush(models.Model):
    """Every push OSS made to us, accepted or refused: method, NIB, time, outcome and a reason
    that names fields and codes only (never a person's data, never the token)."""

    class Outcome(models.TextChoices):
        STORED = "stored", _("stored")
        REFUSED = "refused", _("refused")

    region = models.ForeignKey(
        "agencies.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="oss_pushes",
    )
    method = models.CharField(_("method"), max_length=30)
    kd_daerah = models.CharField(_("region code in the address"), max_length=20, blank=True)
    nib = models.CharField(_("NIB"), max_length=13, blank=True)
    tipe_dokumen = models.CharField(_("document type"), max_length=2, blank=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    code = models.CharField(_("reason code"), max_length=40, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"))
    items = models.PositiveSmallIntegerField(_("checklist items of ours"), default=0)
    drafts = models.PositiveSmallIntegerField(_("drafts created"), default=0)
    elapsed_ms = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("OSS push")
        verbose_name_plural = _("OSS pushes")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.method} {self.nib} {self.outcome}"


__all__ = [
    "Business",
    "ChecklistIntake",
    "InboundPush",
    "PermitMapping",
    "Project",
    "RequirementFile",
    "ResponsiblePerson",
    "SignedPermitFile",
]

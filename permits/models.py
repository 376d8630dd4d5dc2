from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ptsp.files import PrivateUploadTo

slug_validator = RegexValidator(
    r"^[a-z0-9_]{1,40}$", _("Lower-case letters, digits and underscores only.")
)


def in_language(text_id: str, text_en: str) -> str:
    """A catalog text in the active language: the English one when English is active and the
    text has an English version, else the Indonesian one."""
    return text_en if (get_language() or "id").startswith("en") and text_en else text_id


class PermitType(models.Model):
    """A permit in a region's catalog, with its published SOP (standar pelayanan).

    What an application needs (requirements, form fields, route, SLA) is frozen into a
    PermitTypeVersion when the type is published; an application keeps the version it was filed
    under, so editing the catalog never changes a filed application.
    """

    region = models.ForeignKey(
        "agencies.Region", on_delete=models.PROTECT, related_name="permit_types"
    )
    code = models.CharField(
        _("code"),
        max_length=20,
        validators=[RegexValidator(r"^[A-Z0-9-]{2,20}$", _("Capital letters, digits and dashes."))],
    )
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_id = models.TextField(_("description (Indonesian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    intake_days = models.PositiveSmallIntegerField(
        _("intake budget (working days)"), default=1, validators=[MinValueValidator(1)]
    )
    issuance_days = models.PositiveSmallIntegerField(
        _("issuance budget (working days)"), default=1, validators=[MinValueValidator(1)]
    )
    fee_amount = models.DecimalField(
        _("fee (Rp)"), max_digits=14, decimal_places=0, default=0, help_text=_("0 means free.")
    )
    fee_note = models.CharField(_("fee note"), max_length=300, blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("validity (months)"), null=True, blank=True, help_text=_("Empty: valid without end.")
    )
    number_format = models.CharField(
        _("permit number format"),
        max_length=120,
        default="503/{seq:04d}/{code}/DPMPTSP/{roman_month}/{year}",
        help_text=_("Placeholders: {seq}, {code}, {roman_month}, {month}, {year}, {region}."),
    )
    requires_nib = models.BooleanField(_("requires NIB"), default=True)
    pdf_language = models.CharField(
        _("permit language"),
        max_length=2,
        default="id",
        choices=[("id", "Indonesia"), ("en", "English")],
    )
    pdf_template = models.CharField(
        _("PDF template"), max_length=100, blank=True, help_text=_("Empty: the shared template.")
    )
    conditions = models.TextField(_("conditions printed on the permit"), blank=True)
    steps = models.TextField(_("procedure steps"), blank=True, help_text=_("One step per line."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("permit type")
        verbose_name_plural = _("permit types")
        ordering = ["region__name", "name_id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="permit_code_unique_in_region")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.region.code})"

    @property
    def name(self) -> str:
        return in_language(self.name_id, self.name_en)

    @property
    def description(self) -> str:
        return in_language(self.description_id, self.description_en)


class RouteStep(models.Model):
    """An agency whose recommendation the permit needs, with its review budget. All run in parallel."""

    permit_type = models.ForeignKey(PermitType, on_delete=models.CASCADE, related_name="route")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    review_days = models.PositiveSmallIntegerField(
        _("review budget (working days)"), validators=[MinValueValidator(1)]
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("route step")
        verbose_name_plural = _("route")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["permit_type", "agency"], name="route_agency_once")
        ]

    def __str__(self) -> str:
        return f"{self.agency} ({self.review_days} d)"


class Requirement(models.Model):
    """A document (persyaratan) an applicant uploads for a permit type."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"

    permit_type = models.ForeignKey(
        PermitType, on_delete=models.CASCADE, related_name="requirements"
    )
    code = models.CharField(_("code"), max_length=40, validators=[slug_validator])
    name_id = models.CharField(_("name (Indonesian)"), max_length=250)
    name_en = models.CharField(_("name (English)"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    is_required = models.BooleanField(_("required"), default=True)
    accepted_kinds = models.JSONField(_("accepted kinds"), default=list)
    max_size_kb = models.PositiveIntegerField(_("size limit (KB)"), default=5120)
    template = models.FileField(
        _("blank template"), upload_to=PrivateUploadTo("templates"), blank=True
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["permit_type", "code"], name="requirement_code_once")
        ]

    def __str__(self) -> str:
        return self.name_id


class FormField(models.Model):
    """A typed field of the permit type's own form, validated on the server."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        INTEGER = "integer", _("Integer")
        DECIMAL = "decimal", _("Decimal with unit")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")
        BOOLEAN = "boolean", _("Yes/no")

    permit_type = models.ForeignKey(PermitType, on_delete=models.CASCADE, related_name="fields")
    key = models.CharField(_("key"), max_length=40, validators=[slug_validator])
    label_id = models.CharField(_("label (Indonesian)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    is_required = models.BooleanField(_("required"), default=True)
    help_text = models.CharField(_("help text"), max_length=250, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["permit_type", "key"], name="form_field_key_once")
        ]

    def __str__(self) -> str:
        return self.key


class PermitTypeVersion(models.Model):
    """An immutable snapshot of a permit type's requirements, fields, route and SLA.

    Applications point at the version they were filed under. A new version is recorded by
    `permits.services.permit_type_publish` whenever the snapshot changes.
    """

    permit_type = models.ForeignKey(PermitType, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("catalog version")
        verbose_name_plural = _("catalog versions")
        ordering = ["permit_type", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["permit_type", "number"], name="version_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.permit_type.code} v{self.number}"


class PermitCounter(models.Model):
    """The last permit sequence used per region, permit type and year, taken under a row lock."""

    region = models.ForeignKey("agencies.Region", on_delete=models.PROTECT, related_name="+")
    permit_type = models.ForeignKey(PermitType, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region", "permit_type", "year"], name="permit_counter_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.permit_type_id}/{self.year}: {self.last_value}"


class Permit(models.Model):
    """An issued permit (or its pending issuance): number, holder, the signed PDF and its status."""

    class Status(models.TextChoices):
        ISSUING = "issuing", _("Being issued")
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="permit"
    )
    permit_type = models.ForeignKey(PermitType, on_delete=models.PROTECT, related_name="permits")
    region = models.ForeignKey("agencies.Region", on_delete=models.PROTECT, related_name="permits")
    # Unique per region, not per deployment: regions number their permits independently and
    # their formats (e.g. 503/0001/SIP-DU/DPM-PTSP/XI/2026) need not name the region.
    number = models.CharField(_("permit number"), max_length=120)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    holder_name = models.CharField(_("holder"), max_length=200)
    business_name = models.CharField(_("business name"), max_length=200)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(max_length=150)
    signer_position = models.CharField(max_length=150, blank=True)
    signer_nip = models.CharField(max_length=18, blank=True)
    issued_at = models.DateTimeField(_("issued at"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    file = models.FileField(upload_to=PrivateUploadTo("permits"), blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    # The certificate that signs the file, fixed when the signer clicks "sign and issue" (the
    # worker signs with this one or fails the issuance): verification checks the signature
    # against it, so a later rotation of the region's certificate leaves the permits signed
    # before it verifiable. Empty for permits issued before it was recorded.
    signing_cert_sha256 = models.CharField(max_length=64, blank=True)
    verification_token = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ISSUING)
    last_error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)
    expiry_reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("permit")
        verbose_name_plural = _("permits")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "permit_type", "year", "sequence"], name="permit_sequence_once"
            ),
            models.UniqueConstraint(
                fields=["region", "number"], name="permit_number_once_in_region"
            ),
        ]
        indexes = [
            models.Index(
                fields=["valid_until"],
                name="permit_valid_until_idx",
                condition=models.Q(status="valid"),
            )
        ]

    def __str__(self) -> str:
        return self.number


class StagedPermitFile(models.Model):
    """A signed file stored but not yet named by its permit (permits.services.issuance).

    Written and committed *before* the file is stored; deleted in the transaction that makes
    the permit name the file. A worker killed between the two leaves this row: the permit's
    next completion removes the file, and `permit_files_sweep` removes old ones of permits that
    never complete, so that no signed copy of a numbered permit lies in storage outside any
    record.
    """

    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="staged_files")
    name = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("staged permit file")
        verbose_name_plural = _("staged permit files")

    def __str__(self) -> str:
        return self.name


class RejectionLetter(models.Model):
    """The signed letter telling an applicant why their application was rejected."""

    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="rejection_letter"
    )
    number = models.CharField(_("letter number"), max_length=120, unique=True)
    reasons = models.TextField(_("reasons"))
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signer_name = models.CharField(max_length=150)
    signer_position = models.CharField(max_length=150, blank=True)
    signer_nip = models.CharField(max_length=18, blank=True)
    issued_at = models.DateTimeField(_("issued at"))
    file = models.FileField(upload_to=PrivateUploadTo("letters"), blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("rejection letter")
        verbose_name_plural = _("rejection letters")

    def __str__(self) -> str:
        return self.number

"""The catalog: permit types with their SOP (requirements, form fields, route, SLA) and the
immutable versions applications are filed under.

The tables keep their `permits_*` names: the models moved here from `permits` (issue 15) with
state-only migrations, so no row was copied.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.legal import legal_refusals
from ptsp.files import PrivateUploadTo
from ptsp.i18n import pick

# The applicant's correction period (issue 18 part B): the default number of working days an
# applicant has to answer a return at intake or an OPD's revision request. No primary text for
# PP 28/2025's figure was found (docs/corrections.md): 10 working days is the demo's default,
# set per permit type from the region's SOP.
DEFAULT_CORRECTION_DAYS = 10


class CorrectionEnd(models.TextChoices):
    """What happens when an OPD's revision request is not answered within the period."""

    LAPSE = "lapse", _("The file lapses")
    BACK_TO_OFFICE = "back_to_office", _("The file goes back to the OPD, which decides")


def correction_period_errors(*, intake_days, review_days, end) -> dict:
    """The correction period's configuration errors by field (empty: valid). Shared by the
    model's clean() and publishing, so that neither the admin nor a script records 0 days."""
    errors = {}
    for field, value in (
        ("correction_intake_days", intake_days),
        ("correction_review_days", review_days),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            errors[field] = _(
                "The correction period is at least 1 working day (got %(value)s)."
            ) % {"value": value}
    if end not in CorrectionEnd.values:
        errors["correction_end"] = _("Choose what happens when the correction period ends.")
    return errors


slug_validator = RegexValidator(
    r"^[a-z0-9_]{1,40}$", _("Lower-case letters, digits and underscores only.")
)


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
    # The levy (issue 17): the region's tariff by its stable code (`fees.Tariff.code`; the
    # catalog sits below `fees`, so it names it) and the route's agency that assesses it.
    tariff_code = models.CharField(
        _("levy tariff code"),
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(r"^[A-Z][A-Z0-9-]{1,19}$", _("Capital letters, digits and dashes."))
        ],
        help_text=_(
            "The region's levy tariff (e.g. PBG) assessed before the permit is issued; "
            "empty: no levy. The permit is issued only once the bill is paid."
        ),
    )
    assessing_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("assessing agency"),
        help_text=_("The agency of the route whose officer assesses the levy (PUPR for PBG)."),
    )
    # Legal deadlines (issue 18): the law's deadline per stage beside the internal budget.
    # Empty review and issuance deadlines: UU 30/2014 art. 53 applies (5 working days after a
    # complete file for the decision). See catalog/legal.py and docs/sla.md ("Legal deadlines").
    legal_intake_days = models.PositiveSmallIntegerField(
        _("legal deadline of the document check (working days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty: no legal deadline of its own for the document check."),
    )
    legal_review_days = models.PositiveSmallIntegerField(
        _("legal deadline of the technical review (working days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "The sectoral deadline from the complete file to the recommendation. Empty (with "
            "the issuance one): UU 30/2014 art. 53, 5 working days for the whole decision."
        ),
    )
    legal_issuance_days = models.PositiveSmallIntegerField(
        _("legal deadline of the issuance (working days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    legal_deadline_basis = models.CharField(
        _("legal basis of the deadlines"),
        max_length=300,
        blank=True,
        help_text=_("The sectoral regulation that sets the deadlines (needed when they are set)."),
    )

    class DeemedPolicy(models.TextChoices):
        SIGNER = "signer", _("Deemed approved; the signer issues it")
        AUTO = "auto", _("Deemed approved and issued electronically")
        NONE = "none", _("No deemed approval (excluded by the sectoral law)")

    deemed_policy = models.CharField(
        _("at the legal deadline"),
        max_length=10,
        choices=DeemedPolicy.choices,
        default=DeemedPolicy.SIGNER,
    )
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
    # --- the applicant's correction period (issue 18 part B) -------------------------------
    correction_intake_days = models.PositiveSmallIntegerField(
        _("correction period after a return at intake (working days)"),
        default=DEFAULT_CORRECTION_DAYS,
        validators=[MinValueValidator(1)],
        help_text=_("At its end an unanswered return lapses."),
    )
    correction_review_days = models.PositiveSmallIntegerField(
        _("correction period after an OPD's revision request (working days)"),
        default=DEFAULT_CORRECTION_DAYS,
        validators=[MinValueValidator(1)],
    )
    correction_end = models.CharField(
        _("when a revision request is not answered in time"),
        max_length=20,
        choices=CorrectionEnd.choices,
        default=CorrectionEnd.LAPSE,
    )
    # --- end of the correction period's block ----------------------------------------------
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "permits_permittype"
        verbose_name = _("permit type")
        verbose_name_plural = _("permit types")
        ordering = ["region__name", "name_id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="permit_code_unique_in_region")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.region.code})"

    def clean(self):
        super().clean()
        correction = correction_period_errors(
            intake_days=self.correction_intake_days,
            review_days=self.correction_review_days,
            end=self.correction_end,
        )
        if correction:
            raise ValidationError(correction)
        if self.tariff_code and self.assessing_agency_id is None:
            raise ValidationError(
                {"assessing_agency": _("Name the agency that assesses the levy.")}
            )
        if self.tariff_code and self.fee_amount:
            # The levy gives way to nothing: a levied type's amount is the tariff's, assessed.
            raise ValidationError(
                {
                    "fee_amount": _(
                        "A permit type with a levy tariff has no fixed fee: the assessing "
                        "agency computes it from the tariff. Set the fee to 0."
                    )
                }
            )
        if not self.tariff_code and self.assessing_agency_id is not None:
            raise ValidationError(
                {"tariff_code": _("Name the levy tariff the agency assesses, or no agency.")}
            )
        if (
            self.assessing_agency_id is not None
            and self.region_id is not None
            and self.assessing_agency.region_id != self.region_id
        ):
            raise ValidationError(
                {"assessing_agency": _("The assessing agency must belong to this region.")}
            )

        # The rules that need the route are checked by the route's admin formset and by
        # `permit_type_publish` (the route being edited is not saved yet here).
        errors = legal_refusals(self, route_days=[])
        if errors:
            raise ValidationError(errors)

    @property
    def name(self) -> str:
        return pick(self.name_id, self.name_en)

    @property
    def description(self) -> str:
        return pick(self.description_id, self.description_en)


class RouteStep(models.Model):
    """An agency whose recommendation the permit needs, with its review budget.

    The route is a sequence of stages (issue 18): the agencies of one stage review in parallel;
    the next stage starts when every agency of the previous one has recommended. A type whose
    steps all carry stage 1 (the default) routes to every agency at once, as before. Per step,
    an officer's recommendation may need the agency head's approval before it counts, with the
    head's own budget.
    """

    permit_type = models.ForeignKey(PermitType, on_delete=models.CASCADE, related_name="route")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    review_days = models.PositiveSmallIntegerField(
        _("review budget (working days)"), validators=[MinValueValidator(1)]
    )
    stage = models.PositiveSmallIntegerField(
        _("stage"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Stages run one after the other (1, 2, 3 … without gaps); the agencies of one "
            "stage review in parallel."
        ),
    )
    head_approval = models.BooleanField(
        _("head's approval needed"),
        default=False,
        help_text=_("An officer's recommendation counts only once the agency head approves it."),
    )
    head_approval_days = models.PositiveSmallIntegerField(
        _("head's approval budget (working days)"), default=1, validators=[MinValueValidator(1)]
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "permits_routestep"
        verbose_name = _("route step")
        verbose_name_plural = _("route")
        ordering = ["stage", "order", "id"]
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
        db_table = "permits_requirement"
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
        db_table = "permits_formfield"
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
    `catalog.services.permit_type_publish` whenever the snapshot changes.
    """

    permit_type = models.ForeignKey(PermitType, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "permits_permittypeversion"
        verbose_name = _("catalog version")
        verbose_name_plural = _("catalog versions")
        ordering = ["permit_type", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["permit_type", "number"], name="version_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.permit_type.code} v{self.number}"

"""Regional levies (*retribusi*) as versioned data.

A `Tariff` is a levy a region charges, named by a stable `code` (PBG, REKLAME …) that a
permit type will reference (issue 17, phase 2). Its `TariffVersion`s carry the numbers of one
regulation each, valid from one date to another (inclusive; open-ended while in force); two
versions of one tariff never overlap (a clear validation message, and a database exclusion
constraint: `fees.constraints`). A version's tables hang off it:
- fixed:    `TariffVersion.fixed_amount`;
- per unit: `TariffUnitFactor` (the quantities multiplied, e.g. width, height, days) and
            `TariffRate` (the rate per unit by row, e.g. by zone);
- PBG:      `PbgIndex` (the function, complexity, permanence, ownership and activity tables),
            `PbgHeightIndex` (by number of floors), `PbgInfrastructureItem` (prasarana unit
            prices), and the version's weights, locality index (Ilo) and SHST.
`LevyPolicy` holds a region's billing rules, versioned the same way: the monthly late-payment
interest, its cap, the partial-month rule, the days to pay and the billing-code prefix.

Money is whole rupiah (`decimal_places=0`); indices are exact decimals. Nothing here computes:
`fees.calculation` does, from a spec that `fees.selectors.tariff_spec` builds.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Region
from fees.constraints import no_overlapping_versions
from ptsp.files import PrivateUploadTo

MONEY = {"max_digits": 14, "decimal_places": 0}
INDEX = {"max_digits": 9, "decimal_places": 4}
KEY_VALIDATOR = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]{0,39}$", _("Lower-case letters, digits, _ and -, e.g. hunian.")
)


def overlapping(queryset, valid_from, valid_until):
    """The rows of `queryset` whose inclusive [valid_from, valid_until] meets the given one."""
    found = queryset.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from))
    if valid_until is not None:
        found = found.filter(valid_from__lte=valid_until)
    return found.order_by("valid_from")


def period_label(valid_from, valid_until) -> str:
    until = valid_until.isoformat() if valid_until else str(_("further notice"))
    return f"{valid_from.isoformat()} – {until}"


class Tariff(models.Model):
    """A levy of a region, by a stable code. The numbers live in its versions."""

    class Kind(models.TextChoices):
        FIXED = "fixed", _("Fixed amount")
        PER_UNIT = "per_unit", _("Per unit (rate table)")
        PBG = "pbg", _("PBG formula")

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="tariffs", verbose_name=_("region")
    )
    code = models.CharField(
        _("code"),
        max_length=20,
        validators=[
            RegexValidator(
                r"^[A-Z][A-Z0-9-]{1,19}$", _("2 to 20 capital letters, digits and dashes.")
            )
        ],
        help_text=_("The stable code a permit type names, e.g. PBG or REKLAME."),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    account_code = models.CharField(
        _("account code"),
        max_length=40,
        validators=[RegexValidator(r"^\d+(\.\d+)+$", _("Digits separated by dots."))],
        help_text=_("The revenue account (kode rekening) printed on the SKRD line."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        ordering = ["region__name", "code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="tariff_code_unique_in_region")
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class TariffVersion(models.Model):
    """The numbers of one regulation for a tariff, valid from `valid_from` to `valid_until`
    (both inclusive; empty `valid_until`: until further notice)."""

    tariff = models.ForeignKey(
        Tariff, on_delete=models.PROTECT, related_name="versions", verbose_name=_("tariff")
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("The last day, inclusive. Empty: until further notice."),
    )
    legal_basis = models.CharField(
        _("legal basis"),
        max_length=300,
        help_text=_("The regulation, e.g. Perda No. 2 Tahun 2024."),
    )
    note = models.TextField(_("note"), blank=True)
    fixed_amount = models.DecimalField(_("fixed amount (Rp)"), null=True, blank=True, **MONEY)
    quantity_unit = models.CharField(
        _("unit of the quantity"), max_length=40, blank=True, help_text=_("e.g. m²·hari.")
    )
    weight_complexity = models.DecimalField(
        _("weight of complexity (bk)"), null=True, blank=True, max_digits=4, decimal_places=3
    )
    weight_permanence = models.DecimalField(
        _("weight of permanence (bp)"), null=True, blank=True, max_digits=4, decimal_places=3
    )
    weight_height = models.DecimalField(
        _("weight of height (bh)"), null=True, blank=True, max_digits=4, decimal_places=3
    )
    locality_index = models.DecimalField(
        _("locality index (Ilo)"),
        null=True,
        blank=True,
        max_digits=7,
        decimal_places=6,
        help_text=_("As a fraction: 0.005 is 0.5 %, the legal maximum."),
    )
    shst = models.DecimalField(_("SHST (Rp per m²)"), null=True, blank=True, **MONEY)
    shst_year = models.PositiveSmallIntegerField(_("SHST year"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("tariff version")
        verbose_name_plural = _("tariff versions")
        ordering = ["tariff", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="tariffversion_until_after_from",
                violation_error_message=_("A version cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(fixed_amount__isnull=True) | Q(fixed_amount__gte=0),
                name="tariffversion_fixed_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(shst__isnull=True) | Q(shst__gt=0),
                name="tariffversion_shst_positive",
            ),
            models.CheckConstraint(
                condition=Q(locality_index__isnull=True)
                | Q(locality_index__gt=0, locality_index__lte="0.005"),
                name="tariffversion_locality_index_at_most_half_percent",
            ),
            no_overlapping_versions(
                owner="tariff",
                name="tariffversion_no_overlap",
                message=_("Two versions of one tariff cannot be valid on the same day."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tariff.code} {period_label(self.valid_from, self.valid_until)}"

    @property
    def period(self) -> str:
        return period_label(self.valid_from, self.valid_until)

    def is_valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("A version cannot end before it starts.")})
        if self.tariff_id and self.valid_from:
            clash = (
                overlapping(
                    TariffVersion.objects.filter(tariff_id=self.tariff_id),
                    self.valid_from,
                    self.valid_until,
                )
                .exclude(pk=self.pk)
                .first()
            )
            if clash:
                raise ValidationError(
                    {
                        "valid_from": _(
                            "This period overlaps the version valid %(period)s. End that "
                            "version the day before this one starts."
                        )
                        % {"period": clash.period}
                    }
                )


class TariffUnitFactor(models.Model):
    """A quantity a per-unit tariff multiplies: e.g. width (m), height (m), days."""

    version = models.ForeignKey(TariffVersion, on_delete=models.CASCADE, related_name="factors")
    position = models.PositiveSmallIntegerField(_("position"))
    key = models.CharField(_("key"), max_length=40, validators=[KEY_VALIDATOR])
    label = models.CharField(_("label"), max_length=120)
    unit = models.CharField(_("unit"), max_length=20)
    integer_only = models.BooleanField(_("whole numbers only"), default=False)

    class Meta:
        verbose_name = _("quantity of a per-unit tariff")
        verbose_name_plural = _("quantities of a per-unit tariff")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="unitfactor_key_unique"),
            models.UniqueConstraint(
                fields=["version", "position"], name="unitfactor_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.unit})"


class TariffRate(models.Model):
    """A row of a per-unit tariff's rate table: the rate per unit, e.g. for zone A."""

    version = models.ForeignKey(TariffVersion, on_delete=models.CASCADE, related_name="rates")
    key = models.CharField(_("key"), max_length=40, validators=[KEY_VALIDATOR])
    label = models.CharField(_("label"), max_length=200)
    rate = models.DecimalField(_("rate (Rp per unit)"), validators=[MinValueValidator(0)], **MONEY)

    class Meta:
        verbose_name = _("rate")
        verbose_name_plural = _("rates")
        ordering = ["version", "key"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="tariffrate_key_unique"),
            models.CheckConstraint(condition=Q(rate__gte=0), name="tariffrate_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.rate}"


class PbgIndex(models.Model):
    """A row of one of the PBG formula's keyed tables."""

    class Table(models.TextChoices):
        FUNCTION = "function", _("Function index (If)")
        COMPLEXITY = "complexity", _("Complexity index (Ik)")
        PERMANENCE = "permanence", _("Permanence index (Ip)")
        OWNERSHIP = "ownership", _("Ownership factor (Ifm)")
        ACTIVITY = "activity", _("Activity index (Ibg)")

    version = models.ForeignKey(TariffVersion, on_delete=models.CASCADE, related_name="pbg_indices")
    table = models.CharField(_("table"), max_length=12, choices=Table.choices)
    key = models.CharField(_("key"), max_length=40, validators=[KEY_VALIDATOR])
    label = models.CharField(_("label"), max_length=200)
    value = models.DecimalField(_("value"), validators=[MinValueValidator(0)], **INDEX)

    class Meta:
        verbose_name = _("PBG index")
        verbose_name_plural = _("PBG indices")
        ordering = ["version", "table", "key"]
        constraints = [
            models.UniqueConstraint(fields=["version", "table", "key"], name="pbgindex_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="pbgindex_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_table_display()}: {self.label} = {self.value}"


class PbgHeightIndex(models.Model):
    """The height index (Ih) for a range of floor counts (inclusive; open-ended at the top)."""

    version = models.ForeignKey(TariffVersion, on_delete=models.CASCADE, related_name="pbg_heights")
    floors_from = models.PositiveSmallIntegerField(
        _("from floors"), validators=[MinValueValidator(1)]
    )
    floors_to = models.PositiveSmallIntegerField(_("to floors"), null=True, blank=True)
    value = models.DecimalField(_("value"), validators=[MinValueValidator(0)], **INDEX)

    class Meta:
        verbose_name = _("PBG height index")
        verbose_name_plural = _("PBG height indices")
        ordering = ["version", "floors_from"]
        constraints = [
            models.UniqueConstraint(fields=["version", "floors_from"], name="pbgheight_unique"),
            models.CheckConstraint(
                condition=Q(floors_from__gte=1)
                & (Q(floors_to__isnull=True) | Q(floors_to__gte=models.F("floors_from"))),
                name="pbgheight_range_valid",
            ),
        ]

    def __str__(self) -> str:
        top = self.floors_to if self.floors_to is not None else "…"
        return f"{self.floors_from}–{top}: {self.value}"


class PbgInfrastructureItem(models.Model):
    """A kind of infrastructure (prasarana) with its levy unit price and index."""

    version = models.ForeignKey(
        TariffVersion, on_delete=models.CASCADE, related_name="pbg_infrastructure"
    )
    key = models.CharField(_("key"), max_length=40, validators=[KEY_VALIDATOR])
    label = models.CharField(_("label"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20)
    unit_price = models.DecimalField(
        _("unit price (Rp)"), validators=[MinValueValidator(0)], **MONEY
    )
    index = models.DecimalField(_("index"), default=1, validators=[MinValueValidator(0)], **INDEX)

    class Meta:
        verbose_name = _("PBG infrastructure item")
        verbose_name_plural = _("PBG infrastructure items")
        ordering = ["version", "key"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="pbginfra_key_unique"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0, index__gte=0), name="pbginfra_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.unit}): {self.unit_price}"


class LevyPolicy(models.Model):
    """A region's billing rules for one period: days to pay, late interest, billing prefix."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="levy_policies", verbose_name=_("region")
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    payment_due_days = models.PositiveSmallIntegerField(
        _("days to pay"), default=30, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    interest_rate_percent = models.DecimalField(
        _("late interest per month (%)"),
        max_digits=5,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    interest_max_months = models.PositiveSmallIntegerField(
        _("most months of interest"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    partial_month_counts_as_full = models.BooleanField(
        _("a started month counts as a full month"), default=True
    )
    interest_account_code = models.CharField(
        _("account code of the late interest"),
        max_length=40,
        blank=True,
        validators=[
            RegexValidator(
                r"^\d+(\.\d+)+$",
                _(
                    "The account code of the late interest is digits separated by dots, "
                    "e.g. 4.1.04.16.01.0001."
                ),
            )
        ],
        help_text=_(
            "The revenue account (kode rekening) of the late-payment interest (pendapatan denda "
            "retribusi): printed on the STRD and used in the revenue reports."
        ),
    )
    payable_days_after_due = models.PositiveSmallIntegerField(
        _("days payable after the due date"),
        default=90,
        validators=[MaxValueValidator(3650)],
        help_text=_(
            "After the due date the bill can still be paid, with interest, for this many days; "
            "then it expires."
        ),
    )

    class ExpiredRule(models.TextChoices):
        REASSESS = "reassess", _("Back to the assessing agency (a new assessment and SKRD)")
        CLOSE = "close", _("Close the file")

    expired_bill_rule = models.CharField(
        _("when a bill expires"),
        max_length=10,
        choices=ExpiredRule.choices,
        default=ExpiredRule.CLOSE,
    )
    billing_prefix = models.CharField(
        _("billing code prefix"),
        max_length=4,
        validators=[RegexValidator(r"^\d{4}$", _("4 digits: the Kemendagri code, e.g. 6474."))],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("levy policy")
        verbose_name_plural = _("levy policies")
        ordering = ["region", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="levypolicy_until_after_from",
                violation_error_message=_("A version cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(interest_rate_percent__gte=0, interest_max_months__gte=1),
                name="levypolicy_interest_valid",
            ),
            no_overlapping_versions(
                owner="region",
                name="levypolicy_no_overlap",
                message=_("Two levy policies of one region cannot be valid on the same day."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region.code} {period_label(self.valid_from, self.valid_until)}"

    @property
    def period(self) -> str:
        return period_label(self.valid_from, self.valid_until)


# --- Phase 2: assessments, bills (SKRD), payments ----------------------------------------------


class Assessment(models.Model):
    """The levy of one application, set by an officer of the agency the permit type names
    (PUPR for PBG) as part of its review: the inputs (read from the application, corrected
    with a reason), the tariff version used, and the computation itself (`draft`, the whole
    `fees.services.assessment_draft` snapshot with its `digest`). Stored once and never
    edited: a later tariff change does not change it; a new assessment replaces it for the
    bill while the review is open (the latest counts)."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="assessments"
    )
    # The assessing agency's review; none when the DPMPTSP's treasurer assessed a deemed
    # approval whose assessing agency never reviewed it (an earlier stage was deemed).
    review = models.ForeignKey(
        "applications.Review",
        on_delete=models.PROTECT,
        related_name="assessments",
        null=True,
        blank=True,
    )
    tariff_version = models.ForeignKey(
        TariffVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    source_inputs = models.JSONField(_("inputs read from the application"), default=dict)
    inputs = models.JSONField(_("inputs used"), default=dict)
    corrections = models.JSONField(_("corrected inputs"), default=list, blank=True)
    correction_reason = models.TextField(_("reason for the corrections"), blank=True)
    draft = models.JSONField(_("computation"))
    digest = models.CharField(_("digest"), max_length=64)
    total = models.DecimalField(_("total (Rp)"), **MONEY)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(_("assessed at"))

    class Meta:
        verbose_name = _("levy assessment")
        verbose_name_plural = _("levy assessments")
        ordering = ["application", "-assessed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="assessment_total_not_negative"),
            models.CheckConstraint(
                condition=Q(corrections=[]) | ~Q(correction_reason=""),
                name="assessment_correction_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: Rp {self.total}"


class FeeCounter(models.Model):
    """Gap-free numbers of the fees app, per region, kind and year (`ptsp.counters`): the SKRD
    number (`skrd`, per year) and the payer's NPWR (`npwr`, year 0)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "kind", "year"], name="fee_counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.region_id}/{self.kind}/{self.year}: {self.last_value}"


class LevyPayer(models.Model):
    """A levy payer (*wajib retribusi*) of a region and its NPWR, given on the first bill."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    npwr = models.CharField(_("NPWR"), max_length=30)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("levy payer")
        verbose_name_plural = _("levy payers")
        constraints = [
            models.UniqueConstraint(fields=["region", "user"], name="levy_payer_once"),
            models.UniqueConstraint(fields=["region", "npwr"], name="npwr_unique_in_region"),
        ]

    def __str__(self) -> str:
        return self.npwr


class Bill(models.Model):
    """The SKRD (*Surat Ketetapan Retribusi Daerah*) of one application: its gap-free number
    per region and year, the payer and NPWR, the lines with their account codes (copied from
    the assessment), the total and the amount in words, the due date (the levy policy), the
    billing code the bank is told, and the signed PDF (rendered and signed by the permits
    pipeline in the worker)."""

    class Status(models.TextChoices):
        UNPAID = "unpaid", _("Unpaid")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired (not paid in time)")

    # One live (unpaid or paid) bill per application; an expired one is kept beside the new
    # SKRD a reassessment issues (`bill_one_live_per_application`).
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="bills"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="bills")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="bills")
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(_("SKRD number"), max_length=60)
    payer = models.ForeignKey(LevyPayer, on_delete=models.PROTECT, related_name="bills")
    payer_name = models.CharField(_("payer"), max_length=200)
    payer_address = models.CharField(_("payer's address"), max_length=400, blank=True)
    object_description = models.CharField(_("levied object"), max_length=400)
    lines = models.JSONField(_("lines"))
    total = models.DecimalField(_("total (Rp)"), **MONEY)
    total_in_words = models.CharField(_("total in words"), max_length=400)
    issued_at = models.DateTimeField(_("issued at"))
    issued_on = models.DateField(_("date of issue"))
    due_date = models.DateField(_("due date"))
    billing_code = models.CharField(_("billing code"), max_length=16, unique=True)
    expires_on = models.DateField(
        _("payable until"),
        null=True,
        blank=True,
        help_text=_("The last local day the bill can be paid (with interest); empty: no end."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.UNPAID
    )
    expired_at = models.DateTimeField(_("expired at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    pdf = models.FileField(_("signed SKRD"), upload_to=PrivateUploadTo("skrd"), blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("SKRD")
        verbose_name_plural = _("SKRDs")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "sequence"], name="skrd_sequence_once"
            ),
            models.CheckConstraint(condition=Q(total__gt=0), name="skrd_total_positive"),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_at__isnull=False), name="skrd_paid_has_time"
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status__in=["unpaid", "paid"]),
                name="bill_one_live_per_application",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Payment(models.Model):
    """A payment of a bill: posted by a bank host-to-host (unique on the bank and its receipt
    number) or confirmed by the treasurer from a proof. Never edited."""

    class Method(models.TextChoices):
        H2H = "h2h", _("Bank (host-to-host)")
        MANUAL = "manual", _("Proof confirmed by the treasurer")

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    bank_id = models.CharField(_("bank"), max_length=40)
    receipt_number = models.CharField(_("receipt number"), max_length=64)
    amount = models.DecimalField(_("amount (Rp)"), **MONEY)
    paid_at = models.DateTimeField(_("paid at"))
    channel = models.CharField(_("channel"), max_length=10, default="TELLER")
    # The account the late interest in `amount` (above the SKRD's total) was booked to: the levy
    # policy's on the due date when it was paid, kept so that a later policy does not move it.
    interest_account_code = models.CharField(
        _("account code of the late interest"), max_length=40, blank=True, default=""
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=["bank_id", "receipt_number"], name="payment_receipt_once_per_bank"
            ),
            models.UniqueConstraint(fields=["bill"], name="payment_once_per_bill"),
        ]

    def __str__(self) -> str:
        return f"{self.bank_id} {self.receipt_number}"


class PaymentProof(models.Model):
    """A proof of payment the applicant uploads (a bank slip or transfer receipt), checked like
    every upload, and the treasurer's (*bendahara penerimaan*) decision: confirmed — the bill
    is paid — or refused with the reason the applicant is told."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the treasurer")
        CONFIRMED = "confirmed", _("Confirmed")
        REFUSED = "refused", _("Refused")

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="proofs")
    file = models.FileField(_("proof"), upload_to=PrivateUploadTo("proofs"))
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    paid_on = models.DateField(_("paid on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusing"), blank=True)

    class Meta:
        verbose_name = _("proof of payment")
        verbose_name_plural = _("proofs of payment")
        ordering = ["uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["bill"],
                condition=Q(status="pending"),
                name="proof_one_pending_per_bill",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reason=""),
                name="proof_refusal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bill} ({self.get_status_display()})"


class InterestNotice(models.Model):
    """An STRD (*Surat Tagihan Retribusi Daerah*): the letter that bills the late-payment
    interest of an unpaid SKRD after its due date. One per bill and number of months charged
    (the sweep issues it when the months charged grow: a started month counts), with its own
    gap-free number (`FeeCounter` kind `strd`), the principal, the interest, the amount due
    and the computation (`fees.interest.late_interest`), signed like the SKRD."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="interest_notices")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(_("STRD number"), max_length=60)
    months_charged = models.PositiveSmallIntegerField(_("months of interest"))
    principal = models.DecimalField(_("principal (Rp)"), **MONEY)
    interest = models.DecimalField(_("interest (Rp)"), **MONEY)
    total = models.DecimalField(_("amount due (Rp)"), **MONEY)
    total_in_words = models.CharField(_("amount due in words"), max_length=400)
    computation = models.JSONField(_("computation"), default=dict)
    issued_at = models.DateTimeField(_("issued at"))
    issued_on = models.DateField(_("date of issue"))
    pdf = models.FileField(_("signed STRD"), upload_to=PrivateUploadTo("strd"), blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("STRD (interest bill)")
        verbose_name_plural = _("STRDs (interest bills)")
        ordering = ["bill", "months_charged"]
        constraints = [
            models.UniqueConstraint(fields=["bill", "months_charged"], name="strd_once_per_month"),
            models.UniqueConstraint(
                fields=["region", "year", "sequence"], name="strd_sequence_once"
            ),
            models.CheckConstraint(
                condition=Q(months_charged__gte=1, interest__gte=0), name="strd_interest_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.number


# --- reconciliation with the bank's settlement file ----------------------------------------


class SettlementImport(models.Model):
    """A bank's settlement file (docs/fees.md §9) the region's treasurer imported, with what it
    found: every row of the file matched on bank + receipt number against our payments, and
    our payments of the file's days that the file does not have (`SettlementLine`)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    bank_id = models.CharField(_("bank"), max_length=40)
    file_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("until"))
    row_count = models.PositiveIntegerField(_("rows"))
    file_total = models.DecimalField(_("total in the file (Rp)"), **MONEY)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    differences = models.PositiveIntegerField(_("differences"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        verbose_name = _("settlement import")
        verbose_name_plural = _("settlement imports")
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "bank_id", "sha256"], name="settlement_file_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.bank_id} {self.first_day}–{self.last_day}"


class SettlementLine(models.Model):
    """One finding of an import: a row of the file (with its line number) and its match, or
    a payment of ours the file does not list (no line number)."""

    class Outcome(models.TextChoices):
        MATCHED = "matched", _("Matched")
        MISSING_HERE = "missing_here", _("Paid at the bank, not recorded here")
        MISSING_IN_FILE = "missing_in_file", _("Recorded here, not in the bank's file")
        AMOUNT_MISMATCH = "amount", _("Amounts differ")
        BILL_MISMATCH = "bill", _("Billing codes differ")

    settlement = models.ForeignKey(SettlementImport, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    settlement_date = models.DateField(null=True, blank=True)
    receipt_number = models.CharField(_("receipt number"), max_length=64)
    billing_code = models.CharField(_("billing code"), max_length=32, blank=True)
    amount = models.DecimalField(_("amount in the file (Rp)"), null=True, blank=True, **MONEY)
    paid_at = models.CharField(max_length=40, blank=True)
    channel = models.CharField(max_length=10, blank=True)
    bank_status = models.CharField(max_length=12, blank=True)
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_amount = models.DecimalField(
        _("amount recorded here (Rp)"), null=True, blank=True, **MONEY
    )
    # A `missing_here` finding the treasurer recorded from the file (fees.reconciliation).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded from the file at"), null=True, blank=True)

    class Meta:
        ordering = ["settlement", "line_number", "id"]

    def __str__(self) -> str:
        return f"{self.receipt_number}: {self.outcome}"

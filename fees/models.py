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
        _("legal basis"), max_length=300, help_text=_("e.g. Perda Kota Bontang No. 2 Tahun 2024.")
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

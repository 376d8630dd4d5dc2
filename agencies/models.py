from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ptsp.files import PrivateUploadTo

TIMEZONE_CHOICES = [
    ("Asia/Jakarta", _("WIB (UTC+7, Asia/Jakarta)")),
    ("Asia/Makassar", _("WITA (UTC+8, Asia/Makassar)")),
    ("Asia/Jayapura", _("WIT (UTC+9, Asia/Jayapura)")),
]
TIMEZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def timezone_abbreviation(zone: str) -> str:
    """What people call the region's time zone `zone` ("WITA"), the zone's name if it has none;
    "" for no zone. `Region.timezone_abbreviation`, and the pages that read plain rows."""
    return TIMEZONE_ABBREVIATIONS.get(zone, zone) if zone else ""


class Region(models.Model):
    """A pemda (kabupaten or kota): the tenant. Every agency, permit type and holiday belongs to one."""

    name = models.CharField(_("name"), max_length=120, help_text=_("e.g. Kota Bontang"))
    province = models.CharField(_("province"), max_length=120)
    code = models.CharField(
        _("code"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,8}$", _("2 to 8 capital letters, e.g. BTG."))],
        help_text=_("Short code used in tracking numbers, e.g. BTG."),
    )
    timezone = models.CharField(_("time zone"), max_length=32, choices=TIMEZONE_CHOICES)
    letterhead_text = models.TextField(
        _("letterhead text"), help_text=_("The lines of the kop surat, one per line.")
    )
    logo = models.FileField(_("logo"), upload_to=PrivateUploadTo("regions"), blank=True)
    service_start = models.TimeField(_("service hours start"), default=time(8, 0))
    service_end = models.TimeField(_("service hours end"), default=time(16, 0))
    # The region's identity on every page (issue 21 item 12): where the DPMPTSP is and how to
    # reach its helpdesk. Blank fields are left out of the footer.
    address = models.CharField(_("office address"), max_length=300, blank=True)
    helpdesk_phone = models.CharField(_("helpdesk phone"), max_length=30, blank=True)
    helpdesk_whatsapp = models.CharField(
        _("helpdesk WhatsApp"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^62[0-9]{8,13}$", _("Digits only, starting with 62."))],
        help_text=_("e.g. 6281234567890 (used for the wa.me link)."),
    )
    helpdesk_email = models.EmailField(_("helpdesk e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def timezone_abbreviation(self) -> str:
        return timezone_abbreviation(self.timezone)

    def clean(self):
        if self.service_start and self.service_end and self.service_start >= self.service_end:
            raise ValidationError({"service_end": _("Service hours must end after they start.")})


class Agency(models.Model):
    """A government office of a region: its DPMPTSP (the single door) or a technical OPD."""

    class Kind(models.TextChoices):
        DPMPTSP = "dpmptsp", _("DPMPTSP")
        OPD = "opd", _("OPD (technical agency)")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="agencies")
    code = models.CharField(
        _("code"),
        max_length=20,
        validators=[RegexValidator(r"^[A-Z0-9-]{2,20}$", _("Capital letters, digits and dashes."))],
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["region__name", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="agency_code_unique_in_region"),
            models.UniqueConstraint(
                fields=["region"],
                condition=models.Q(kind="dpmptsp"),
                name="one_dpmptsp_per_region",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.region.code})"


class Role(models.TextChoices):
    VERIFIER = "verifier", _("Front-office verifier")
    SIGNER = "signer", _("Signer")
    MONITOR = "monitor", _("Monitor")
    OFFICER = "officer", _("OPD officer")
    HEAD = "head", _("OPD head")
    # Bendahara penerimaan: DPMPTSP's treasurer of receipts, who confirms or refuses a proof of
    # payment of a levy (issue 17).
    TREASURER = "treasurer", _("Treasurer (bendahara penerimaan)")


DPMPTSP_ROLES = {Role.VERIFIER, Role.SIGNER, Role.MONITOR, Role.TREASURER}
OPD_ROLES = {Role.OFFICER, Role.HEAD}


class Membership(models.Model):
    """A staff member's role in one agency. A person may hold several roles."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.agency}"

    def clean(self):
        if not self.agency_id or not self.role:
            return
        if self.agency.kind == Agency.Kind.DPMPTSP and self.role not in DPMPTSP_ROLES:
            raise ValidationError(
                {"role": _("At the DPMPTSP the role must be verifier, signer or monitor.")}
            )
        if self.agency.kind == Agency.Kind.OPD and self.role not in OPD_ROLES:
            raise ValidationError({"role": _("At an OPD the role must be officer or head.")})


class RegionHoliday(models.Model):
    """A region's own day off or cuti bersama, on top of the national holidays."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Regional day off")
        CUTI_BERSAMA = "cuti_bersama", _("Cuti bersama")

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices, default=Kind.DAY_OFF)

    class Meta:
        verbose_name = _("regional holiday")
        verbose_name_plural = _("regional holidays")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "date"],
                name="holiday_unique_per_day",
                violation_error_message=_(
                    "This region already has a day off on this date; change that entry instead."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class WorkingDay(models.Model):
    """Every calendar date of a region with `ordinal` = the number of working days from the
    region's epoch up to and including that date. Working days between two dates are then a
    subtraction, so the dashboards count them in one aggregate query. Kept in step with
    RegionHoliday by signals (agencies.signals) and `working_days_sync`. The table keeps its
    first name (the model moved from `monitoring`, issue 15)."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    ordinal = models.IntegerField()
    is_working = models.BooleanField()

    class Meta:
        db_table = "monitoring_workingday"
        constraints = [models.UniqueConstraint(fields=["region", "date"], name="working_day_once")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.date} #{self.ordinal}"


POWER_ROLES = {Role.SIGNER, Role.MONITOR}


class PowerGrant(models.Model):
    """A request to give someone a power role (signer or monitor) of an agency, which a second
    person must approve: a platform admin or another monitor of the region, never the one who
    asked nor the one who would get it (four eyes). Every step is written to PowerGrantLog,
    which the database keeps append-only. Changed only by agencies.grants.power_grant_*."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="power_grants",
        verbose_name=_("person"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="power_grants", verbose_name=_("agency")
    )
    role = models.CharField(
        _("role"),
        max_length=10,
        choices=[(Role.SIGNER, Role.SIGNER.label), (Role.MONITOR, Role.MONITOR.label)],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("power role grant")
        verbose_name_plural = _("power role grants")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"],
                condition=models.Q(status="pending"),
                name="one_pending_power_grant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} @ {self.agency} for {self.user} ({self.status})"


class PowerGrantLog(models.Model):
    """One step of a power grant (asked, approved, refused), who did it and when. Append-only:
    the database refuses UPDATE and DELETE (migration 0004)."""

    class Action(models.TextChoices):
        REQUESTED = "requested", _("requested")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    grant = models.ForeignKey(PowerGrant, on_delete=models.PROTECT, related_name="log")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=10)
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("power grant log entry")
        verbose_name_plural = _("power grant log")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.role} for {self.user_id}"

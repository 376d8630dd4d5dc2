from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ptsp.files import PrivateUploadTo


class Status(models.TextChoices):
    """Application lifecycle; the allowed moves are the table in `applications.workflow`."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for completion")
    IN_REVIEW = "in_review", _("In technical review")
    REVISION_REQUESTED = "revision_requested", _("Revision requested")
    REJECTION_PROPOSED = "rejection_proposed", _("Rejection awaiting confirmation")
    RECOMMENDED = "recommended", _("Recommended, awaiting signature")
    ISSUING = "issuing", _("Being issued")
    ISSUED = "issued", _("Issued")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = [
    Status.SUBMITTED,
    Status.RETURNED,
    Status.IN_REVIEW,
    Status.REVISION_REQUESTED,
    Status.REJECTION_PROPOSED,
    Status.RECOMMENDED,
    Status.ISSUING,
]
FINAL_STATUSES = [Status.ISSUED, Status.REJECTED, Status.WITHDRAWN]

nib_validator = RegexValidator(r"^\d{13}$", _("NIB must be exactly 13 digits."), code="nib_format")
kbli_validator = RegexValidator(
    r"^\d{5}$", _("KBLI code must be exactly 5 digits."), code="kbli_format"
)


class Application(models.Model):
    """A berkas: one applicant's request for one permit type, under one catalog version."""

    tracking_number = models.CharField(
        _("tracking number"), max_length=32, unique=True, null=True, blank=True
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    region = models.ForeignKey(
        "agencies.Region", on_delete=models.PROTECT, related_name="applications"
    )
    permit_type = models.ForeignKey(
        "permits.PermitType", on_delete=models.PROTECT, related_name="applications"
    )
    catalog_version = models.ForeignKey(
        "permits.PermitTypeVersion", on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )

    business_name = models.CharField(_("business name"), max_length=200, blank=True)
    nib = models.CharField(_("NIB"), max_length=13, blank=True, validators=[nib_validator])
    kbli = models.CharField(_("KBLI code"), max_length=5, blank=True, validators=[kbli_validator])
    address = models.CharField(_("address"), max_length=300, blank=True)
    kelurahan = models.CharField(_("kelurahan/desa"), max_length=100, blank=True)
    kecamatan = models.CharField(_("kecamatan"), max_length=100, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    form_data = models.JSONField(_("permit-specific data"), default=dict, blank=True)

    # The DPMPTSP stage clock (intake, issuance); OPD stages keep theirs on agencies.Review.
    due_at = models.DateTimeField(_("current stage due"), null=True, blank=True)

    renewal_of = models.ForeignKey(
        "permits.Permit", on_delete=models.SET_NULL, null=True, blank=True, related_name="renewals"
    )
    withdraw_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [
            models.Index(fields=["applicant", "-created_at"], name="app_applicant_idx"),
            models.Index(fields=["region", "status", "submitted_at"], name="app_queue_idx"),
            models.Index(
                fields=["due_at"],
                name="app_open_due_idx",
                condition=models.Q(status__in=["submitted", "recommended"]),
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number or f"draft #{self.pk}"

    @property
    def is_editable(self) -> bool:
        return self.status == Status.DRAFT


class TrackingCounter(models.Model):
    """The last tracking sequence per region and year (`BTG-2026-000123`), taken under a row lock."""

    region = models.ForeignKey("agencies.Region", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="tracking_counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.region_id}/{self.year}: {self.last_value}"


class Document(models.Model):
    """An uploaded file for one requirement. Replacing it adds a version; old versions stay."""

    class Verdict(models.TextChoices):
        PENDING = "pending", _("Not yet checked")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    requirement_code = models.CharField(max_length=40)
    version = models.PositiveSmallIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    file = models.FileField(upload_to=PrivateUploadTo("documents"))
    original_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    verdict = models.CharField(max_length=10, choices=Verdict.choices, default=Verdict.PENDING)
    verdict_note = models.TextField(blank=True)
    # What the virus scanner said at upload (security.scanning): "clean" or "not scanned" when
    # no scanner is configured. Infected files are refused and never stored.
    scan_result = models.CharField(
        max_length=12,
        choices=[
            ("clean", _("clean")),
            ("infected", _("infected")),
            ("not scanned", _("not scanned")),
        ],
        default="not scanned",
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["requirement_code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "requirement_code"],
                condition=models.Q(is_current=True),
                name="one_current_document_per_requirement",
            )
        ]

    def __str__(self) -> str:
        return f"{self.requirement_code} v{self.version}"


class Event(models.Model):
    """The append-only event log: every hand-over of an application. The database refuses
    updates and deletes (see the migration that installs the trigger)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="events")
    review = models.ForeignKey(
        "agencies.Review", on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["application", "at"], name="event_app_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class Notification(models.Model):
    """An in-app notice to one person, written in their language; e-mailed by a task."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The e-mail is claimed (committed) before it is sent and marked sent after: a retry or a
    # "run again" never sends a second copy (applications.tasks.send_notification_email).
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                name="notification_unread_idx",
                condition=models.Q(read_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.subject

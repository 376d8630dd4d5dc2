from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Coalesce
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
    AWAITING_PAYMENT = "awaiting_payment", _("Recommended, waiting for the levy payment")
    RECOMMENDED = "recommended", _("Recommended, awaiting signature")
    ISSUING = "issuing", _("Being issued")
    ISSUED = "issued", _("Issued")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # The applicant did not answer within the correction period (issue 18 part B): final.
    LAPSED = "lapsed", _("Lapsed: not corrected in time")


OPEN_STATUSES = [
    Status.SUBMITTED,
    Status.RETURNED,
    Status.IN_REVIEW,
    Status.REVISION_REQUESTED,
    Status.REJECTION_PROPOSED,
    Status.AWAITING_PAYMENT,
    Status.RECOMMENDED,
    Status.ISSUING,
]
FINAL_STATUSES = [Status.ISSUED, Status.REJECTED, Status.WITHDRAWN, Status.LAPSED]


class LegalState(models.TextChoices):
    """Where a file's legal decision deadline stands (issue 18)."""

    NONE = "", _("none")
    RUNNING = "running", _("running")
    PAUSED = "paused", _("stopped: waiting for the applicant")
    MET = "met", _("decided within the legal deadline")
    LATE = "late", _("decided after the legal deadline")
    DEEMED = "deemed", _("deemed approved by law")
    PASSED = "passed", _("passed (no deemed approval for this type)")
    ENDED = "ended", _("ended without a decision")


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
        "catalog.PermitType", on_delete=models.PROTECT, related_name="applications"
    )
    catalog_version = models.ForeignKey(
        "catalog.PermitTypeVersion", on_delete=models.PROTECT, related_name="applications"
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
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    form_data = models.JSONField(_("permit-specific data"), default=dict, blank=True)

    # The DPMPTSP stage clock (intake, issuance); OPD stages keep theirs on Review.
    due_at = models.DateTimeField(_("current stage due"), null=True, blank=True)

    # The legal decision deadline (issue 18, applications/sla/legal.py): from the complete file
    # (accept) to the signer's act, stopped while the file waits for the applicant.
    legal_state = models.CharField(
        _("legal deadline"), max_length=10, choices=LegalState.choices, blank=True, default=""
    )
    legal_due_at = models.DateTimeField(_("legal deadline"), null=True, blank=True)
    legal_started_at = models.DateTimeField(null=True, blank=True)
    legal_days_left = models.PositiveSmallIntegerField(null=True, blank=True)
    deemed_at = models.DateTimeField(_("deemed approved at"), null=True, blank=True)
    # The signer's act that ended the legal clock (met or late), for the monthly report.
    legal_decided_at = models.DateTimeField(null=True, blank=True)
    # When the guard next owes this clock something (a warning, the deemed approval); None: look
    # now. Keeps the steady sweep from re-reading the clocks already warned (benchmarks/sla.py).
    legal_next_at = models.DateTimeField(null=True, blank=True)
    # The document check's legal deadline (issue 18; the catalog's `legal_intake_days`): from
    # the submission to the DPMPTSP's acceptance, stopped while the file is returned. Warned
    # about; never deemed (the decision's clock starts from the complete file).
    legal_intake_due_at = models.DateTimeField(
        _("legal deadline of the document check"), null=True, blank=True
    )
    legal_intake_started_at = models.DateTimeField(null=True, blank=True)
    legal_intake_days_left = models.PositiveSmallIntegerField(null=True, blank=True)

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
            # The sweep's legal guard reads only running legal clocks near their deadline.
            models.Index(
                fields=["legal_due_at"],
                name="app_legal_due_idx",
                condition=models.Q(legal_state="running"),
            ),
            # The guard's warnings on the document check's legal deadline (issue 18).
            models.Index(
                fields=["legal_intake_due_at"],
                name="app_legal_intake_due_idx",
                condition=models.Q(status="submitted"),
            ),
            models.Index(
                fields=["region", "deemed_at"],
                name="app_deemed_idx",
                condition=models.Q(deemed_at__isnull=False),
            ),
            # The legal report's days not yet summarised (today) and the summary's refresh:
            # the files decided (or deemed approved) in a time range, per region.
            models.Index(
                models.F("region"),
                Coalesce("legal_decided_at", "deemed_at"),
                name="app_legal_closed_idx",
                condition=models.Q(legal_state__in=["met", "late", "deemed"]),
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
        "applications.Review",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=40)
    # 30: a review status such as "awaiting_head_approval" (issue 18).
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, blank=True)
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


class ReviewStatus(models.TextChoices):
    IN_REVIEW = "in_review", _("In review")
    REVISION_REQUESTED = "revision_requested", _("Revision requested")
    RECOMMENDED = "recommended", _("Recommended")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    # The officer recommended; the agency head's approval is needed before it counts (issue 18).
    AWAITING_HEAD_APPROVAL = "awaiting_head_approval", _("Awaiting the head's approval")
    # The file was deemed approved by law (fiktif positif) while this review was still open: it
    # ends without the OPD's decision, at the legal moment (issue 18, applications.sla.legal).
    CLOSED_DEEMED = "closed_deemed", _("Closed: deemed approved by law")


class Review(models.Model):
    """One OPD's technical recommendation (rekomendasi teknis) on one application.

    Made by the routing task, one per agency in the permit type's route. Changed only through
    the workflow services in `applications.workflow`. The tables keep their first names (the
    models moved from `agencies`, issue 15).
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="reviews")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_reviews",
    )
    status = models.CharField(
        _("status"), max_length=30, choices=ReviewStatus.choices, default=ReviewStatus.IN_REVIEW
    )
    budget_days = models.PositiveSmallIntegerField(_("budget (working days)"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    # The route's stage this review belongs to (issue 18); 1 for a one-stage route.
    stage = models.PositiveSmallIntegerField(_("stage"), default=1)
    # Copied from the route step as filed: does a recommendation need the head's approval?
    needs_head_approval = models.BooleanField(default=False)
    head_budget_days = models.PositiveSmallIntegerField(
        _("head's approval budget (working days)"), null=True, blank=True
    )
    head_due_at = models.DateTimeField(_("head's approval due"), null=True, blank=True)
    # The head's note when a recommendation was sent back (the officer reads it and decides again).
    head_note = models.TextField(_("head's note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reasons = models.TextField(_("reasons"), blank=True)
    revision_items = models.JSONField(_("revision requests"), default=list, blank=True)
    letter = models.FileField(
        _("recommendation letter"), upload_to=PrivateUploadTo("letters"), blank=True
    )

    class Meta:
        db_table = "agencies_review"
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(fields=["application", "agency"], name="one_review_per_agency")
        ]
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"], name="review_inbox_idx"),
            models.Index(fields=["agency", "status", "due_at"], name="review_agency_idx"),
            models.Index(
                fields=["due_at"],
                name="review_open_due_idx",
                condition=models.Q(status="in_review"),
            ),
            # The sweep's reminders of the head's approval (issue 18).
            models.Index(
                fields=["head_due_at"],
                name="review_head_due_idx",
                condition=models.Q(status="awaiting_head_approval"),
            ),
            # The monitoring dashboard: reviews finished in a period, per agency.
            models.Index(
                fields=["agency", "decided_at"],
                name="review_decided_idx",
                condition=models.Q(decided_at__isnull=False),
                include=["due_at", "budget_days", "status"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency.code} review of {self.application_id}"


class Inspection(models.Model):
    """A field inspection (peninjauan lapangan) scheduled by an OPD officer; its report is the BAP."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="inspections")
    scheduled_for = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=300)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    result = models.TextField(_("result (berita acara)"), blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    # A scheduled inspection ends with a result or is cancelled with a reason; until then the
    # review cannot be decided (issue 21 item 8).
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        db_table = "agencies_inspection"
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["scheduled_for"]

    def __str__(self) -> str:
        return f"{self.place} @ {self.scheduled_for:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        """Scheduled, with neither a result nor a cancellation."""
        return self.recorded_at is None and self.cancelled_at is None


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=PrivateUploadTo("inspections"))
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "agencies_inspectionphoto"

    def __str__(self) -> str:
        return f"photo {self.pk} of inspection {self.inspection_id}"


# SLA bookkeeping: notices sent (exactly once per stage, deadline and level) and when the sweep
# must look again. Moved from `monitoring` (issue 15); the tables keep their names.


class SlaNotice(models.Model):
    """One SLA notice level sent for one stage clock and deadline. The unique constraint is the
    exactly-once guarantee: the row is written in the same transaction as the notifications, so
    a repeated, concurrent or crashed sweep can never send a level twice.

    `stage` is "review:<id>", "head:<review id>" (the head's approval), "intake:<application
    id>", "issuance:<application id>", "legal:<application id>" (the legal decision deadline)
    or "legal_intake:<application id>" (the document check's legal deadline). A new
    deadline (the clock ran again after the applicant answered) is a new clock, so it is part of
    the key."""

    class Level(models.TextChoices):
        REMINDER = "reminder", _("Reminder (due within one working day)")
        DUE_TODAY = "due_today", _("Due today")
        OVERDUE = "overdue", _("Overdue: agency head")
        ESCALATION = "escalation", _("Badly overdue: DPMPTSP")
        # The legal guard (issue 18), stage "legal:<application id>".
        LEGAL_3 = "legal_3", _("Legal deadline in 3 working days")
        LEGAL_1 = "legal_1", _("Legal deadline in 1 working day")

    stage = models.CharField(max_length=40)
    level = models.CharField(max_length=12, choices=Level.choices)
    due_at = models.DateTimeField()
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="sla_notices"
    )
    recipients = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "monitoring_slanotice"
        verbose_name = _("SLA notice")
        verbose_name_plural = _("SLA notices")
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "level", "due_at"], name="sla_notice_once_per_level"
            )
        ]

    def __str__(self) -> str:
        return f"{self.stage} {self.level}"


class SlaWatch(models.Model):
    """When the sweep must look at a stage clock again: the time its next notice level falls
    due (None: every level sent). An optimisation only: the sweep skips stages whose watch
    says "not yet" for the same deadline, so that it reads only stages that owe something.
    Exactly-once still rests on SlaNotice."""

    stage = models.CharField(max_length=40, unique=True)
    due_at = models.DateTimeField()
    next_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "monitoring_slawatch"

    def __str__(self) -> str:
        return f"{self.stage} next {self.next_at}"


# The applicant's correction period (issue 18 part B; applications.sla.corrections).


class CorrectionPeriod(models.Model):
    """The working days an applicant has to answer a return at intake (`stage` intake) or one
    OPD's revision request (`stage` review, with its review): the deadline, the two reminders
    (halfway, one working day before) and how it ended. One open period per file and review.

    The sweep reads only open periods whose `next_at` has come (partial index); each reminder
    and the end happen once: the row is locked and its `*_sent_at` / `closed_at` written in
    the same transaction as the notifications and the status change."""

    class Stage(models.TextChoices):
        INTAKE = "intake", _("Return at intake")
        REVIEW = "review", _("Revision requested by an OPD")

    class Outcome(models.TextChoices):
        ANSWERED = "answered", _("Answered in time")
        LAPSED = "lapsed", _("Lapsed")
        BACK_TO_OFFICE = "back_to_office", _("Back to the OPD unanswered")
        CLOSED = "closed", _("Closed (the file ended otherwise)")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="correction_periods"
    )
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, null=True, blank=True, related_name="correction_periods"
    )
    stage = models.CharField(max_length=10, choices=Stage.choices)
    started_at = models.DateTimeField()
    days = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    due_at = models.DateTimeField(_("correction due"))
    end_policy = models.CharField(max_length=20)
    # OSS 43 (re-confirmation): when answered, the OPD's clock restarts from zero (full budget)
    # instead of resuming with the days it had left (41/42).
    restart = models.BooleanField(default=False)
    halfway_at = models.DateTimeField(null=True, blank=True)
    day_before_at = models.DateTimeField(null=True, blank=True)
    halfway_sent_at = models.DateTimeField(null=True, blank=True)
    day_before_sent_at = models.DateTimeField(null=True, blank=True)
    next_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)

    class Meta:
        verbose_name = _("correction period")
        verbose_name_plural = _("correction periods")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "stage", "review"],
                condition=models.Q(closed_at__isnull=True),
                nulls_distinct=False,
                name="one_open_correction_period",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_at"],
                name="correction_due_idx",
                condition=models.Q(closed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stage} correction of {self.application_id} due {self.due_at}"

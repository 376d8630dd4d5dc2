"""SLA bookkeeping: notices sent (exactly once per stage, deadline and level), the working-day
ordinals that let PostgreSQL count working days, and the satisfaction survey (SKM)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class SlaNotice(models.Model):
    """One SLA notice level sent for one stage clock and deadline. The unique constraint is the
    exactly-once guarantee: the row is written in the same transaction as the notifications, so
    a repeated, concurrent or crashed sweep can never send a level twice.

    `stage` is "review:<id>", "intake:<application id>" or "issuance:<application id>". A new
    deadline (the clock ran again after the applicant answered) is a new clock, so it is part of
    the key."""

    class Level(models.TextChoices):
        REMINDER = "reminder", _("Reminder (due within one working day)")
        DUE_TODAY = "due_today", _("Due today")
        OVERDUE = "overdue", _("Overdue: agency head")
        ESCALATION = "escalation", _("Badly overdue: DPMPTSP")

    stage = models.CharField(max_length=40)
    level = models.CharField(max_length=12, choices=Level.choices)
    due_at = models.DateTimeField()
    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="sla_notices"
    )
    recipients = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
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

    def __str__(self) -> str:
        return f"{self.stage} next {self.next_at}"


class WorkingDay(models.Model):
    """Every calendar date of a region with `ordinal` = the number of working days from the
    region's epoch up to and including that date. Working days between two dates are then a
    subtraction, so the dashboards count them in one aggregate query. Kept in step with
    RegionHoliday by signals (monitoring.signals) and `working_days_sync`."""

    region = models.ForeignKey("agencies.Region", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    ordinal = models.IntegerField()
    is_working = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "date"], name="working_day_once")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.date} #{self.ordinal}"


SKM_ELEMENTS = [
    ("u1_requirements", _("Requirements")),
    ("u2_procedure", _("Procedure")),
    ("u3_time", _("Completion time")),
    ("u4_fee", _("Fee")),
    ("u5_product", _("Service product")),
    ("u6_competence", _("Staff competence")),
    ("u7_behaviour", _("Staff behaviour")),
    ("u8_complaints", _("Complaint handling")),
    ("u9_facilities", _("Facilities")),
]


def _score(label):
    return models.PositiveSmallIntegerField(
        label, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )


class SurveyResponse(models.Model):
    """A Survei Kepuasan Masyarakat answer (PermenPANRB 14/2017): the nine elements on a 1-4
    scale and an optional comment; one per application, by its applicant, after issuance."""

    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="survey"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    u1_requirements = _score(_("Requirements"))
    u2_procedure = _score(_("Procedure"))
    u3_time = _score(_("Completion time"))
    u4_fee = _score(_("Fee"))
    u5_product = _score(_("Service product"))
    u6_competence = _score(_("Staff competence"))
    u7_behaviour = _score(_("Staff behaviour"))
    u8_complaints = _score(_("Complaint handling"))
    u9_facilities = _score(_("Facilities"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("satisfaction survey answer")
        verbose_name_plural = _("satisfaction survey answers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    **{f"{name}__gte": 1 for name, _label in SKM_ELEMENTS},
                    **{f"{name}__lte": 4 for name, _label in SKM_ELEMENTS},
                ),
                name="survey_scores_1_to_4",
            )
        ]

    def __str__(self) -> str:
        return f"SKM {self.application_id}"

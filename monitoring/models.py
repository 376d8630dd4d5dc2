"""The satisfaction survey (SKM). The SLA bookkeeping (SlaNotice, SlaWatch) is in
`applications.models`, the working-day ordinals (WorkingDay) in `agencies.models`."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

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


class ReviewDay(models.Model):
    """The dashboard's daily summary of finished reviews: per OPD, per day of decision (in the
    region's time zone) and per number of working days used, how many reviews were finished,
    how many by their due time and the sum of their budgets. Kept by
    `monitoring.summary.review_days_refresh` (Celery beat) for the days before today; the
    dashboard adds the days not yet summarised from `agencies_review` itself, so its figures
    are the same as counting every review (issue 20: one year at a million files)."""

    region = models.ForeignKey("agencies.Region", on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    used_days = models.IntegerField()
    finished = models.PositiveIntegerField()
    on_time = models.PositiveIntegerField()
    budget_sum = models.PositiveBigIntegerField()

    class Meta:
        verbose_name = _("daily review summary")
        verbose_name_plural = _("daily review summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "day", "used_days"], name="reviewday_agency_day_used"
            )
        ]
        indexes = [models.Index(fields=["region", "day"], name="reviewday_region_day_idx")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day} {self.used_days}: {self.finished}"


class LegalDay(models.Model):
    """The dashboard's daily summary of legal decisions (issue 20, for the issue 18 report):
    per region of the file, OPD reviewing it and local day of its legal decision (the
    signer's act, `legal_decided_at`) or deemed approval (`deemed_at`), the files decided,
    those within the legal deadline, those whose review at the OPD was decided within its
    internal budget, and the deemed approvals the OPD left undecided. Kept with `ReviewDay`
    under the same `SummaryState` (`monitoring.summary`); the report adds the days after it
    from the tables themselves."""

    region = models.ForeignKey("agencies.Region", on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    decided = models.PositiveIntegerField()
    within_legal = models.PositiveIntegerField()
    within_internal = models.PositiveIntegerField()
    deemed = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("daily legal-deadline summary")
        verbose_name_plural = _("daily legal-deadline summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "day", "agency"], name="legalday_region_day_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}: {self.decided}"


class SummaryState(models.Model):
    """Up to which day (included, in the region's time zone) `ReviewDay` and `LegalDay` are
    complete."""

    region = models.OneToOneField(
        "agencies.Region", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    through = models.DateField()
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("daily summary state")
        verbose_name_plural = _("daily summary states")

    def __str__(self) -> str:
        return f"{self.region_id} through {self.through}"

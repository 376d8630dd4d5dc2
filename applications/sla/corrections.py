"""The applicant's correction period (issue 18 part B; docs/corrections.md).

When the front office returns a file (stage "intake") or an OPD asks for a revision (stage
"review"), the applicant has N working days (the catalog version's `correction_intake_days` /
`correction_review_days`, `catalog.services.correction_period_of`), counted on the region's
calendar (`ptsp.workdays`, the same convention as every SLA clock: the day of the return does
not count; the period ends at the close of service hours of day N). One `CorrectionPeriod` row
per return or request holds the deadline and its two reminders:
- halfway: from the close of service of day N // 2 (periods of 3 days or more);
- one day before: from the start of the last working day before the deadline's day.
A sweep that runs late sends only the reminder still true now (one day before, not both), and
none once the deadline has passed.

At the deadline (the first sweep after it): the file lapses (status `lapsed`, final; the open
reviews are closed without a decision), or — for an OPD's request, where the type says
`back_to_office` — the review goes back to the OPD with its clock running again. The applicant
is told, the event is written. An answer up to the deadline (inclusive) is accepted; after it,
refused with the deadline in the message, whether the sweep has run or not.

OSS (oss.mapping): the request stops the OPD's clock (41), the answer resumes it with the days
left (42); a request marked `restart` is a re-confirmation (43): on the answer the OPD's clock
restarts from zero with its whole budget (44). Back to the OPD unanswered resumes it (42); a
lapse closes the file (90).

Exactly once: each step locks the application, then the period row, and writes its
`*_sent_at` / `closed_at` in the same transaction as the notifications (which carry a dedupe
key) and the status change. Only due rows are read: open periods by `next_at` (partial index
`correction_due_idx`).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as dt_time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from applications.models import (
    Application,
    CorrectionPeriod,
    Review,
    ReviewStatus,
    Status,
)
from applications.services.notifications import notify
from applications.workflow import (
    Action,
    application_transition,
    review_transition,
    status_for_reviews,
)
from catalog.models import CorrectionEnd
from catalog.services import correction_period_of
from ptsp.errors import DomainError
from ptsp.workdays import Calendar

logger = logging.getLogger("ptsp.sla")

INTAKE = CorrectionPeriod.Stage.INTAKE
REVIEW = CorrectionPeriod.Stage.REVIEW
END_DELAY = timedelta(microseconds=1)  # the deadline itself is still in time


@dataclass
class CorrectionResult:
    periods: int = 0
    reminders: int = 0
    lapsed: int = 0
    back_to_office: int = 0
    closed: int = 0


def thresholds(calendar: Calendar, *, started_at: datetime, days: int, due_at: datetime) -> dict:
    """When each reminder of a period is owed (None: the period is too short for it)."""
    due_day = calendar.local(due_at).date()
    previous = due_day
    for _i in range(366):
        previous -= timedelta(days=1)
        if calendar.is_working_day(previous):
            break
    day_before = datetime.combine(previous, dt_time(0, 0), tzinfo=calendar.tz)
    if day_before <= started_at:
        day_before = None
    halfway = calendar.add_working_days(started_at, days // 2) if days >= 2 else None
    if halfway is not None and day_before is not None and halfway >= day_before:
        halfway = None
    if halfway is not None and day_before is None and halfway >= due_at:
        halfway = None
    return {"halfway": halfway, "day_before": day_before}


def _next_at(period: CorrectionPeriod) -> datetime:
    if period.day_before_sent_at is None and period.day_before_at is not None:
        if period.halfway_sent_at is None and period.halfway_at is not None:
            return period.halfway_at
        return period.day_before_at
    return period.due_at + END_DELAY


def local_due(instant: datetime | None, region) -> str:
    """A deadline in the region's own time, as shown to people ("05-12-2026 16:00 WITA")."""
    if instant is None:
        return ""
    local = timezone.localtime(instant, Calendar(region).tz)
    return f"{local:%d-%m-%Y %H:%M} {region.timezone_abbreviation}"


def correction_open(
    *, application: Application, stage: str, review: Review | None = None, restart: bool = False
) -> CorrectionPeriod:
    """Start the applicant's correction period for a return (`stage` intake) or one OPD's
    revision request (`stage` review, with `review`). Who calls: `intake.application_return`
    and `reviews.review_decide`, inside their transaction, after the transition. Closes an
    older open period of the same stage and review (answered). Raises DomainError when the
    catalog version sets a period under one working day (nothing is recorded)."""
    try:
        days, end = correction_period_of(application.catalog_version.snapshot, stage)
    except ValidationError as exc:
        raise DomainError(
            _("This permit type's correction period is wrongly configured: %(why)s")
            % {"why": " ".join(str(m) for m in exc.messages)},
            code="correction_config",
        ) from exc
    now = timezone.now()
    CorrectionPeriod.objects.filter(
        application=application, stage=stage, review=review, closed_at__isnull=True
    ).update(closed_at=now, outcome=CorrectionPeriod.Outcome.ANSWERED, next_at=None)
    calendar = Calendar(application.region)
    due_at = calendar.add_working_days(now, days)
    marks = thresholds(calendar, started_at=now, days=days, due_at=due_at)
    period = CorrectionPeriod(
        application=application,
        review=review,
        stage=stage,
        started_at=now,
        days=days,
        due_at=due_at,
        end_policy=end,
        restart=restart,
        halfway_at=marks["halfway"],
        day_before_at=marks["day_before"],
    )
    period.next_at = _next_at(period)
    period.save()
    return period


def correction_answer(
    *, application: Application, stage: str, review: Review | None = None
) -> CorrectionPeriod | None:
    """The applicant answers (resubmits a returned file, answers a revision request): close the
    open period as answered. Who calls: `intake.application_resubmit`,
    `revisions.revision_answer`, inside their transaction (the application locked) and before
    the transition. An answer at the deadline itself is in time; after it, DomainError (the
    sweep lapses the file, or sends it back). Returns the period (None: none was open, e.g. a
    file returned before issue 18)."""
    period = (
        CorrectionPeriod.objects.select_for_update(no_key=True)
        .filter(application=application, stage=stage, review=review, closed_at__isnull=True)
        .first()
    )
    if period is None:
        return None
    now = timezone.now()
    if now > period.due_at:
        raise DomainError(
            _(
                "The correction period ended on %(due)s: the file can no longer be corrected. "
                "It lapses (or goes back to the office), and you are told."
            )
            % {"due": local_due(period.due_at, application.region)},
            code="correction_late",
        )
    period.closed_at = now
    period.outcome = CorrectionPeriod.Outcome.ANSWERED
    period.next_at = None
    period.save(update_fields=["closed_at", "outcome", "next_at"])
    return period


# --- the sweep --------------------------------------------------------------------------------


def corrections_sweep(*, now: datetime | None = None, batch: int = 500) -> CorrectionResult:
    """Send the correction reminders owed now and end the periods whose deadline has passed,
    each once. Who calls: the periodic task `applications.tasks.corrections_sweep` (beat).
    Safe to run concurrently, repeatedly, late (a locked row is left to the other sweep)."""
    now = now or timezone.now()
    result = CorrectionResult()
    due = list(
        CorrectionPeriod.objects.filter(closed_at__isnull=True, next_at__lte=now)
        .order_by("next_at", "pk")
        .values_list("pk", "application_id")[:batch]
    )
    for pk, application_id in due:
        with transaction.atomic():
            application = (
                Application.objects.select_for_update(no_key=True, skip_locked=True)
                .select_related("region", "catalog_version")
                .filter(pk=application_id)
                .first()
            )
            if application is None:
                continue  # another sweep or a service holds it; the next sweep looks again
            period = (
                CorrectionPeriod.objects.select_for_update(no_key=True, of=("self",))
                .select_related("review__agency", "review__assignee")
                .filter(pk=pk, closed_at__isnull=True, next_at__lte=now)
                .first()
            )
            if period is None:
                continue
            result.periods += 1
            _advance(period, application, now, result)
    if result.periods:
        logger.info(
            "corrections sweep: periods=%s reminders=%s lapsed=%s back=%s closed=%s",
            result.periods,
            result.reminders,
            result.lapsed,
            result.back_to_office,
            result.closed,
        )
    return result


def _still_waiting(period: CorrectionPeriod, application: Application) -> bool:
    if period.stage == INTAKE:
        return application.status == Status.RETURNED
    return (
        application.status == Status.REVISION_REQUESTED
        and period.review is not None
        and period.review.status == ReviewStatus.REVISION_REQUESTED
    )


def _url(period: CorrectionPeriod, application: Application) -> str:
    if period.stage == REVIEW and period.review_id:
        return reverse("applications:revision", args=[application.pk, period.review_id])
    return reverse("applications:detail", args=[application.pk])


def _advance(period, application, now, result: CorrectionResult) -> None:
    if not _still_waiting(period, application):
        # Withdrawn, or the file moved on otherwise: nothing is owed any more.
        period.closed_at = now
        period.outcome = CorrectionPeriod.Outcome.CLOSED
        period.next_at = None
        period.save(update_fields=["closed_at", "outcome", "next_at"])
        result.closed += 1
        return
    if now > period.due_at:
        _end(period, application, now, result)
        return
    level = None
    day_before_owed = period.day_before_at is not None and period.day_before_at <= now
    halfway_owed = period.halfway_at is not None and period.halfway_at <= now
    if day_before_owed and period.day_before_sent_at is None:
        level = "day_before"
        period.day_before_sent_at = now
    elif not day_before_owed and halfway_owed and period.halfway_sent_at is None:
        level = "halfway"
        period.halfway_sent_at = now
    if level == "day_before" and period.halfway_sent_at is None:
        period.halfway_at = None  # the later reminder says it; the halfway one is not owed
    period.next_at = _next_at(period)
    period.save(update_fields=["day_before_sent_at", "halfway_sent_at", "halfway_at", "next_at"])
    if level is None:
        return
    calendar = Calendar(application.region)
    notify(
        recipients=[application.applicant],
        kind="correction_reminder",
        application=application,
        context={
            "due": local_due(period.due_at, application.region),
            "days_left": calendar.working_days_between(
                calendar.local(now).date(), calendar.local(period.due_at).date()
            ),
            "level": level,
            "agency": period.review.agency.name if period.review_id else "DPMPTSP",
        },
        url=_url(period, application),
        dedupe=f"correction:{period.pk}:{level}",
    )
    result.reminders += 1


def _end(period, application, now, result: CorrectionResult) -> None:
    data = {
        "stage": period.stage,
        "period": period.pk,
        "correction_due_at": period.due_at.isoformat(),
        "days": period.days,
    }
    due = local_due(period.due_at, application.region)
    # The event's note (what OSS's `keterangan` carries), in the office's language.
    with translation.override(settings.LANGUAGE_CODE):
        note = str(_("Correction period ended %(due)s without an answer.") % {"due": due})
    if period.stage == REVIEW and period.end_policy == CorrectionEnd.BACK_TO_OFFICE:
        _back_to_office(period, application, now, data, due, note)
        result.back_to_office += 1
        return
    application, event = application_transition(
        application_id=application.pk, action=Action.LAPSE, actor=None, data=data, note=note
    )
    for review in application.reviews.filter(
        status__in=[ReviewStatus.IN_REVIEW, ReviewStatus.REVISION_REQUESTED, ReviewStatus.REJECTED]
    ):
        review_transition(review_id=review.pk, action=Action.REVIEW_CANCEL, actor=None)
    CorrectionPeriod.objects.filter(application=application, closed_at__isnull=True).exclude(
        pk=period.pk
    ).update(closed_at=now, outcome=CorrectionPeriod.Outcome.CLOSED, next_at=None)
    application.closed_at = now
    application.due_at = None
    application.save(update_fields=["closed_at", "due_at", "updated_at"])
    period.closed_at = now
    period.outcome = CorrectionPeriod.Outcome.LAPSED
    period.next_at = None
    period.save(update_fields=["closed_at", "outcome", "next_at"])
    notify(
        recipients=[application.applicant],
        kind="correction_lapsed",
        application=application,
        context={"due": due},
        url=reverse("applications:detail", args=[application.pk]),
        dedupe=f"event:{event.pk}",
    )
    result.lapsed += 1


def _back_to_office(period, application, now, data, due, note) -> None:
    review, event = review_transition(
        review_id=period.review_id, action="correction_expired", actor=None, data=data, note=note
    )
    calendar = Calendar(application.region)
    if period.restart:
        left = review.budget_days  # OSS 43: the clock restarts from zero
    else:
        # OSS 42: the clock resumes with the days it had left when the request stopped it
        # (as `revisions.revision_answer` does for an answer).
        segment = (
            review.events.filter(
                action__in=[
                    "routed",
                    "review_answer_revision",
                    "review_send_back",
                    "review_correction_expired",
                ],
                at__lte=period.started_at,
            )
            .order_by("-at", "-id")
            .first()
        )
        left = calendar.days_left(
            start=segment.at if segment else period.started_at,
            paused_at=period.started_at,
            due_at=review.due_at,
        )
    review.due_at = calendar.add_working_days(now, left)
    review.save(update_fields=["due_at"])
    statuses = list(application.reviews.values_list("status", flat=True))
    if status_for_reviews(statuses) == Status.IN_REVIEW:
        application_transition(
            application_id=application.pk,
            action=Action.CORRECTION_EXPIRED,
            actor=None,
            review=review,
            data=data,
            note=note,
        )
    period.closed_at = now
    period.outcome = CorrectionPeriod.Outcome.BACK_TO_OFFICE
    period.next_at = None
    period.save(update_fields=["closed_at", "outcome", "next_at"])
    notify(
        recipients=[application.applicant, review.assignee],
        kind="correction_expired",
        application=application,
        context={"due": due, "agency": review.agency.name},
        url=reverse("applications:detail", args=[application.pk]),
        dedupe=f"event:{event.pk}",
    )


def corrections_backfill() -> int:
    """Give the files already waiting for the applicant when the correction period was deployed
    (returned, or with a revision request open, and no open period) their period, counted from
    now — nobody was told a deadline before, so none starts in the past. Who calls: the
    operator, once, through `manage.py corrections_backfill`. Safe to run again (a file with an
    open period is skipped). Returns how many periods it opened."""
    opened = 0
    returned = Application.objects.filter(status=Status.RETURNED).exclude(
        correction_periods__closed_at__isnull=True, correction_periods__stage=INTAKE
    )
    for application_id in returned.values_list("pk", flat=True):
        with transaction.atomic():
            application = (
                Application.objects.select_for_update(no_key=True)
                .select_related("region", "catalog_version")
                .get(pk=application_id)
            )
            if application.status == Status.RETURNED and not _has_open(application, None):
                correction_open(application=application, stage=INTAKE)
                opened += 1
    waiting = Review.objects.filter(
        status=ReviewStatus.REVISION_REQUESTED, application__status=Status.REVISION_REQUESTED
    )
    for review_id, application_id in waiting.values_list("pk", "application_id"):
        with transaction.atomic():
            application = (
                Application.objects.select_for_update(no_key=True)
                .select_related("region", "catalog_version")
                .get(pk=application_id)
            )
            review = Review.objects.get(pk=review_id)
            if review.status == ReviewStatus.REVISION_REQUESTED and not _has_open(
                application, review
            ):
                correction_open(application=application, stage=REVIEW, review=review)
                opened += 1
    return opened


def _has_open(application, review) -> bool:
    return CorrectionPeriod.objects.filter(
        application=application, review=review, closed_at__isnull=True
    ).exists()

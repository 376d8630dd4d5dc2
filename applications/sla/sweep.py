"""The SLA sweep: reminders and escalation for stage deadlines, each sent exactly once.

Levels for a stage with deadline D (the end of service hours of its last day), in the region's
calendar:
- reminder   (sla_reminder, to the assignee): D falls on the next working day;
- due_today  (sla_due_today, to the assignee): D falls today and has not passed;
- overdue    (sla_overdue, to the agency head): D has passed;
- escalation (sla_escalation, to the DPMPTSP monitors and signers): D passed 3+ working days ago.
The assignee gets at most the one reminder that is true now: a sweep that runs on D's day (a
short budget, a worker that was down) sends "due today" and never "due tomorrow" as well, and
after D neither (the head's "overdue" says it).
For the DPMPTSP's own stages the "assignee" is the verifiers (intake) or the signers
(issuance), and the "head" is the signers.

The agency head's approval of an officer's recommendation (issue 18; stage "head:<review id>",
deadline `Review.head_due_at`) is swept like any stage, with three levels: the reminder and
"due today" go to the agency's head(s) (head_approval_reminder / head_approval_due_today), and
once it is overdue the DPMPTSP's monitors are told (head_approval_overdue); from the 3rd working
day after its deadline the DPMPTSP's monitors and signers (head_approval_escalation), as for any
stage. Read in the same query as the open reviews (partial index `review_head_due_idx`).

Only due rows are read: open reviews by the partial index `review_open_due_idx`
(status in_review; a review waiting for the applicant has no running clock) and applications
at intake or issuance by `app_open_due_idx`, both bounded by the furthest reminder horizon.
Stages whose `SlaWatch` says nothing new is owed before later are left out in SQL.

Exactly once: each (stage, level, deadline) is one `SlaNotice` row under a unique
constraint, written in the same transaction as its notifications. A second or concurrent sweep
fails to insert it and sends nothing; a sweep that crashes rolls back both; a sweep that runs
late (worker down) sends every level now owed, once.
"""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as dt_time

from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from agencies.models import Region, Role
from applications.models import Application, Review, ReviewStatus, SlaNotice, SlaWatch, Status
from applications.services.notifications import notify
from applications.sla.legal import legal_guard
from applications.sla.people import staff_of as _staff
from ptsp.workdays import Calendar

logger = logging.getLogger("ptsp.sla")

LEVELS = ["reminder", "due_today", "overdue", "escalation"]
KINDS = {
    "reminder": "sla_reminder",
    "due_today": "sla_due_today",
    "overdue": "sla_overdue",
    "escalation": "sla_escalation",
}
# The head's approval (issue 18): the head is the assignee; overdue goes to the DPMPTSP's
# monitors, the escalation to its monitors and signers.
HEAD_LEVELS = LEVELS
HEAD_KINDS = {
    "reminder": "head_approval_reminder",
    "due_today": "head_approval_due_today",
    "overdue": "head_approval_overdue",
    "escalation": "head_approval_escalation",
}
ESCALATE_AFTER_DAYS = 3


@dataclass
class SweepResult:
    stages: int = 0
    notices: int = 0
    notifications: int = 0
    # The legal guard (issue 18, applications/sla/legal.py), counted apart.
    legal_notices: int = 0
    deemed: int = 0
    seconds: float = 0.0


def level_thresholds(calendar: Calendar, due_at: datetime) -> dict[str, datetime]:
    """The instant from which each level is owed for a deadline `due_at`."""
    due_day = calendar.local(due_at).date()
    previous = due_day
    for _ in range(366):
        previous -= timedelta(days=1)
        if calendar.is_working_day(previous):
            break
    third = due_day
    for _ in range(ESCALATE_AFTER_DAYS):
        third = calendar.next_working_day(third)

    def midnight(day):
        return datetime.combine(day, dt_time(0, 0), tzinfo=calendar.tz)

    return {
        "reminder": midnight(previous),
        "due_today": midnight(due_day),
        "overdue": due_at + timedelta(microseconds=1),
        "escalation": max(midnight(third), due_at + timedelta(microseconds=1)),
    }


def owed_levels(calendar: Calendar, due_at: datetime, now: datetime) -> list[str]:
    """The levels owed by `now` for a deadline `due_at`, lowest first."""
    thresholds = level_thresholds(calendar, due_at)
    return [level for level in LEVELS if thresholds[level] <= now]


def levels_to_send(calendar: Calendar, due_at: datetime, now: datetime) -> list[str]:
    """The levels owed by `now` that are still true now: of the assignee's two reminders only
    the latest, and none once D has passed."""
    owed = owed_levels(calendar, due_at, now)
    if "overdue" in owed:
        return [lv for lv in owed if lv not in ("reminder", "due_today")]
    if "due_today" in owed:
        return [lv for lv in owed if lv != "reminder"]
    return owed


def next_check(
    calendar: Calendar, due_at: datetime, now: datetime, levels=LEVELS
) -> datetime | None:
    """When the next of `levels` falls due after `now` (None: every level is owed already)."""
    later = [t for lv, t in level_thresholds(calendar, due_at).items() if t > now and lv in levels]
    return min(later) if later else None


def _horizon(calendars: dict[int, Calendar], now: datetime) -> datetime:
    """The latest deadline that can owe a reminder now, over all regions."""
    latest = now
    for calendar in calendars.values():
        tomorrow = calendar.next_working_day(calendar.local(now).date())
        latest = max(latest, calendar.end_of_service(tomorrow))
    return latest


def _needs_look(now, due_field="due_at"):
    """No watch says "nothing new before later" for this stage and deadline."""
    return ~Exists(
        SlaWatch.objects.filter(stage=OuterRef("stage_key"), due_at=OuterRef(due_field)).filter(
            Q(next_at__isnull=True) | Q(next_at__gt=now)
        )
    )


def _send(
    *, stage: str, level: str, due_at, application, recipients, context, url, kinds=KINDS
) -> int:
    """Write the notice row and its notifications in one transaction; 0 if already sent."""
    try:
        with transaction.atomic():
            notice = SlaNotice.objects.create(
                stage=stage, level=level, due_at=due_at, application=application
            )
            sent = notify(
                recipients=recipients,
                kind=kinds[level],
                application=application,
                context=context,
                url=url,
                dedupe=f"sla:{stage}:{level}:{due_at.timestamp():.0f}",
            )
            notice.recipients = len(sent)
            notice.save(update_fields=["recipients"])
    except IntegrityError:
        return -1  # another sweep sent it first
    return len(sent)


def sla_sweep(*, now: datetime | None = None) -> SweepResult:
    """Send every SLA notice owed now, exactly once. Who calls it: the periodic task
    `applications.tasks.sla_sweep` (Celery beat, registered as "agencies.tasks.sla_sweep").
    Safe to run concurrently, repeatedly, late."""
    started = time.monotonic()
    now = now or timezone.now()
    result = SweepResult()
    calendars = {r.pk: Calendar(r) for r in Region.objects.filter(is_active=True)}
    if not calendars:
        return result
    horizon = _horizon(calendars, now)

    # Open reviews and the head's approvals in one query (partial indexes
    # `review_open_due_idx` and `review_head_due_idx`, OR-ed by PostgreSQL).
    heading = Q(status=ReviewStatus.AWAITING_HEAD_APPROVAL)
    reviews = (
        Review.objects.filter(
            Q(status=ReviewStatus.IN_REVIEW, due_at__lte=horizon)
            | Q(heading, head_due_at__lte=horizon)
        )
        .annotate(
            stage_key=Concat(
                Case(When(heading, then=Value("head:")), default=Value("review:")),
                Cast("pk", CharField()),
            ),
            clock_due=Case(When(heading, then=F("head_due_at")), default=F("due_at")),
        )
        .filter(_needs_look(now, "clock_due"))
        .select_related("agency", "assignee", "application")
        .order_by("clock_due", "pk")
    )
    applications = (
        Application.objects.filter(
            status__in=[Status.SUBMITTED, Status.RECOMMENDED], due_at__lte=horizon
        )
        .annotate(
            stage_key=Concat(
                Case(
                    When(status=Status.SUBMITTED, then=Value("intake:")),
                    default=Value("issuance:"),
                ),
                Cast("pk", CharField()),
            )
        )
        .filter(_needs_look(now))
        .select_related("region")
        .order_by("due_at", "pk")
    )
    staff_cache: dict[tuple, list] = {}

    def staff(key, loader):
        if key not in staff_cache:
            staff_cache[key] = loader()
        return staff_cache[key]

    both = list(reviews)
    review_rows = [r for r in both if r.status == ReviewStatus.IN_REVIEW]
    head_rows = [r for r in both if r.status == ReviewStatus.AWAITING_HEAD_APPROVAL]
    app_rows = list(applications)
    stage_keys = [f"review:{r.pk}" for r in review_rows]
    stage_keys += [f"head:{r.pk}" for r in head_rows]
    stage_keys += [
        f"{'intake' if a.status == Status.SUBMITTED else 'issuance'}:{a.pk}" for a in app_rows
    ]
    already = set(
        SlaNotice.objects.filter(stage__in=stage_keys).values_list("stage", "level", "due_at")
    )

    watches: list[SlaWatch] = []

    def handle(
        stage, due_at, region_id, application, recipients_for, agency_name, url, *, head=False
    ):
        calendar = calendars.get(region_id)
        if calendar is None:
            return
        only = HEAD_LEVELS if head else LEVELS
        watches.append(
            SlaWatch(
                stage=stage, due_at=due_at, next_at=next_check(calendar, due_at, now, levels=only)
            )
        )
        levels = [
            lv
            for lv in levels_to_send(calendar, due_at, now)
            if lv in only and (stage, lv, due_at) not in already
        ]
        if not levels:
            return
        result.stages += 1
        local_due = timezone.localtime(due_at, calendar.tz).strftime("%d-%m-%Y %H:%M")
        context = {
            "due": f"{local_due} {calendar.region.timezone_abbreviation}",
            "agency": agency_name,
            "days": calendar.working_days_late(due_at, now),
        }
        for level in levels:
            n = _send(
                stage=stage,
                level=level,
                due_at=due_at,
                application=application,
                recipients=recipients_for(level),
                context=context,
                url=url(level) if callable(url) else url,
                kinds=HEAD_KINDS if head else KINDS,
            )
            if n >= 0:
                result.notices += 1
                result.notifications += n

    dpmptsp_roles = [Role.MONITOR, Role.SIGNER]
    for review in review_rows:
        app = review.application
        region_id = app.region_id

        def recipients_for(level, review=review, region_id=region_id):
            if level in ("reminder", "due_today"):
                return [review.assignee] if review.assignee else []
            if level == "overdue":
                return staff(
                    ("head", review.agency_id),
                    lambda: _staff(region_id, [Role.HEAD], review.agency_id),
                )
            return staff(("dpmptsp", region_id), lambda: _staff(region_id, dpmptsp_roles))

        handle(
            f"review:{review.pk}",
            review.due_at,
            region_id,
            app,
            recipients_for,
            review.agency.name,
            reverse("applications:review", args=[review.pk]),
        )
    for app in app_rows:
        kind = "intake" if app.status == Status.SUBMITTED else "issuance"
        region_id = app.region_id
        first = [Role.VERIFIER] if kind == "intake" else [Role.SIGNER]

        def recipients_for(level, region_id=region_id, first=first):
            if level in ("reminder", "due_today"):
                return staff(("dp", region_id, tuple(first)), lambda: _staff(region_id, first))
            if level == "overdue":
                return staff(
                    ("dp", region_id, (Role.SIGNER,)), lambda: _staff(region_id, [Role.SIGNER])
                )
            return staff(("dpmptsp", region_id), lambda: _staff(region_id, dpmptsp_roles))

        handle(
            f"{kind}:{app.pk}",
            app.due_at,
            region_id,
            app,
            recipients_for,
            "DPMPTSP",
            reverse("applications:intake_check", args=[app.pk])
            if kind == "intake"
            else reverse("permits:sign", args=[app.pk]),
        )
    for review in head_rows:
        region_id = review.application.region_id

        def head_recipients(level, review=review, region_id=region_id):
            if level in ("reminder", "due_today"):
                return staff(
                    ("head", review.agency_id),
                    lambda: _staff(region_id, [Role.HEAD], review.agency_id),
                )
            if level == "overdue":
                return staff(("monitor", region_id), lambda: _staff(region_id, [Role.MONITOR]))
            return staff(("dpmptsp", region_id), lambda: _staff(region_id, dpmptsp_roles))

        handle(
            f"head:{review.pk}",
            review.head_due_at,
            region_id,
            review.application,
            head_recipients,
            review.agency.name,
            # The head opens the review; a monitor the file's monitoring page.
            lambda level, review=review: (
                reverse("monitoring:file", args=[review.application_id])
                if level in ("overdue", "escalation")
                else reverse("applications:review", args=[review.pk])
            ),
            head=True,
        )
    if watches:
        SlaWatch.objects.bulk_create(
            watches,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["stage"],
            update_fields=["due_at", "next_at"],
        )
    guard = legal_guard(now=now, calendars=calendars)
    result.legal_notices, result.deemed = guard.notices, guard.deemed
    result.seconds = time.monotonic() - started
    logger.info(
        "sla sweep: stages=%s notices=%s notifications=%s legal=%s deemed=%s in %.3fs",
        result.stages,
        result.notices,
        result.notifications,
        result.legal_notices,
        result.deemed,
        result.seconds,
    )
    return result

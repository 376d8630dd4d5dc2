"""The legal decision deadline and the fiktif-positif guard (issue 18).

UU 30/2014 art. 53 (as amended): an application that gets no decision within its deadline - the
sectoral one, or 5 working days after a complete file - is deemed granted by law. The catalog
version says how long (`catalog.legal.legal_of`: "decision_days", its legal basis and the type's
policy); this module keeps each file's clock and acts on it.

The clock (fields on `Application`: legal_state, legal_due_at, legal_started_at,
legal_days_left, deemed_at) follows the event log, in the transaction of each event
(`legal_follow_event`, a receiver of `applications.signals.event_recorded`):
- `accept` (the file is complete) starts it: deadline = `decision_days` working days on the
  region's calendar (ptsp.workdays, the same counting as every SLA clock);
- the file waiting for the applicant (`request_revision`, `await_payment`) stops it with the
  days left; the answer (`answer_revision`, `payment_confirmed`) is a new receipt with those
  days (OSS's 41/42 meaning);
- the signer's act (`start_issuance`, `confirm_rejection`) ends it: *met* when made by the
  deadline, else *late* (a `decided_late` event: recorded, not undone);
- a file that closes otherwise (withdrawn, lapsed) ends it.

The guard (`legal_guard`, called by the SLA sweep) reads only running clocks whose deadline
falls within three working days (partial index `app_legal_due_idx`) and:
- warns the officers of the open reviews, their agency heads and the DPMPTSP (monitors and
  signers) from the start of the 3rd and of the 1st working day before the deadline's day - each
  once (`SlaNotice` "legal:<id>", levels legal_3 / legal_1, unique with the deadline; a sweep
  that runs late sends only the one still true);
- once the deadline has passed without a decision, and the type's policy has deemed approval,
  takes the workflow's `deem_approve` (system): the file goes to the signer as a deemed
  approval, the event carries the legal basis and the deadline (the legal moment; `deemed_at`
  is the deadline, not the sweep's time), OSS hears 57 (oss.mapping); every review still open
  ends as `closed_deemed` at the legal moment (one event each; later stages never open); under
  the `auto` policy `permits.tasks.issue_deemed_permit` is enqueued. The row lock and the
  state make it happen once, however often or late the sweep runs.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as dt_time

from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef, Prefetch, Q, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from agencies.models import Region, Role
from applications.models import (
    FINAL_STATUSES,
    Application,
    CorrectionPeriod,
    LegalState,
    Review,
    ReviewStatus,
    SlaNotice,
    SlaWatch,
    Status,
)
from applications.services.notifications import notify
from applications.signals import event_recorded
from applications.sla.people import staff_of
from applications.workflow import (
    Action,
    application_transition,
    record_event,
    review_transition,
)
from catalog.legal import legal_of
from catalog.services import route_stages
from outbox.services import enqueue
from ptsp.workdays import Calendar

logger = logging.getLogger("ptsp.sla")

WARN_DAYS = (3, 1)
# The `auto` policy's issuance (permits.tasks, named: this app sits below permits).
DEEMED_ISSUE_TASK = "permits.tasks.issue_deemed_permit"
START = {Action.ACCEPT}
PAUSE = {Action.REQUEST_REVISION, Action.AWAIT_PAYMENT}
RESUME = {Action.ANSWER_REVISION, Action.PAYMENT_CONFIRMED}
DECIDE = {Action.START_ISSUANCE, Action.CONFIRM_REJECTION}
# The reviews a deemed approval ends (`close_deemed`): every one still with its agency.
OPEN_REVIEW_STATUSES = [
    ReviewStatus.IN_REVIEW,
    ReviewStatus.REVISION_REQUESTED,
    ReviewStatus.AWAITING_HEAD_APPROVAL,
]
# The statuses a deemed approval may move (the workflow's `deem_approve` sources).
DEEMABLE = {Status.IN_REVIEW, Status.REJECTION_PROPOSED, Status.RECOMMENDED}
FIELDS = ["legal_state", "legal_due_at", "legal_started_at", "legal_days_left", "deemed_at"]


def _save(application: Application, **values) -> None:
    """Set the legal fields on the instance the caller holds and in the row (locked by the
    transition that wrote the event), without touching any other field."""
    for name, value in values.items():
        setattr(application, name, value)
    Application.objects.filter(pk=application.pk).update(**values)


def _legal(application: Application) -> dict | None:
    version = application.catalog_version
    return legal_of(version.snapshot) if version is not None else None


def _intake_follow_event(event) -> None:
    """The document check's legal clock (`legal_intake_days`): from the submission to the
    acceptance, stopped while the file is returned; an acceptance after it records
    `intake_late` (no deemed approval at intake: the file is not complete yet)."""
    action = event.action
    application = event.application
    if action == Action.SUBMIT:
        legal = _legal(application)
        if not legal or not legal.get("intake_days"):
            return
        _save(
            application,
            legal_intake_started_at=event.at,
            legal_intake_due_at=Calendar(application.region).add_working_days(
                event.at, legal["intake_days"]
            ),
            legal_intake_days_left=None,
        )
    elif action == Action.RETURN and application.legal_intake_due_at:
        left = Calendar(application.region).days_left(
            start=application.legal_intake_started_at or event.at,
            paused_at=event.at,
            due_at=application.legal_intake_due_at,
        )
        _save(application, legal_intake_days_left=left, legal_intake_due_at=None)
    elif action == Action.RESUBMIT and application.legal_intake_days_left:
        _save(
            application,
            legal_intake_started_at=event.at,
            legal_intake_due_at=Calendar(application.region).add_working_days(
                event.at, application.legal_intake_days_left
            ),
            legal_intake_days_left=None,
        )
    elif action == Action.ACCEPT and application.legal_intake_due_at:
        deadline = application.legal_intake_due_at
        if event.at > deadline:
            record_event(
                application=application,
                actor=event.actor,
                action=Action.INTAKE_LATE,
                data={
                    "legal_intake_deadline": deadline.isoformat(),
                    "working_days_late": Calendar(application.region).working_days_late(
                        deadline, event.at
                    ),
                },
            )


INTAKE_ACTIONS = {Action.SUBMIT, Action.RETURN, Action.RESUBMIT, Action.ACCEPT}


def legal_follow_event(sender, event, **kwargs) -> None:
    """Receiver of `event_recorded`: move the file's legal clock (see the module's docstring)."""
    action = event.action
    if str(action).startswith("review_"):
        return  # a review's own move; the application's follows as its own event
    if action in INTAKE_ACTIONS:
        _intake_follow_event(event)
    if action not in START | PAUSE | RESUME | DECIDE and event.to_status not in FINAL_STATUSES:
        return
    application = event.application
    state = application.legal_state
    if action in START:
        legal = _legal(application)
        if not legal:
            return
        calendar = Calendar(application.region)
        _save(
            application,
            legal_state=LegalState.RUNNING,
            legal_started_at=event.at,
            legal_due_at=calendar.add_working_days(event.at, legal["decision_days"]),
            legal_days_left=None,
            legal_next_at=None,
        )
    elif action in PAUSE and state == LegalState.RUNNING:
        calendar = Calendar(application.region)
        left = calendar.days_left(
            start=application.legal_started_at, paused_at=event.at, due_at=application.legal_due_at
        )
        _save(application, legal_state=LegalState.PAUSED, legal_days_left=left)
    elif action in RESUME and state == LegalState.PAUSED:
        calendar = Calendar(application.region)
        _save(
            application,
            legal_state=LegalState.RUNNING,
            legal_started_at=event.at,
            legal_due_at=calendar.add_working_days(event.at, application.legal_days_left or 1),
            legal_days_left=None,
            legal_next_at=None,
        )
    elif action in DECIDE and state in (LegalState.RUNNING, LegalState.PASSED):
        if state == LegalState.RUNNING and event.at <= application.legal_due_at:
            _save(application, legal_state=LegalState.MET, legal_decided_at=event.at)
            return
        _save(application, legal_state=LegalState.LATE, legal_decided_at=event.at)
        record_event(
            application=application,
            actor=event.actor,
            action=Action.DECIDED_LATE,
            data={"decision": action, "legal_deadline": application.legal_due_at.isoformat()},
        )
    elif event.to_status in FINAL_STATUSES and state in (
        LegalState.RUNNING,
        LegalState.PAUSED,
        LegalState.PASSED,
    ):
        _save(application, legal_state=LegalState.ENDED)


event_recorded.connect(legal_follow_event, dispatch_uid="applications.sla.legal")


# --- the guard --------------------------------------------------------------------------------


@dataclass
class GuardResult:
    notices: int = 0
    notifications: int = 0
    deemed: int = 0
    intake_notices: int = 0  # the document check's warnings (counted in `notices` too)


def _midnight(calendar: Calendar, day) -> datetime:
    return datetime.combine(day, dt_time(0, 0), tzinfo=calendar.tz)


def _working_days_before(calendar: Calendar, day, n: int):
    for _ in range(n):
        for _ in range(366):
            day -= timedelta(days=1)
            if calendar.is_working_day(day):
                break
    return day


def warning_thresholds(calendar: Calendar, due_at: datetime) -> dict[str, datetime]:
    """{level: the instant from which it is owed}: the start of the 3rd and of the 1st working
    day before the deadline's day."""
    due_day = calendar.local(due_at).date()
    return {
        f"legal_{n}": _midnight(calendar, _working_days_before(calendar, due_day, n))
        for n in WARN_DAYS
    }


def warning_to_send(calendar: Calendar, due_at: datetime, now: datetime) -> str | None:
    """The one warning true now (the latest owed), None before the first and after the
    deadline (the deemed approval says the rest)."""
    if now > due_at:
        return None
    owed = [lv for lv, at in warning_thresholds(calendar, due_at).items() if at <= now]
    return owed[-1] if owed else None


def next_look(calendar: Calendar, due_at: datetime, now: datetime) -> datetime:
    """When the guard next owes a clock with deadline `due_at` something after `now`: the next
    warning's threshold, else the first instant past the deadline (the deemed approval)."""
    later = [t for t in warning_thresholds(calendar, due_at).values() if t > now]
    return min(later) if later else due_at + timedelta(microseconds=1)


def _horizon(calendars: dict[int, Calendar], now: datetime) -> datetime:
    """The latest deadline that can owe a warning now, over all regions."""
    latest = now
    for calendar in calendars.values():
        day = calendar.local(now).date()
        for _ in range(max(WARN_DAYS)):
            day = calendar.next_working_day(day)
        latest = max(latest, calendar.end_of_service(day))
    return latest


def _audiences(application: Application, cache: dict, *, deemed: bool = False) -> list:
    """[(people, the page their link opens)]: each open review's officer (the review page),
    its agency head and the DPMPTSP's monitors (the monitor's file page), the signers (the file
    page; for a deemed approval the signing page), and for a deemed approval the applicant."""

    def cached(key, loader):
        if key not in cache:
            cache[key] = loader()
        return cache[key]

    region_id = application.region_id
    file_page = reverse("monitoring:file", args=[application.pk])
    groups = []
    for review in application.open_reviews:
        if review.assignee is not None:
            groups.append(([review.assignee], reverse("applications:review", args=[review.pk])))
        groups.append(
            (
                cached(
                    ("head", review.agency_id),
                    lambda r=review: staff_of(region_id, [Role.HEAD], r.agency_id),
                ),
                file_page,
            )
        )
    groups.append(
        (cached(("monitor", region_id), lambda: staff_of(region_id, [Role.MONITOR])), file_page)
    )
    signers = cached(("signer", region_id), lambda: staff_of(region_id, [Role.SIGNER]))
    if deemed:
        groups.append((signers, reverse("permits:sign", args=[application.pk])))
        groups.append(
            ([application.applicant], reverse("applications:detail", args=[application.pk]))
        )
    else:
        groups.append((signers, file_page))
    return groups


def _tell(application, cache, *, kind, context, dedupe, deemed=False) -> int:
    """Notify every audience (a person in two groups is told once: the dedupe key)."""
    sent = 0
    for people, url in _audiences(application, cache, deemed=deemed):
        sent += len(
            notify(
                recipients=people,
                kind=kind,
                application=application,
                context=context,
                url=url,
                dedupe=dedupe,
            )
        )
    return sent


def _due_text(calendar: Calendar, due_at: datetime) -> str:
    local = timezone.localtime(due_at, calendar.tz).strftime("%d-%m-%Y %H:%M")
    return f"{local} {calendar.region.timezone_abbreviation}"


def _warn(application, level, calendar, cache) -> int:
    """The warning row and its notifications in one transaction; -1 if already sent."""
    legal = _legal(application) or {}
    try:
        with transaction.atomic():
            notice = SlaNotice.objects.create(
                stage=f"legal:{application.pk}",
                level=level,
                due_at=application.legal_due_at,
                application=application,
            )
            sent = _tell(
                application,
                cache,
                kind="legal_warning",
                context={
                    "days": level.removeprefix("legal_"),
                    "due": _due_text(calendar, application.legal_due_at),
                    "basis": legal.get("basis", ""),
                },
                dedupe=f"legal:{application.pk}:{level}:{application.legal_due_at.timestamp():.0f}",
            )
            notice.recipients = sent
            notice.save(update_fields=["recipients"])
    except IntegrityError:
        return -1
    return sent


def _stages_not_opened(application: Application) -> list[dict]:
    """The route's stages that never opened (no review yet): [{"stage": n, "agencies": [code]}].
    They end with the deemed approval too: no later stage opens for a deemed file (its status
    is no longer in review, and `routing.next_stage_steps` stops at a closed review)."""
    routed = set(application.reviews.values_list("agency_id", flat=True))
    waiting = []
    for steps in route_stages(application.catalog_version.snapshot):
        missing = [s.get("agency_code", "") for s in steps if s["agency_id"] not in routed]
        if missing:
            waiting.append({"stage": int(steps[0].get("stage", 1)), "agencies": missing})
    return waiting


def _close_open_reviews(application, reviews, deadline: datetime, basis: str) -> None:
    """End each review still open at the deemed approval (in review, waiting for the
    applicant's revision or for the head's approval): `review_close_deemed`, one event each
    with the legal basis; its clock stops at the legal moment (`decided_at` = the deadline, or
    the review's own start if it opened after it); its open correction period is closed."""
    for review in reviews:
        review_transition(
            review_id=review.pk,
            action=Action.REVIEW_CLOSE_DEEMED,
            actor=None,
            note=basis,
            data={"legal_deadline": deadline.isoformat(), "legal_basis": basis},
        )
        Review.objects.filter(pk=review.pk).update(
            decided_at=max(deadline, review.created_at), decided_by=None, head_due_at=None
        )
    if reviews:
        CorrectionPeriod.objects.filter(
            application=application, review__in=reviews, closed_at__isnull=True
        ).update(closed_at=timezone.now(), outcome=CorrectionPeriod.Outcome.CLOSED, next_at=None)


def _deem(application_id: int, now: datetime, calendar: Calendar, cache: dict) -> bool:
    """Deem one file approved if its legal deadline passed with no decision; False when another
    sweep did it first, the decision came meanwhile, or the type excludes it."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(no_key=True)
            .select_related("catalog_version", "region")
            .get(pk=application_id)
        )
        if application.legal_state != LegalState.RUNNING or application.legal_due_at >= now:
            return False
        legal = _legal(application) or {}
        if legal.get("policy") == "none" or application.status not in DEEMABLE:
            _save(application, legal_state=LegalState.PASSED)
            return False
        deadline = application.legal_due_at
        open_reviews = list(
            application.reviews.filter(status__in=OPEN_REVIEW_STATUSES)
            .select_related("agency", "assignee")
            .order_by("stage", "pk")
        )
        application, _event = application_transition(
            application_id=application.pk,
            action="deem_approve",
            actor=None,
            note=legal.get("basis", ""),
            data={
                "legal_basis": legal.get("basis", ""),
                "legal_deadline": deadline.isoformat(),
                "policy": legal.get("policy", ""),
                "undecided_agencies": [r.agency.code for r in open_reviews],
                "stages_not_opened": _stages_not_opened(application),
            },
        )
        _close_open_reviews(application, open_reviews, deadline, legal.get("basis", ""))
        if _event.from_status != Status.RECOMMENDED:
            # The issuance stage starts now (its clock starts at `deem_approve`), as after the
            # OPDs' recommendation: the signers' budget, reminders and queue deadline.
            issuance_days = int(application.catalog_version.snapshot.get("issuance_days", 1))
            Application.objects.filter(pk=application.pk).update(
                due_at=calendar.add_working_days(_event.at, issuance_days)
            )
        _save(application, legal_state=LegalState.DEEMED, deemed_at=deadline)
        application.open_reviews = open_reviews
        auto = legal.get("policy") == "auto"
        if auto:
            # Issued with no person signing where the region can (permits, after commit); else
            # it stays in the signer's queue and the signers are told why.
            enqueue(
                DEEMED_ISSUE_TASK,
                args=[application.pk],
                dedupe_key=f"deemed-issue:{application.pk}",
            )
        _tell(
            application,
            cache,
            kind="deemed_approved",
            context={
                "due": _due_text(calendar, deadline),
                "basis": legal.get("basis", ""),
                "auto": auto,
            },
            dedupe=f"deemed:{application.pk}",
            deemed=True,
        )
    logger.warning(
        "deemed approval: application=%s legal_deadline=%s", application.pk, deadline.isoformat()
    )
    return True


def legal_guard(*, now: datetime | None = None, calendars: dict | None = None) -> GuardResult:
    """Send the legal warnings owed now and deem approved the files past their legal deadline,
    each once. Who calls it: `applications.sla.sweep.sla_sweep` (Celery beat). Safe to run
    concurrently, repeatedly, late. Reads only running legal clocks within the warning
    horizon (index `app_legal_due_idx`)."""
    now = now or timezone.now()
    result = GuardResult()
    if calendars is None:
        calendars = {r.pk: Calendar(r) for r in Region.objects.filter(is_active=True)}
    if not calendars:
        return result
    rows = list(
        Application.objects.filter(
            legal_state=LegalState.RUNNING,
            legal_due_at__lte=_horizon(calendars, now),
            region_id__in=list(calendars),
        )
        .filter(Q(legal_next_at__isnull=True) | Q(legal_next_at__lte=now))
        .select_related("catalog_version", "region")
        .prefetch_related(
            Prefetch(
                "reviews",
                queryset=Review.objects.filter(status=ReviewStatus.IN_REVIEW).select_related(
                    "agency", "assignee"
                ),
                to_attr="open_reviews",
            )
        )
        .order_by("legal_due_at", "pk")
    )
    already = set(
        SlaNotice.objects.filter(stage__in=[f"legal:{a.pk}" for a in rows]).values_list(
            "stage", "level", "due_at"
        )
    )
    cache: dict = {}
    looked = []
    for application in rows:
        calendar = calendars[application.region_id]
        if application.legal_due_at < now:
            if _deem(application.pk, now, calendar, cache):
                result.deemed += 1
            continue
        looked.append(
            (
                application.pk,
                application.legal_due_at,
                next_look(calendar, application.legal_due_at, now),
            )
        )
        level = warning_to_send(calendar, application.legal_due_at, now)
        if level is None or (f"legal:{application.pk}", level, application.legal_due_at) in already:
            continue
        sent = _warn(application, level, calendar, cache)
        if sent >= 0:
            result.notices += 1
            result.notifications += sent
    _intake_guard(now, calendars, result)
    # Nothing more is owed before `next`: the next sweeps leave these rows out. Guarded by the
    # deadline, so that a clock moved meanwhile (the applicant answered) is looked at again.
    for pk, due_at, next_at in looked:
        Application.objects.filter(
            pk=pk, legal_state=LegalState.RUNNING, legal_due_at=due_at
        ).update(legal_next_at=next_at)
    return result


def _intake_guard(now: datetime, calendars: dict, result: GuardResult) -> None:
    """Warn the verifiers and the DPMPTSP's monitors at 3 and 1 working days before the
    document check's legal deadline (files still `submitted`), each once: `SlaNotice`
    ("legal_intake:<id>", legal_3 / legal_1, with the deadline); a late sweep sends only the
    latest still true, none after the deadline. Due rows only (`app_legal_intake_due_idx`,
    minus the files whose `SlaWatch` says nothing is owed before later)."""
    rows = list(
        Application.objects.filter(
            status=Status.SUBMITTED,
            legal_intake_due_at__lte=_horizon(calendars, now),
            legal_intake_due_at__gte=now,
            region_id__in=list(calendars),
        )
        .annotate(stage_key=Concat(Value("legal_intake:"), Cast("pk", CharField())))
        .exclude(
            Exists(
                SlaWatch.objects.filter(
                    stage=OuterRef("stage_key"), due_at=OuterRef("legal_intake_due_at")
                ).filter(Q(next_at__isnull=True) | Q(next_at__gt=now))
            )
        )
        .select_related("catalog_version", "region")
        .order_by("legal_intake_due_at", "pk")
    )
    if not rows:
        return
    already = set(
        SlaNotice.objects.filter(stage__in=[f"legal_intake:{a.pk}" for a in rows]).values_list(
            "stage", "level", "due_at"
        )
    )
    cache: dict = {}
    watches = []
    for application in rows:
        calendar = calendars[application.region_id]
        due_at = application.legal_intake_due_at
        stage = f"legal_intake:{application.pk}"
        later = [t for t in warning_thresholds(calendar, due_at).values() if t > now]
        watches.append(SlaWatch(stage=stage, due_at=due_at, next_at=min(later) if later else None))
        level = warning_to_send(calendar, due_at, now)
        if level is None or (stage, level, due_at) in already:
            continue
        region_id = application.region_id
        if region_id not in cache:
            cache[region_id] = (
                staff_of(region_id, [Role.VERIFIER]),
                staff_of(region_id, [Role.MONITOR]),
            )
        verifiers, monitors = cache[region_id]
        legal = _legal(application) or {}
        context = {
            "days": level.removeprefix("legal_"),
            "due": _due_text(calendar, due_at),
            "basis": legal.get("intake_basis", ""),
        }
        dedupe = f"{stage}:{level}:{due_at.timestamp():.0f}"
        try:
            with transaction.atomic():
                notice = SlaNotice.objects.create(
                    stage=stage, level=level, due_at=due_at, application=application
                )
                sent = len(
                    notify(
                        recipients=verifiers,
                        kind="legal_intake_warning",
                        application=application,
                        context=context,
                        url=reverse("applications:intake_check", args=[application.pk]),
                        dedupe=dedupe,
                    )
                )
                sent += len(
                    notify(
                        recipients=monitors,
                        kind="legal_intake_warning",
                        application=application,
                        context=context,
                        url=reverse("monitoring:file", args=[application.pk]),
                        dedupe=dedupe,
                    )
                )
                notice.recipients = sent
                notice.save(update_fields=["recipients"])
        except IntegrityError:
            continue
        result.notices += 1
        result.intake_notices += 1
        result.notifications += sent
    SlaWatch.objects.bulk_create(
        watches,
        update_conflicts=True,
        unique_fields=["stage"],
        update_fields=["due_at", "next_at"],
    )


# --- what the pages show ----------------------------------------------------------------------


@dataclass
class LegalClock:
    """A file's legal deadline as the pages show it (`applications/_legal_clock.html`)."""

    state: str
    due_at: datetime | None
    deemed_at: datetime | None
    days_left: int | None  # working days until the deadline's day (0: today), while running
    basis: str
    policy: str
    stage_days: dict  # {"intake": n, "review": n, "issuance": n, "decision": n} (None: not set)

    @property
    def at_risk(self) -> bool:
        return (
            self.state == LegalState.RUNNING
            and self.days_left is not None
            and (self.days_left <= max(WARN_DAYS))
        )

    @property
    def state_label(self) -> str:
        return str(LegalState(self.state).label)


def legal_clock(application: Application, *, now: datetime | None = None) -> LegalClock | None:
    """The file's legal deadline for its pages, or None when its catalog version has none."""
    legal = _legal(application)
    if not legal:
        return None
    now = now or timezone.now()
    days_left = None
    if application.legal_state == LegalState.RUNNING and application.legal_due_at:
        calendar = Calendar(application.region)
        today = calendar.local(now).date()
        days_left = (
            calendar.working_days_between(today, calendar.local(application.legal_due_at).date())
            if now <= application.legal_due_at
            else 0
        )
    return LegalClock(
        state=application.legal_state,
        due_at=application.legal_due_at,
        deemed_at=application.deemed_at,
        days_left=days_left,
        basis=legal.get("basis", ""),
        policy=legal.get("policy", ""),
        stage_days={
            "intake": legal.get("intake_days"),
            "review": legal.get("review_days"),
            "issuance": legal.get("issuance_days"),
            "decision": legal.get("decision_days"),
        },
    )

"""Stage clocks derived from the event log.

An application passes through stages, each with its own budget in working days: intake at the
DPMPTSP, one technical review per OPD, issuance at the DPMPTSP. A stage's clock runs from its
start event, stops while the file waits for the applicant (returned; revision requested for that
review) and runs again when the applicant answers, with the days it had left (the same rule as
`applications.services.intake.remaining_days`).

Counting (ptsp.workdays): in a segment that runs from s to e, the days used are
`days_used(s, e)`, the working days after s's day of receipt up to and including e's day; the
applicant's answer is a new receipt (its day does not count). Deadline = the end of service
hours of the last budgeted day.

Use `stage_clocks(application)` for one file and `stage_clocks_for(applications)` for a list:
both prefetch the events and reviews once (a fixed number of queries).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.reference import dpmptsp_name
from applications.models import Application, Event, Review
from applications.sla.legal import legal_clock
from applications.stages import route_progress
from applications.workflow import Action
from ptsp.workdays import Calendar

# Event actions that open, pause, resume and end each kind of stage.
INTAKE = {
    "start": {Action.SUBMIT},
    "pause": {Action.RETURN},
    "resume": {Action.RESUBMIT},
    "end": {Action.ACCEPT},
}
REVIEW = {
    "start": {Action.ROUTED},
    "pause": {Action.REVIEW_REQUEST_REVISION},
    "resume": {
        Action.REVIEW_ANSWER_REVISION,
        Action.REVIEW_SEND_BACK,
        Action.REVIEW_HEAD_SEND_BACK,
    },
    "end": {
        Action.REVIEW_RECOMMEND,
        Action.REVIEW_SUBMIT_FOR_APPROVAL,
        Action.REVIEW_REJECT,
        Action.REVIEW_CANCEL,
        Action.REVIEW_CLOSE_DEEMED,
    },
}
# The agency head's approval of an officer's recommendation (issue 18), its own budget: runs
# from the officer's recommendation to the head's approval or send-back (a later
# recommendation continues the count).
HEAD_APPROVAL = {
    "start": {Action.REVIEW_SUBMIT_FOR_APPROVAL},
    "pause": set(),
    "resume": {Action.REVIEW_SUBMIT_FOR_APPROVAL},
    "end": {
        Action.REVIEW_HEAD_APPROVE,
        Action.REVIEW_HEAD_SEND_BACK,
        Action.REVIEW_CANCEL,
        Action.REVIEW_CLOSE_DEEMED,
    },
}
# A levied file's issuance stage starts once its bill is paid: the time between the OPDs'
# recommendation and the payment is the applicant's (issue 17).
ISSUANCE = {
    "start": {Action.RECOMMEND, Action.PAYMENT_CONFIRMED, Action.DEEM_APPROVE},
    "pause": set(),
    "resume": set(),
    "end": {Action.ISSUE},
}
CLOSING = {Action.WITHDRAW, Action.CONFIRM_REJECTION}


@dataclass
class StageClock:
    key: str  # "intake:<app>", "review:<id>", "head:<review id>", "issuance:<app>"
    kind: str  # intake, review, head_approval, issuance
    agency_name: str
    budget: int
    start: datetime | None = None
    end: datetime | None = None
    state: str = "pending"  # pending, running, paused, done
    paused: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    segments: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    used: int = 0
    day: int = 0  # the current day number while running
    deadline: datetime | None = None
    days_late: int = 0
    review_id: int | None = None
    assignee_name: str = ""
    stage: int = 1  # the route's stage of a review (issue 18)

    @property
    def is_current(self) -> bool:
        return self.state in ("running", "paused")

    @property
    def left(self) -> int:
        return max(0, self.budget - self.used)

    @property
    def label(self) -> str:
        """ "day N of M at <agency>" (or why the clock stands still)."""
        if self.kind == "head_approval" and self.state == "running":
            return _("the head's approval: day %(n)s of %(m)s at %(agency)s") % {
                "n": self.day,
                "m": self.budget,
                "agency": self.agency_name,
            }
        if self.state == "running":
            return _("day %(n)s of %(m)s at %(agency)s") % {
                "n": self.day,
                "m": self.budget,
                "agency": self.agency_name,
            }
        if self.state == "paused":
            return _(
                "clock stopped at day %(n)s of %(m)s at %(agency)s: waiting for the applicant"
            ) % {
                "n": self.used,
                "m": self.budget,
                "agency": self.agency_name,
            }
        if self.state == "done":
            return _("%(n)s of %(m)s working days at %(agency)s") % {
                "n": self.used,
                "m": self.budget,
                "agency": self.agency_name,
            }
        return _("not started")

    @property
    def on_time(self) -> bool:
        return self.days_late == 0


def _ended_at(event: Event, start: datetime) -> datetime:
    """When a stage's end event stops its clock: its time, except for a review closed by a
    deemed approval, whose clock stops at the legal moment (the deadline; the sweep may have
    run later), never before the segment began."""
    if event.action == Action.REVIEW_CLOSE_DEEMED and event.data.get("legal_deadline"):
        return max(start, datetime.fromisoformat(event.data["legal_deadline"]))
    return event.at


def _run(clock: StageClock, events: list[Event], rules: dict, calendar: Calendar, now, closed_at):
    """Walk the stage's events and fill the clock."""
    consumed = 0  # days used by segments that ended in a pause
    seg_start = None
    for event in events:
        action = event.action
        if action in rules["start"] and clock.start is None:
            clock.start = seg_start = event.at
            clock.state = "running"
        elif action in rules["pause"] and seg_start is not None:
            clock.segments.append((seg_start, event.at))
            consumed += calendar.days_used(seg_start, event.at)
            clock.paused.append((event.at, None))
            seg_start = None
            clock.state = "paused"
        elif action in rules["resume"] and clock.state in ("paused", "done") and seg_start is None:
            if clock.paused and clock.paused[-1][1] is None:
                clock.paused[-1] = (clock.paused[-1][0], event.at)
            seg_start = event.at
            clock.end = None
            clock.state = "running"
        elif action in rules["end"] and seg_start is not None:
            end = _ended_at(event, seg_start)
            clock.segments.append((seg_start, end))
            clock.end = end
            clock.state = "done"
            clock.used = consumed + calendar.days_used(seg_start, end)
            clock.deadline = calendar.add_working_days(seg_start, max(1, clock.budget - consumed))
            clock.days_late = calendar.working_days_late(clock.deadline, end)
            consumed = clock.used  # a send-back after a rejection continues the count
            seg_start = None
        elif action == Action.REVIEW_CLOSE_DEEMED and clock.state == "paused":
            # Waiting for the applicant when the file was deemed approved: it ends there.
            if clock.paused and clock.paused[-1][1] is None:
                clock.paused[-1] = (clock.paused[-1][0], event.at)
            clock.state, clock.end, clock.used = "done", event.at, consumed
    if clock.state == "running" and seg_start is not None:
        stop = closed_at or now
        clock.segments.append((seg_start, closed_at))
        clock.deadline = calendar.add_working_days(seg_start, max(1, clock.budget - consumed))
        clock.used = consumed + calendar.days_used(seg_start, stop)
        clock.day = max(1, clock.used)
        clock.days_late = calendar.working_days_late(clock.deadline, stop)
        if closed_at:
            clock.state, clock.end = "done", closed_at
    elif clock.state == "paused":
        clock.used = consumed
        if closed_at:
            clock.state, clock.end = "done", closed_at
    return clock


def _clocks(application: Application, calendar: Calendar, dpmptsp_name: str, now) -> list:
    events = list(application.events.all())  # prefetched, ordered by (at, id)
    snapshot = application.catalog_version.snapshot
    closed_at = next((e.at for e in events if e.action in CLOSING), None)
    intake = StageClock(
        key=f"intake:{application.pk}",
        kind="intake",
        agency_name=dpmptsp_name,
        budget=int(snapshot.get("intake_days", 1)),
    )
    _run(intake, events, INTAKE, calendar, now, closed_at)
    clocks = [intake]
    for review in sorted(application.reviews.all(), key=lambda r: (r.stage, r.created_at, r.pk)):
        clock = StageClock(
            key=f"review:{review.pk}",
            kind="review",
            agency_name=review.agency.name,
            budget=review.budget_days,
            review_id=review.pk,
            assignee_name=review.assignee.full_name if review.assignee else "",
            stage=review.stage,
        )
        own = [e for e in events if e.review_id == review.pk]
        clocks.append(_run(clock, own, REVIEW, calendar, now, closed_at))
        if review.needs_head_approval:
            head = StageClock(
                key=f"head:{review.pk}",
                kind="head_approval",
                agency_name=review.agency.name,
                budget=review.head_budget_days or 1,
                review_id=review.pk,
                stage=review.stage,
            )
            clocks.append(_run(head, own, HEAD_APPROVAL, calendar, now, closed_at))
    issuance = StageClock(
        key=f"issuance:{application.pk}",
        kind="issuance",
        agency_name=dpmptsp_name,
        budget=int(snapshot.get("issuance_days", 1)),
    )
    clocks.append(_run(issuance, events, ISSUANCE, calendar, now, closed_at))
    return clocks


def _prefetched(queryset):
    return queryset.select_related("region", "catalog_version").prefetch_related(*CLOCK_PREFETCH)


# What the clocks read, prefetched: a view that loads its application with these (and
# `catalog_version`, `region`) gets its clocks without another query for the file.
CLOCK_PREFETCH = (
    Prefetch(
        "events",
        queryset=Event.objects.select_related(
            "actor", "review__agency", "review__assignee"
        ).order_by("at", "id"),
    ),
    Prefetch("reviews", queryset=Review.objects.select_related("agency", "assignee")),
)


def _has_clock_prefetch(application) -> bool:
    cache = getattr(application, "_prefetched_objects_cache", {})
    return "events" in cache and "reviews" in cache


def prefetch_for_clocks(application: Application) -> Application:
    """Load CLOCK_PREFETCH on an application already fetched (once), for a page that shows its
    history and its clocks from the same events and reviews."""
    if not _has_clock_prefetch(application):
        prefetch_related_objects([application], *CLOCK_PREFETCH)
    return application


def stage_clocks_for(applications, *, now: datetime | None = None) -> dict[int, list[StageClock]]:
    """Stage clocks of many applications (a queryset, ids, or applications already loaded with
    CLOCK_PREFETCH): {application id: [clocks]}.

    Queries: the applications, their events, their reviews (none of these three for loaded
    applications) — never one per application. The DPMPTSP names and the regions' own holidays
    come from a per-process cache (ptsp.workdays), refreshed when they change."""
    now = now or timezone.now()
    if isinstance(applications, list | tuple) and all(
        isinstance(a, Application) and _has_clock_prefetch(a) for a in applications
    ):
        rows = list(applications)
    else:
        if not hasattr(applications, "model"):
            applications = Application.objects.filter(pk__in=list(applications))
        rows = list(_prefetched(applications))
    calendars: dict[int, Calendar] = {}
    result = {}
    for application in rows:
        calendar = calendars.setdefault(application.region_id, Calendar(application.region))
        result[application.pk] = _clocks(
            application, calendar, dpmptsp_name(application.region_id), now
        )
    return result


def stage_clocks(application: Application | int, *, now: datetime | None = None) -> list:
    """The stage clocks of one application, in order: intake, each OPD review, issuance."""
    if isinstance(application, Application) and _has_clock_prefetch(application):
        return stage_clocks_for([application], now=now)[application.pk]
    pk = application if isinstance(application, int) else application.pk
    return stage_clocks_for(Application.objects.filter(pk=pk), now=now).get(pk, [])


def current_stages(clocks: list[StageClock]) -> list[StageClock]:
    """The stages the file is at now (several OPDs review in parallel)."""
    return [c for c in clocks if c.is_current]


def stage_clock_context(application, *, now: datetime | None = None) -> dict:
    """Context for the include `applications/_stage_clock.html`."""
    if not isinstance(application, Application):
        application = _prefetched(Application.objects.filter(pk=application)).get()
    # The clocks and the route's stages read the same events and reviews: load them once.
    prefetch_for_clocks(application)
    clocks = stage_clocks(application, now=now)
    return {
        "stage_clocks": clocks,
        "current_stages": current_stages(clocks),
        # The route's stages (issue 18), shown when there is more than one.
        "route_stages": route_progress(application),
        "legal_clock": legal_clock(application, now=now),
    }

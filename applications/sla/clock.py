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

The clocks are a pure function of the file's rows (`clocks_of`: its events and reviews as
`.values()` rows, no model instances). Use `stage_clocks(application)` for one file and
`stage_clocks_for(applications)` for a list: both read the events and reviews once (a fixed
number of queries); a page that has the rows already passes them to `stage_clock_context`.
"""

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from agencies.reference import dpmptsp_name
from applications.models import Application, Event, LegalState, Review, ReviewStatus
from applications.sla.legal import legal_clock
from applications.stages import route_progress
from applications.workflow import Action
from ptsp.localcache import ProcessCache
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
# A deemed approval billed by the treasurer (issue 18) waits for the applicant's payment: its
# issuance clock, started by the deemed approval, stops at the bill and runs again when paid.
ISSUANCE = {
    "start": {Action.RECOMMEND, Action.PAYMENT_CONFIRMED, Action.DEEM_APPROVE},
    "pause": {Action.BILL_DEEMED},
    "resume": {Action.PAYMENT_CONFIRMED, Action.BILL_EXPIRED_DEEMED},
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


def _run(
    clock: StageClock,
    events: list[dict],
    rules: dict,
    calendar: Calendar,
    now,
    closed_at,
    deemed_end: datetime | None = None,
):
    """Walk the stage's events (rows with `action` and `at`) and fill the clock. A review closed
    by a deemed approval stops at the legal moment (`deemed_end`: the review's `decided_at`,
    the deadline; the sweep may have run later), never before its segment began."""
    consumed = 0  # days used by segments that ended in a pause
    seg_start = None
    for event in events:
        action = event["action"]
        at = event["at"]
        if action in rules["start"] and clock.start is None:
            clock.start = seg_start = at
            clock.state = "running"
        elif action in rules["pause"] and seg_start is not None:
            clock.segments.append((seg_start, at))
            consumed += calendar.days_used(seg_start, at)
            clock.paused.append((at, None))
            seg_start = None
            clock.state = "paused"
        elif action in rules["resume"] and clock.state in ("paused", "done") and seg_start is None:
            if clock.paused and clock.paused[-1][1] is None:
                clock.paused[-1] = (clock.paused[-1][0], at)
            seg_start = at
            clock.end = None
            clock.state = "running"
        elif action in rules["end"] and seg_start is not None:
            if action == Action.REVIEW_CLOSE_DEEMED and deemed_end is not None:
                at = max(seg_start, deemed_end)
            clock.segments.append((seg_start, at))
            clock.end = at
            clock.state = "done"
            clock.used = consumed + calendar.days_used(seg_start, at)
            clock.deadline = calendar.add_working_days(seg_start, max(1, clock.budget - consumed))
            clock.days_late = calendar.working_days_late(clock.deadline, at)
            consumed = clock.used  # a send-back after a rejection continues the count
            seg_start = None
        elif action == Action.REVIEW_CLOSE_DEEMED and clock.state == "paused":
            # Waiting for the applicant when the file was deemed approved: it ends there.
            if clock.paused and clock.paused[-1][1] is None:
                clock.paused[-1] = (clock.paused[-1][0], at)
            clock.state, clock.end, clock.used = "done", at, consumed
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


# What the clocks read: plain rows (`.values()`), not model instances. A page that shows more
# of the same rows (the applicant's timeline, the reviews' list) asks for more columns.
EVENT_COLUMNS = ("id", "application_id", "at", "action", "review_id")
REVIEW_COLUMNS = {
    "fields": (
        "id",
        "application_id",
        "agency_id",
        "stage",
        "created_at",
        "status",
        "decided_at",
        "budget_days",
        "needs_head_approval",
        "head_budget_days",
    ),
    "expressions": {
        "agency_name": F("agency__name"),
        "assignee_name": Coalesce(F("assignee__full_name"), Value("")),
    },
}


def event_rows(queryset, *columns: str, **expressions) -> list[dict]:
    """The events of `queryset` (Event rows) as the clocks read them, oldest first, with the
    extra `columns` and `expressions` a page shows."""
    return list(queryset.order_by("at", "id").values(*EVENT_COLUMNS, *columns, **expressions))


def review_rows(queryset, *columns: str, **expressions) -> list[dict]:
    """The reviews of `queryset` (Review rows) as the clocks, the route's stages and the holder
    read them, with the extra `columns` and `expressions` a page shows."""
    return list(
        queryset.values(
            *REVIEW_COLUMNS["fields"], *columns, **REVIEW_COLUMNS["expressions"], **expressions
        )
    )


def clocks_of(
    application_id: int,
    snapshot: dict,
    events: list[dict],
    reviews: list[dict],
    calendar: Calendar,
    dpmptsp_name: str,
    now: datetime,
) -> list[StageClock]:
    """The stage clocks of one file from its rows (a pure function: no query): `events` oldest
    first (EVENT_COLUMNS), `reviews` (REVIEW_COLUMNS). The one implementation behind every
    page and list that shows a clock."""
    closed_at = next((e["at"] for e in events if e["action"] in CLOSING), None)
    intake = StageClock(
        key=f"intake:{application_id}",
        kind="intake",
        agency_name=dpmptsp_name,
        budget=int(snapshot.get("intake_days", 1)),
    )
    _run(intake, events, INTAKE, calendar, now, closed_at)
    clocks = [intake]
    by_review: dict[int, list[dict]] = {}
    for event in events:
        if event["review_id"] is not None:
            by_review.setdefault(event["review_id"], []).append(event)
    for review in sorted(reviews, key=lambda r: (r["stage"], r["created_at"], r["id"])):
        clock = StageClock(
            key=f"review:{review['id']}",
            kind="review",
            agency_name=review["agency_name"],
            budget=review["budget_days"],
            review_id=review["id"],
            assignee_name=review["assignee_name"] or "",
            stage=review["stage"],
        )
        own = by_review.get(review["id"], [])
        deemed_end = (
            review["decided_at"] if review["status"] == ReviewStatus.CLOSED_DEEMED else None
        )
        clocks.append(_run(clock, own, REVIEW, calendar, now, closed_at, deemed_end))
        if review["needs_head_approval"]:
            head = StageClock(
                key=f"head:{review['id']}",
                kind="head_approval",
                agency_name=review["agency_name"],
                budget=review["head_budget_days"] or 1,
                review_id=review["id"],
                stage=review["stage"],
            )
            clocks.append(_run(head, own, HEAD_APPROVAL, calendar, now, closed_at, deemed_end))
    issuance = StageClock(
        key=f"issuance:{application_id}",
        kind="issuance",
        agency_name=dpmptsp_name,
        budget=int(snapshot.get("issuance_days", 1)),
    )
    clocks.append(_run(issuance, events, ISSUANCE, calendar, now, closed_at))
    return clocks


def stage_clocks_for(applications, *, now: datetime | None = None) -> dict[int, list[StageClock]]:
    """Stage clocks of many applications (a queryset, ids, or applications already loaded with
    `region` and `catalog_version`): {application id: [clocks]}.

    Queries: the applications (none for loaded ones), their events, their reviews — never one
    per application. The DPMPTSP names and the regions' own holidays come from a per-process
    cache (ptsp.workdays), refreshed when they change."""
    now = now or timezone.now()
    if isinstance(applications, list | tuple) and all(
        isinstance(a, Application) for a in applications
    ):
        rows = list(applications)
    else:
        if not hasattr(applications, "model"):
            applications = Application.objects.filter(pk__in=list(applications))
        rows = list(applications.select_related("region", "catalog_version"))
    ids = [a.pk for a in rows]
    events: dict[int, list[dict]] = {}
    for event in event_rows(Event.objects.filter(application_id__in=ids)):
        events.setdefault(event["application_id"], []).append(event)
    reviews: dict[int, list[dict]] = {}
    for review in review_rows(Review.objects.filter(application_id__in=ids)):
        reviews.setdefault(review["application_id"], []).append(review)
    calendars: dict[int, Calendar] = {}
    result = {}
    for application in rows:
        calendar = calendars.setdefault(application.region_id, Calendar(application.region))
        result[application.pk] = clocks_of(
            application.pk,
            application.catalog_version.snapshot,
            events.get(application.pk, []),
            reviews.get(application.pk, []),
            calendar,
            dpmptsp_name(application.region_id),
            now,
        )
    return result


def stage_clocks(application: Application | int, *, now: datetime | None = None) -> list:
    """The stage clocks of one application, in order: intake, each OPD review, issuance."""
    if isinstance(application, Application):
        return stage_clocks_for([application], now=now)[application.pk]
    return stage_clocks_for(Application.objects.filter(pk=application), now=now).get(
        application, []
    )


def current_stages(clocks: list[StageClock]) -> list[StageClock]:
    """The stages the file is at now (several OPDs review in parallel)."""
    return [c for c in clocks if c.is_current]


def stage_clock_context(
    application,
    *,
    events: list[dict] | None = None,
    reviews: list[dict] | None = None,
    now: datetime | None = None,
) -> dict:
    """Context for the include `applications/_stage_clock.html`. `events` and `reviews` are the
    file's rows (EVENT_COLUMNS, REVIEW_COLUMNS at least) when the page has them already; else
    they are read here (two queries)."""
    if not isinstance(application, Application):
        application = Application.objects.select_related("region", "catalog_version").get(
            pk=application
        )
    now = now or timezone.now()
    if events is None:
        events = event_rows(Event.objects.filter(application_id=application.pk))
    if reviews is None:
        reviews = review_rows(Review.objects.filter(application_id=application.pk))
    clocks = clocks_of(
        application.pk,
        application.catalog_version.snapshot,
        events,
        reviews,
        Calendar(application.region),
        dpmptsp_name(application.region_id),
        now,
    )
    stages = route_progress(
        application.catalog_version.snapshot,
        reviews,
        deemed=application.legal_state == LegalState.DEEMED,
    )
    return {
        "stage_clocks": clocks,
        "current_stages": current_stages(clocks),
        # The route's stages (issue 18), shown when there is more than one.
        "route_stages": stages,
        "multi_stage": len(stages) > 1,
        "legal_clock": legal_clock(application, now=now),
    }


# The stage-clock section as rendered, by everything it shows (issue 20): the applicant's page
# renders it once per change of its clocks, language and time zone in this process. The key is
# a digest of the section's whole context, so an entry can only ever be the HTML of exactly that
# content; the file's id keeps one file's entries apart from another's all the same.
STAGE_CLOCK_HTML = ProcessCache(ttl=600.0, max_entries=2000)


def _plain(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return vars(value)  # its fields, each turned into JSON in its turn (no deep copy)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)  # a translated label: in the active language, which is in the key too


def stage_clock_html(application_id: int, context: dict) -> SafeString:
    """`applications/_stage_clock.html` for `context` (`stage_clock_context`'s, plus
    `show_assignee` when the page shows it), rendered once per distinct content, language and
    time zone in this process (`STAGE_CLOCK_HTML`)."""
    shown = {
        name: context.get(name)
        for name in (
            "stage_clocks",
            "current_stages",
            "route_stages",
            "multi_stage",
            "legal_clock",
            "show_assignee",
        )
    }
    digest = hashlib.blake2b(
        json.dumps(shown, default=_plain, sort_keys=True).encode(), digest_size=20
    ).hexdigest()
    key = (
        "stage_clock",
        application_id,
        translation.get_language(),
        timezone.get_current_timezone_name(),
        digest,
    )
    return STAGE_CLOCK_HTML.get_or_compute(
        key, lambda: render_to_string("applications/_stage_clock.html", shown)
    )

"""The parcel-tracker view of an application: who holds it, since when, until when.

`build_timeline(application, events)` turns the event log into steps. `holder_of(...)` says who
holds a file in a status; the workflow issue can extend `HOLDERS` and `step_for_event` with
per-OPD steps (events that carry a review).
"""

from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone as django_timezone
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from applications.models import FINAL_STATUSES, Status
from applications.workflow import (
    APPLICATION_TRANSITIONS,
    PERMIT_TRANSITIONS,
    RECORDED_EVENTS,
    REVIEW_TRANSITIONS,
    Action,
)
from catalog.services import route_stages
from ptsp.localcache import ProcessCache

HOLDERS = {
    Status.DRAFT: _("You (draft)"),
    Status.SUBMITTED: _("DPMPTSP front office"),
    Status.RETURNED: _("You (to complete)"),
    Status.REVISION_REQUESTED: _("You (revision requested)"),
    Status.REJECTION_PROPOSED: _("DPMPTSP signer"),
    Status.RECOMMENDED: _("DPMPTSP signer"),
    Status.ISSUING: _("DPMPTSP (issuing the permit)"),
    Status.ISSUED: _("Finished"),
    Status.REJECTED: _("Finished"),
    Status.WITHDRAWN: _("Finished"),
    Status.LAPSED: _("Finished"),
}


def holder_of(application, reviews: list[dict] | None = None) -> str:
    """Who holds the file now, in words (for lists and the public tracking page). `reviews`:
    the file's review rows (`agency_name`, `status`) when the page has them; else the reviews
    prefetched on `application`, if any."""
    if reviews is None and application.status == Status.IN_REVIEW:
        cache = getattr(application, "_prefetched_objects_cache", {})
        if "reviews" in cache:
            reviews = [{"agency_name": r.agency.name, "status": r.status} for r in cache["reviews"]]
    return holder_from(application.status, application.catalog_version.snapshot, reviews)


def holder_from(status: str, snapshot: dict | None, reviews: list[dict] | None = None) -> str:
    """`holder_of` from plain data: the file's status, its catalog version's snapshot (only its
    `route` is read, and only in review) and, when the page has them, its review rows."""
    if status == Status.IN_REVIEW:
        stages = route_stages(snapshot or {})
        if len(stages) > 1 and reviews is not None:
            # A route in stages (issue 18): the agencies still at work, when the page loaded
            # the reviews; else the stages in order ("DLH → Dinas Kesehatan").
            open_names = [
                r["agency_name"]
                for r in reviews
                if r["status"] in ("in_review", "awaiting_head_approval")
            ]
            if open_names:
                return ", ".join(open_names)
        names = " → ".join(", ".join(step["agency_name"] for step in steps) for steps in stages)
        return names or str(_("Technical agencies"))
    return str(HOLDERS.get(status, "—"))


# What the timeline and the history read of an event and of a review beyond the stage clocks'
# columns (applications.sla.clock.EVENT_COLUMNS, REVIEW_COLUMNS): pages load them as rows.
TIMELINE_EVENT_COLUMNS = ("from_status", "to_status", "note", "data")
TIMELINE_REVIEW_COLUMNS = ("due_at", "head_due_at")


def timeline_event_expressions() -> dict:
    return {"actor_name": F("actor__full_name"), "review_agency_name": F("review__agency__name")}


def event_row(event) -> dict:
    """An Event instance (with its actor and review's agency loaded) as the timeline's row."""
    if isinstance(event, dict):
        return event
    review = event.review if event.review_id else None
    return {
        "id": event.pk,
        "at": event.at,
        "action": event.action,
        "review_id": event.review_id,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "note": event.note,
        "data": event.data,
        "actor_name": event.actor.full_name if event.actor_id and event.actor else None,
        "review_agency_name": review.agency.name if review is not None else None,
    }


def review_row(review) -> dict:
    """A Review instance (with its agency and assignee loaded) as the timeline's row."""
    return {
        "id": review.pk,
        "agency_id": review.agency_id,
        "agency_name": review.agency.name,
        "assignee_name": review.assignee.full_name if review.assignee_id else "",
        "status": review.status,
        "due_at": review.due_at,
        "head_due_at": review.head_due_at,
    }


@dataclass
class Step:
    action: str
    label: str
    holder: str
    actor: str
    start: datetime
    end: datetime | None = None
    due: datetime | None = None
    note: str = ""
    current: bool = False
    extra: dict = field(default_factory=dict)


# The words for events that are not an application or review transition: the permit table's
# events and those that change no status.
EVENT_LABELS = {
    **{t.event: t.label for t in PERMIT_TRANSITIONS.values() if t.event},
    **RECORDED_EVENTS,
}


def event_label(event) -> str:
    """The event (a row, or an Event with its review's agency loaded) in words, with the agency
    it concerns."""
    if not isinstance(event, dict):
        review = event.review if event.review_id else None
        event = {
            "action": event.action,
            "data": event.data,
            "review_id": event.review_id,
            "review_agency_name": review.agency.name if review is not None else None,
        }
    action = event["action"]
    if action.startswith("review_"):
        transition = REVIEW_TRANSITIONS.get(action.removeprefix("review_"))
    else:
        transition = APPLICATION_TRANSITIONS.get(action)
    if transition is not None:
        label = str(transition.label)
    else:
        label = str(EVENT_LABELS.get(action, action.replace("_", " ").capitalize()))
    stage = (event["data"] or {}).get("stage", 1) if action == Action.ROUTED else 1
    if stage and stage > 1:
        # A route in stages (issue 18): the timeline says when the next stage began.
        label = _("Stage %(n)s: %(label)s") % {"n": stage, "label": label}
    if event["review_id"] and event["review_agency_name"]:
        return f"{label} — {event['review_agency_name']}"
    return label


# An application-level event that records the same act as a review's own event (written in the
# same transaction by `application_settle`): the timeline shows the act once.
SAME_ACT = {
    Action.REQUEST_REVISION: Action.REVIEW_REQUEST_REVISION,
    Action.ANSWER_REVISION: Action.REVIEW_ANSWER_REVISION,
    Action.PROPOSE_REJECTION: Action.REVIEW_REJECT,
    Action.SEND_BACK_REJECTION: Action.REVIEW_SEND_BACK,
    Action.CORRECTION_EXPIRED: Action.REVIEW_CORRECTION_EXPIRED,
}
SAME_ACT_WINDOW_SECONDS = 60


def _doubles(events: list[dict]) -> set[int]:
    """Ids of review events that an application event for the same review and act repeats."""
    doubled: set[int] = set()
    for app_event in events:
        twin_action = SAME_ACT.get(app_event["action"])
        if twin_action is None or app_event["review_id"] is None:
            continue
        for event in events:
            if (
                event["action"] == twin_action
                and event["review_id"] == app_event["review_id"]
                and event["id"] not in doubled
                and abs((event["at"] - app_event["at"]).total_seconds()) < SAME_ACT_WINDOW_SECONDS
            ):
                doubled.add(event["id"])
                break
    return doubled


def step_for_event(event: dict, application, reviews: dict[int, dict], holder: str) -> Step:
    """One step of the timeline: `event` a row, `reviews` the file's review rows by id,
    `holder` who holds the file now (holder_of)."""
    label = event_label(event)
    action = event["action"]
    status = event["to_status"] or application.status
    holder = (
        holder
        if status == application.status
        else str(HOLDERS.get(status, _("Technical agencies")))
    )
    actor = event["actor_name"] or str(_("System"))
    note = (
        event["note"]
        if action in (Action.WITHDRAW, Action.RETURN, Action.REVIEW_REJECT, Action.LAPSE)
        else ""
    )
    due = None
    review = reviews.get(event["review_id"]) if event["review_id"] else None
    if review is not None and (action.startswith("review_") or status == Status.IN_REVIEW):
        holder = review["agency_name"] + (
            f" ({review['assignee_name']})" if review["assignee_name"] else ""
        )
        due = review["due_at"] if review["status"] == "in_review" else None
        if review["status"] == "awaiting_head_approval":
            due = review["head_due_at"]  # the head's own budget (issue 18)
    return Step(
        action=action,
        label=label,
        holder=holder,
        actor=actor,
        start=event["at"],
        due=due,
        note=note,
    )


def build_timeline(application, events, reviews: list[dict] | None = None) -> list[Step]:
    """Steps oldest first: the draft, then one per status-changing event. Each step ends when
    the next starts; the last is current and carries the deadline of the current stage.

    `events`: the file's events oldest first, as rows (the clocks' columns with
    TIMELINE_EVENT_COLUMNS and `timeline_event_expressions()`) or Event instances with their
    actor and review (agency, assignee) loaded; `reviews`: the file's review rows (the clocks'
    columns with TIMELINE_REVIEW_COLUMNS), or None to take them from the events' reviews."""
    events = list(events)
    if reviews is None:
        by_id = {e.review_id: review_row(e.review) for e in events if e.review_id}
    else:
        by_id = {r["id"]: r for r in reviews}
    rows = [event_row(e) for e in events]
    holder = holder_of(application, reviews)
    steps = [
        Step(
            action="created",
            label=str(_("Draft created")),
            holder=str(HOLDERS[Status.DRAFT]),
            actor=application.applicant.full_name,
            start=application.created_at,
        )
    ]
    doubled = _doubles(rows)
    for event in rows:
        if event["from_status"] == event["to_status"] and event["review_id"] is None:
            continue
        if event["id"] in doubled:
            continue
        steps.append(step_for_event(event, application, by_id, holder))
    for previous, nxt in pairwise(steps):
        previous.end = nxt.start
    last = steps[-1]
    last.current = True
    if application.status not in FINAL_STATUSES:
        last.due = last.due or application.due_at
    return steps


# The rendered timeline of the applicant's page, per process: what it shows changes only with
# the file (its row, saved on every status change) and its events (append-only), so the key is
# the file's last change — its `updated_at` and its newest event — with the language and the
# time zone it is written in. The key holds the file's id: a page only ever gets the timeline
# of the file it has already been allowed to show. A person's or agency's new name shows within
# the entries' lifetime.
PROGRESS_HTML = ProcessCache(ttl=600.0, max_entries=2000)


def progress_version(application, events) -> tuple:
    """The file's last change, from rows the page has loaded already (no query)."""
    events = list(events)
    last = events[-1] if events else None
    return (
        application.pk,
        application.updated_at.isoformat() if application.updated_at else "",
        (last["id"] if isinstance(last, dict) else last.pk) if last is not None else 0,
        len(events),
    )


def progress_html(application, events, reviews: list[dict] | None = None) -> SafeString:
    """The applicant page's progress section (`applications/_progress.html`), rendered once per
    change of the file, language and time zone in this process (`events`, `reviews`: as for
    `build_timeline`)."""
    events = list(events)
    key = (
        "progress",
        *progress_version(application, events),
        translation.get_language(),
        django_timezone.get_current_timezone_name(),
    )
    return PROGRESS_HTML.get_or_compute(
        key,
        lambda: render_to_string(
            "applications/_progress.html",
            {
                "application": application,
                "timeline": build_timeline(application, events, reviews),
            },
        ),
    )


def history_html(application, events) -> SafeString:
    """The staff pages' history (`applications/_history.html`: intake check, review page,
    rejection page) of `events` (the file's, oldest first), rendered once per change of the
    file, language and time zone in this process; the events' labels are worked out only then.
    `events`: rows (the clocks' columns with TIMELINE_EVENT_COLUMNS and
    `timeline_event_expressions()`) or Event instances with their actor and review's agency."""
    events = list(events)
    key = (
        "history",
        *progress_version(application, events),
        translation.get_language(),
        django_timezone.get_current_timezone_name(),
    )

    def render():
        rows = [{**event_row(event), "label": event_label(event)} for event in events]
        return render_to_string("applications/_history.html", {"events": rows})

    return PROGRESS_HTML.get_or_compute(key, render)

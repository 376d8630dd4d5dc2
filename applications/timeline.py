"""The parcel-tracker view of an application: who holds it, since when, until when.

`build_timeline(application, events)` turns the event log into steps. `holder_of(...)` says who
holds a file in a status; the workflow issue can extend `HOLDERS` and `step_for_event` with
per-OPD steps (events that carry a review).
"""

from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

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


def holder_of(application) -> str:
    """Who holds the file now, in words (for lists and the public tracking page)."""
    if application.status == Status.IN_REVIEW:
        stages = route_stages(application.catalog_version.snapshot)
        cache = getattr(application, "_prefetched_objects_cache", {})
        if len(stages) > 1 and "reviews" in cache:
            # A route in stages (issue 18): the agencies still at work, when the page loaded
            # the reviews; else the stages in order ("DLH → Dinas Kesehatan").
            open_names = [
                r.agency.name
                for r in cache["reviews"]
                if r.status in ("in_review", "awaiting_head_approval")
            ]
            if open_names:
                return ", ".join(open_names)
        names = " → ".join(", ".join(step["agency_name"] for step in steps) for steps in stages)
        return names or str(_("Technical agencies"))
    return str(HOLDERS.get(application.status, "—"))


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
    """The event in words, with the agency it concerns."""
    if event.action.startswith("review_"):
        transition = REVIEW_TRANSITIONS.get(event.action.removeprefix("review_"))
    else:
        transition = APPLICATION_TRANSITIONS.get(event.action)
    if transition is not None:
        label = str(transition.label)
    else:
        label = str(EVENT_LABELS.get(event.action, event.action.replace("_", " ").capitalize()))
    stage = (event.data or {}).get("stage", 1) if event.action == Action.ROUTED else 1
    if stage and stage > 1:
        # A route in stages (issue 18): the timeline says when the next stage began.
        label = _("Stage %(n)s: %(label)s") % {"n": stage, "label": label}
    if event.review_id and event.review is not None:
        return f"{label} — {event.review.agency.name}"
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


def _doubles(events) -> set[int]:
    """Ids of review events that an application event for the same review and act repeats."""
    events = list(events)
    doubled: set[int] = set()
    for app_event in events:
        twin_action = SAME_ACT.get(app_event.action)
        if twin_action is None or app_event.review_id is None:
            continue
        for event in events:
            if (
                event.action == twin_action
                and event.review_id == app_event.review_id
                and event.pk not in doubled
                and abs((event.at - app_event.at).total_seconds()) < SAME_ACT_WINDOW_SECONDS
            ):
                doubled.add(event.pk)
                break
    return doubled


def step_for_event(event, application) -> Step:
    label = event_label(event)
    status = event.to_status or application.status
    holder = (
        holder_of(application)
        if status == application.status
        else str(HOLDERS.get(status, _("Technical agencies")))
    )
    actor = event.actor.full_name if event.actor_id and event.actor else str(_("System"))
    note = (
        event.note
        if event.action in (Action.WITHDRAW, Action.RETURN, Action.REVIEW_REJECT, Action.LAPSE)
        else ""
    )
    due = None
    if (
        event.review_id
        and event.review is not None
        and (event.action.startswith("review_") or status == Status.IN_REVIEW)
    ):
        review = event.review
        holder = f"{review.agency.name}" + (
            f" ({review.assignee.full_name})" if review.assignee_id and review.assignee else ""
        )
        due = review.due_at if review.status == "in_review" else None
        if review.status == "awaiting_head_approval":
            due = review.head_due_at  # the head's own budget (issue 18)
    return Step(
        action=event.action,
        label=label,
        holder=holder,
        actor=actor,
        start=event.at,
        due=due,
        note=note,
    )


def build_timeline(application, events) -> list[Step]:
    """Steps oldest first: the draft, then one per status-changing event. Each step ends when
    the next starts; the last is current and carries the deadline of the current stage."""
    steps = [
        Step(
            action="created",
            label=str(_("Draft created")),
            holder=str(HOLDERS[Status.DRAFT]),
            actor=application.applicant.full_name,
            start=application.created_at,
        )
    ]
    events = list(events)
    doubled = _doubles(events)
    for event in events:
        if event.from_status == event.to_status and event.review_id is None:
            continue
        if event.pk in doubled:
            continue
        steps.append(step_for_event(event, application))
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
    return (
        application.pk,
        application.updated_at.isoformat() if application.updated_at else "",
        events[-1].pk if events else 0,
        len(events),
    )


def progress_html(application, events) -> SafeString:
    """The applicant page's progress section (`applications/_progress.html`), rendered once per
    change of the file, language and time zone in this process."""
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
            {"application": application, "timeline": build_timeline(application, events)},
        ),
    )


def history_html(application, events) -> SafeString:
    """The staff pages' history (`applications/_history.html`: intake check, review page,
    rejection page) of `events` (the file's, oldest first), rendered once per change of the
    file, language and time zone in this process; the events' labels are worked out only then."""
    events = list(events)
    key = (
        "history",
        *progress_version(application, events),
        translation.get_language(),
        django_timezone.get_current_timezone_name(),
    )

    def render():
        for event in events:
            event.label = event_label(event)
        return render_to_string("applications/_history.html", {"events": events})

    return PROGRESS_HTML.get_or_compute(key, render)

"""The parcel-tracker view of an application: who holds it, since when, until when.

`build_timeline(application, events)` turns the event log into steps. `holder_of(...)` says who
holds a file in a status; the workflow issue can extend `HOLDERS` and `step_for_event` with
per-OPD steps (events that carry a review).
"""

from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from django.utils.translation import gettext_lazy as _

from applications.models import Status
from applications.workflow import APPLICATION_TRANSITIONS, REVIEW_TRANSITIONS

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
}


def holder_of(application) -> str:
    """Who holds the file now, in words (for lists and the public tracking page)."""
    if application.status == Status.IN_REVIEW:
        route = application.catalog_version.snapshot.get("route", [])
        names = ", ".join(step["agency_name"] for step in route)
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


EVENT_LABELS = {
    "routed": _("Sent for technical review"),
    "inspection_scheduled": _("Field inspection scheduled"),
    "inspection_recorded": _("Field inspection done"),
    "inspection_cancelled": _("Field inspection cancelled"),
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
    if event.review_id and event.review is not None:
        return f"{label} — {event.review.agency.name}"
    return label


# An application-level event that records the same act as a review's own event (written in the
# same transaction by `application_settle`): the timeline shows the act once.
SAME_ACT = {
    "request_revision": "review_request_revision",
    "answer_revision": "review_answer_revision",
    "answer_revision_partial": "review_answer_revision",
    "propose_rejection": "review_reject",
    "send_back_rejection": "review_send_back",
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
    note = event.note if event.action in ("withdraw", "return", "review_reject") else ""
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
    if application.status not in (Status.ISSUED, Status.REJECTED, Status.WITHDRAWN):
        last.due = last.due or application.due_at
    return steps

"""Routing a file to its agencies, stage by stage (issue 18).

A permit type's route is a sequence of stages; each stage names one or several agencies that
review in parallel. Routing at acceptance opens stage 1; when every review of a stage has
recommended, `application_settle` opens the next one in the same transaction. A route whose
steps all carry stage 1 (every type filed before issue 18) opens all its reviews at once, as
before.

Lower than `reviews` and `outcome`, which both call it.
"""

from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from agencies.models import Agency
from agencies.selectors import active_officers, agency_heads
from applications.models import Application, Review, ReviewStatus
from applications.services.notifications import notify
from applications.workflow import Action, record_event
from catalog.services import route_stages
from ptsp.workdays import Calendar

OPEN_REVIEW_STATUSES = [
    ReviewStatus.IN_REVIEW,
    ReviewStatus.REVISION_REQUESTED,
    ReviewStatus.AWAITING_HEAD_APPROVAL,
]


def least_loaded_officer(agency: Agency) -> User | None:
    """The active officer of `agency` with the fewest open reviews (ties: the longest-serving)."""
    return (
        active_officers(agency)
        .annotate(
            open_reviews=Count(
                "assigned_reviews",
                filter=Q(assigned_reviews__status__in=OPEN_REVIEW_STATUSES),
            )
        )
        .order_by("open_reviews", "pk")
        .first()
    )


def region_time(instant, region) -> str:
    """`instant` as a person in `region` reads it: local time with the zone's label (WIB, WITA,
    WIT), the same on every page, e-mail and document (issue 21 item 2)."""
    local = timezone.localtime(instant, ZoneInfo(region.timezone))
    return f"{local:%d-%m-%Y %H:%M} {region.timezone_abbreviation}"


def next_stage_steps(application: Application) -> tuple[int, list[dict]]:
    """The stage to open now and its steps without a review: the first stage with an agency not
    yet routed, once every live review of the stages before it has recommended. (0, []) when
    nothing is to be opened (a stage still at work, or the route complete)."""
    reviews = {r.agency_id: r for r in application.reviews.all()}
    for steps in route_stages(application.catalog_version.snapshot):
        number = int(steps[0].get("stage", 1))
        missing = [step for step in steps if step["agency_id"] not in reviews]
        if missing:
            return number, missing
        live = [
            reviews[step["agency_id"]]
            for step in steps
            if reviews[step["agency_id"]].status != ReviewStatus.CANCELLED
        ]
        if not all(r.status == ReviewStatus.RECOMMENDED for r in live):
            return 0, []
    return 0, []


def route_open_next_stage(*, application: Application) -> list[Review]:
    """Create the reviews of the stage due now (`next_stage_steps`), each assigned to the
    least-loaded officer of its agency, with its own budget and due time from now; record a
    `routed` event per review (with its stage) and tell the officer and the agency head.

    Who may call: `application_route` and `application_settle`, holding the application row
    locked (so a duplicate or crashed run still leaves one review per agency). Returns the
    reviews created (none when no stage is due)."""
    stage, steps = next_stage_steps(application)
    if not steps:
        return []
    calendar = Calendar(application.region)
    now = timezone.now()
    agencies = Agency.objects.in_bulk([step["agency_id"] for step in steps])
    created = []
    for step in steps:
        agency = agencies[step["agency_id"]]
        assignee = least_loaded_officer(agency)
        needs_head = bool(step.get("head_approval"))
        review = Review.objects.create(
            application=application,
            agency=agency,
            assignee=assignee,
            stage=stage,
            budget_days=step["review_days"],
            due_at=calendar.add_working_days(now, step["review_days"]),
            needs_head_approval=needs_head,
            head_budget_days=int(step.get("head_approval_days") or 1) if needs_head else None,
        )
        record_event(
            application=application,
            actor=None,
            action=Action.ROUTED,
            review=review,
            data={
                "agency": agency.code,
                "assignee": assignee.pk if assignee else None,
                "stage": stage,
            },
        )
        due = region_time(review.due_at, application.region)
        notify(
            recipients=[assignee],
            kind="review_assigned",
            application=application,
            context={"due": due},
            url=reverse("applications:review", args=[review.pk]),
            dedupe=f"review:{review.pk}",
        )
        notify(
            recipients=agency_heads(agency),
            kind="review_routed_head",
            application=application,
            context={"due": due, "assignee": assignee.full_name if assignee else "—"},
            url=reverse("applications:review", args=[review.pk]),
            dedupe=f"review:{review.pk}",
        )
        created.append(review)
    return created

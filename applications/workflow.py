"""The workflow: every status change of an application or a review, in one table.

Each row says which action moves which statuses to which, and who may do it. Services call
`application_transition` / `review_transition`, which lock the row, check the table and the
actor, change the status and write the event in one transaction. Side effects (routing,
notifications, issuance) are enqueued by the calling service after commit, never here.

Actor kinds ("who") are relative to the application:
- applicant: the application's owner;
- verifier, signer, monitor: DPMPTSP staff of the application's region;
- officer: the review's assignee (or an officer of the review's agency, for inspections);
- head: the head of the review's agency;
- system: background work (actor None).
"""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Review, ReviewStatus, Role
from agencies.selectors import memberships_of
from applications.models import Application, Event, Status
from ptsp.errors import Conflict, NotAllowed

logger = logging.getLogger("ptsp.workflow")

APPLICANT = "applicant"
SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the status stays (e.g. reassign)
    who: frozenset[str]
    label: str


def _t(action: str, sources, target, who, label) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(who), label)


S = Status
R = ReviewStatus

# The application's table. `target` None would mean "computed"; every row here is explicit.
APPLICATION_TRANSITIONS = {
    t.action: t
    for t in [
        _t("submit", [S.DRAFT], S.SUBMITTED, [APPLICANT], _("Submitted")),
        _t("return", [S.SUBMITTED], S.RETURNED, [Role.VERIFIER], _("Returned for completion")),
        _t("resubmit", [S.RETURNED], S.SUBMITTED, [APPLICANT], _("Resubmitted")),
        _t(
            "accept",
            [S.SUBMITTED],
            S.IN_REVIEW,
            [Role.VERIFIER],
            _("Accepted and routed to the OPDs"),
        ),
        _t(
            "request_revision",
            [S.IN_REVIEW, S.REVISION_REQUESTED],
            S.REVISION_REQUESTED,
            [Role.OFFICER, Role.HEAD],
            _("Revision requested"),
        ),
        _t(
            "answer_revision",
            [S.REVISION_REQUESTED],
            S.IN_REVIEW,
            [APPLICANT],
            _("Revision answered"),
        ),
        _t(
            "answer_revision_partial",
            [S.REVISION_REQUESTED],
            S.REVISION_REQUESTED,
            [APPLICANT],
            _("Revision answered"),
        ),
        _t(
            "propose_rejection",
            [S.IN_REVIEW, S.REVISION_REQUESTED],
            S.REJECTION_PROPOSED,
            [Role.OFFICER, Role.HEAD],
            _("Rejection proposed by an OPD"),
        ),
        _t("recommend", [S.IN_REVIEW], S.RECOMMENDED, [SYSTEM], _("Recommended by every OPD")),
        _t("confirm_rejection", [S.REJECTION_PROPOSED], S.REJECTED, [Role.SIGNER], _("Rejected")),
        _t(
            "send_back_rejection",
            [S.REJECTION_PROPOSED],
            S.IN_REVIEW,
            [Role.SIGNER],
            _("Rejection sent back to the OPD"),
        ),
        _t(
            "start_issuance",
            [S.RECOMMENDED],
            S.ISSUING,
            [Role.SIGNER],
            _("Signed; permit being issued"),
        ),
        _t("issue", [S.ISSUING], S.ISSUED, [SYSTEM], _("Permit issued")),
        _t("issuance_failed", [S.ISSUING], S.RECOMMENDED, [SYSTEM], _("Issuance failed")),
        _t(
            "withdraw",
            [S.DRAFT, S.SUBMITTED, S.RETURNED, S.IN_REVIEW, S.REVISION_REQUESTED],
            S.WITHDRAWN,
            [APPLICANT],
            _("Withdrawn by the applicant"),
        ),
    ]
}

# The review's table.
REVIEW_TRANSITIONS = {
    t.action: t
    for t in [
        _t("recommend", [R.IN_REVIEW], R.RECOMMENDED, [Role.OFFICER, Role.HEAD], _("Recommended")),
        _t("reject", [R.IN_REVIEW], R.REJECTED, [Role.OFFICER, Role.HEAD], _("Rejection proposed")),
        _t(
            "request_revision",
            [R.IN_REVIEW],
            R.REVISION_REQUESTED,
            [Role.OFFICER, Role.HEAD],
            _("Revision requested"),
        ),
        _t(
            "answer_revision",
            [R.REVISION_REQUESTED],
            R.IN_REVIEW,
            [APPLICANT],
            _("Revision answered"),
        ),
        _t("send_back", [R.REJECTED], R.IN_REVIEW, [Role.SIGNER], _("Sent back by the signer")),
        _t(
            "reassign",
            [R.IN_REVIEW, R.REVISION_REQUESTED],
            None,
            [Role.HEAD],
            _("Reassigned"),
        ),
        _t(
            "cancel",
            [R.IN_REVIEW, R.REVISION_REQUESTED, R.REJECTED],
            R.CANCELLED,
            [SYSTEM],
            _("Closed without a decision"),
        ),
    ]
}


def actor_kinds(actor, application: Application, review: Review | None = None) -> set[str]:
    """What the actor is with respect to this application (and review)."""
    if actor is None:
        return {SYSTEM}
    kinds: set[str] = set()
    if application.applicant_id == actor.pk:
        kinds.add(APPLICANT)
    for m in memberships_of(actor):
        if m.agency.region_id != application.region_id:
            continue
        if m.role in (Role.VERIFIER, Role.SIGNER, Role.MONITOR):
            kinds.add(m.role)
        elif review is not None and m.agency_id == review.agency_id:
            if m.role == Role.HEAD:
                kinds.add(Role.HEAD)
            elif m.role == Role.OFFICER and review.assignee_id == actor.pk:
                kinds.add(Role.OFFICER)
    return kinds


def _refuse(error_class, message, *, actor, action, subject) -> None:
    logger.warning(
        "workflow refused: action=%s subject=%s actor=%s reason=%s",
        action,
        subject,
        getattr(actor, "pk", None),
        error_class.__name__,
    )
    raise error_class(message, code="workflow")


def check(transition: Transition, *, status: str, kinds: set[str], actor, subject: str) -> None:
    if not (transition.who & kinds):
        _refuse(
            NotAllowed,
            _("You may not do this."),
            actor=actor,
            action=transition.action,
            subject=subject,
        )
    if status not in transition.sources:
        _refuse(
            Conflict,
            _("This cannot be done now: the file is already “%(status)s”.")
            % {"status": _status_label(status)},
            actor=actor,
            action=transition.action,
            subject=subject,
        )


def _status_label(status: str) -> str:
    try:
        return str(Status(status).label)
    except ValueError:
        return str(ReviewStatus(status).label)


def application_check(application: Application, action: str, actor) -> None:
    """Refuse now (NotAllowed / Conflict, logged) when `actor` may not take `action` on the
    locked `application`; for services that validate more before calling the transition."""
    check(
        APPLICATION_TRANSITIONS[action],
        status=application.status,
        kinds=actor_kinds(actor, application),
        actor=actor,
        subject=f"application:{application.pk}",
    )


def allowed_actions(application: Application, actor, review: Review | None = None) -> set[str]:
    """Application actions the actor may take now (for showing buttons; services re-check)."""
    kinds = actor_kinds(actor, application, review)
    return {
        a
        for a, t in APPLICATION_TRANSITIONS.items()
        if t.who & kinds and application.status in t.sources
    }


def application_transition(
    *,
    application_id: int,
    action: str,
    actor,
    note: str = "",
    data: dict | None = None,
    review: Review | None = None,
    expected_status: str | None = None,
) -> tuple[Application, Event]:
    """Move an application by `action`, locking it; write the event; return both.

    Raises NotAllowed (wrong actor) or Conflict (wrong state, e.g. a second click). Must be
    called inside the caller's transaction when the caller changes other rows too.
    """
    transition = APPLICATION_TRANSITIONS[action]
    with transaction.atomic():
        application = Application.objects.select_for_update(no_key=True).get(pk=application_id)
        kinds = actor_kinds(actor, application, review)
        check(
            transition,
            status=application.status,
            kinds=kinds,
            actor=actor,
            subject=f"application:{application.pk}",
        )
        if expected_status and application.status != expected_status:
            _refuse(
                Conflict,
                _("The file changed meanwhile; reload the page."),
                actor=actor,
                action=action,
                subject=f"application:{application.pk}",
            )
        previous = application.status
        application.status = transition.target
        application.save(update_fields=["status", "updated_at"])
        event = Event.objects.create(
            application=application,
            review=review,
            actor=actor,
            at=timezone.now(),
            action=action,
            from_status=previous,
            to_status=transition.target,
            note=note,
            data=data or {},
        )
    return application, event


def review_transition(
    *,
    review_id: int,
    action: str,
    actor,
    note: str = "",
    data: dict | None = None,
) -> tuple[Review, Event]:
    """Move a review by `action`, locking it (and its application, first, to keep lock order);
    write the event. Raises NotAllowed or Conflict like `application_transition`."""
    transition = REVIEW_TRANSITIONS[action]
    with transaction.atomic():
        application_id = Review.objects.values_list("application_id", flat=True).get(pk=review_id)
        application = Application.objects.select_for_update(no_key=True).get(pk=application_id)
        review = (
            Review.objects.select_for_update(no_key=True).select_related("agency").get(pk=review_id)
        )
        kinds = actor_kinds(actor, application, review)
        check(
            transition,
            status=review.status,
            kinds=kinds,
            actor=actor,
            subject=f"review:{review.pk}",
        )
        previous = review.status
        if transition.target is not None:
            review.status = transition.target
            review.save(update_fields=["status"])
        event = Event.objects.create(
            application=application,
            review=review,
            actor=actor,
            at=timezone.now(),
            action=f"review_{action}",
            from_status=previous,
            to_status=review.status,
            note=note,
            data=data or {},
        )
    return review, event


def record_event(
    *, application: Application, actor, action: str, note: str = "", data=None, review=None
) -> Event:
    """An event without a status change (uploads, inspections, reassignments, notices)."""
    return Event.objects.create(
        application=application,
        review=review,
        actor=actor,
        at=timezone.now(),
        action=action,
        from_status=application.status,
        to_status=application.status,
        note=note,
        data=data or {},
    )

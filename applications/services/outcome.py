"""The end of the technical review: the application's status follows its reviews, and the
signer confirms or sends back a proposed rejection."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Review, ReviewStatus, Role
from applications.models import Application, Status
from applications.services.notifications import notify
from applications.workflow import application_check, application_transition, review_transition
from ptsp.errors import DomainError
from ptsp.workdays import Calendar


def _desired_status(statuses: list[str]) -> str:
    live = [s for s in statuses if s != ReviewStatus.CANCELLED]
    if any(s == ReviewStatus.REJECTED for s in live):
        return Status.REJECTION_PROPOSED
    if any(s == ReviewStatus.REVISION_REQUESTED for s in live):
        return Status.REVISION_REQUESTED
    if live and all(s == ReviewStatus.RECOMMENDED for s in live):
        return Status.RECOMMENDED
    return Status.IN_REVIEW


# How the application moves from its status to the one its reviews call for, and who moves it.
_SETTLE_ACTIONS = {
    (Status.IN_REVIEW, Status.REVISION_REQUESTED): "request_revision",
    (Status.REVISION_REQUESTED, Status.REVISION_REQUESTED): "request_revision",
    (Status.REVISION_REQUESTED, Status.IN_REVIEW): "answer_revision",
    (Status.IN_REVIEW, Status.REJECTION_PROPOSED): "propose_rejection",
    (Status.REVISION_REQUESTED, Status.REJECTION_PROPOSED): "propose_rejection",
    (Status.REJECTION_PROPOSED, Status.IN_REVIEW): "send_back_rejection",
    (Status.IN_REVIEW, Status.RECOMMENDED): "recommend",
}


def signers_of(application: Application):
    from accounts.models import User

    return User.objects.filter(
        is_active=True,
        memberships__agency__region=application.region_id,
        memberships__role=Role.SIGNER,
        memberships__is_active=True,
    ).distinct()


def application_settle(
    *, application_id: int, actor, review: Review | None = None, note: str = ""
) -> Application:
    """Bring the application's status in line with its reviews after a review changed.

    Called inside the transaction of the review change, by the actor who caused it (the
    "recommend" step is taken by the system). When every OPD has recommended, the issuance
    clock starts and the signers are told.
    """
    application = Application.objects.select_for_update(no_key=True).get(pk=application_id)
    statuses = list(application.reviews.values_list("status", flat=True))
    desired = _desired_status(statuses)
    if desired == application.status and desired != Status.REVISION_REQUESTED:
        return application
    action = _SETTLE_ACTIONS.get((application.status, desired))
    if action is None:
        return application
    if action == "request_revision" and desired == application.status:
        return application  # already waiting for the applicant; the review carries the request
    application, event = application_transition(
        application_id=application.pk,
        action=action,
        actor=None if action == "recommend" else actor,
        review=review,
        note=note,
    )
    if action == "recommend":
        calendar = Calendar(application.region)
        application.due_at = calendar.add_working_days(
            timezone.now(), application.catalog_version.snapshot["issuance_days"]
        )
        application.save(update_fields=["due_at", "updated_at"])
        notify(
            recipients=signers_of(application),
            kind="recommended",
            application=application,
            url=f"/signing/{application.pk}/",
            dedupe=f"event:{event.pk}",
        )
    elif action == "propose_rejection":
        notify(
            recipients=signers_of(application),
            kind="rejection_proposed",
            application=application,
            context={"agency": review.agency.name if review else ""},
            url=f"/signing/rejections/{application.pk}/",
            dedupe=f"event:{event.pk}",
        )
    return application


def application_confirm_rejection(*, application_id: int, actor, note: str = "") -> Application:
    """The signer confirms an OPD's proposed rejection: the application is rejected, the other
    open reviews are closed, the applicant is told the reasons, and a signed rejection letter
    is produced (after commit)."""
    from outbox.services import enqueue

    with transaction.atomic():
        application, event = application_transition(
            application_id=application_id, action="confirm_rejection", actor=actor, note=note
        )
        rejected = list(
            application.reviews.filter(status=ReviewStatus.REJECTED).select_related("agency")
        )
        for other in application.reviews.filter(
            status__in=[ReviewStatus.IN_REVIEW, ReviewStatus.REVISION_REQUESTED]
        ):
            review_transition(
                review_id=other.pk, action="cancel", actor=None, note=str(_("Application rejected"))
            )
        application.closed_at = timezone.now()
        application.due_at = None
        application.save(update_fields=["closed_at", "due_at", "updated_at"])
        reasons = "\n".join(f"{r.agency.name}: {r.reasons}" for r in rejected)
        notify(
            recipients=[application.applicant],
            kind="rejected",
            application=application,
            context={"reasons": reasons},
            url=f"/applications/{application.pk}/",
            dedupe=f"event:{event.pk}",
        )
        enqueue(
            "permits.tasks.issue_rejection_letter",
            args=[application.pk],
            dedupe_key=f"rejection-letter:{application.pk}",
        )
    return application


def application_send_back_rejection(*, application_id: int, actor, note: str) -> Application:
    """The signer does not confirm a proposed rejection: the rejecting review goes back to its
    OPD (same officer) with the signer's note, and the application follows its reviews."""
    if not note.strip():
        raise DomainError(_("Say why the rejection is sent back."), field="note")
    with transaction.atomic():
        application = Application.objects.select_for_update(no_key=True).get(pk=application_id)
        if application.status != Status.REJECTION_PROPOSED:
            application_check(application, "send_back_rejection", actor)
        reviews = list(
            application.reviews.filter(status=ReviewStatus.REJECTED).select_related("assignee")
        )
        events = [
            review_transition(review_id=review.pk, action="send_back", actor=actor, note=note)[1]
            for review in reviews
        ]
        application = application_settle(application_id=application.pk, actor=actor, note=note)
        notify(
            recipients=[r.assignee for r in reviews],
            kind="rejection_sent_back",
            application=application,
            context={"note": note},
            dedupe=f"event:{events[-1].pk}" if events else "",
        )
    return application

"""The end of the technical review: the application's status follows its reviews, and the
signer confirms or sends back a proposed rejection."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from agencies.models import Role
from applications import gates
from applications.models import Application, LegalState, Review, ReviewStatus, Status
from applications.services.notifications import notify
from applications.services.routing import route_open_next_stage
from applications.workflow import (
    Action,
    application_check,
    application_transition,
    review_transition,
    settle_action,
    status_for_reviews,
)
from catalog.legal import legal_of
from outbox.services import enqueue
from ptsp.errors import DomainError
from ptsp.workdays import Calendar

# Whether the applicant is told of a confirmed rejection when the signer confirms it, or later,
# when its letter is signed: a region that signs with BSrE makes the letter wait for a signer's
# passphrase or code (docs/issuance.md, "Rejection letters"). `permits` registers the answer
# from its AppConfig.ready, so that this app never imports the one above it.
_REJECTION_NOTICE_DEFERRALS: list = []


def register_rejection_notice_deferral(predicate) -> None:
    """Add `predicate(application) -> bool` (idempotent). Called by `permits.apps`."""
    if predicate not in _REJECTION_NOTICE_DEFERRALS:
        _REJECTION_NOTICE_DEFERRALS.append(predicate)


def rejection_notice_deferred(application: Application) -> bool:
    """Whether the applicant hears of the rejection only once its letter is signed (then the
    letter's signing sends the same notice, under the same deduplication key)."""
    return any(predicate(application) for predicate in _REJECTION_NOTICE_DEFERRALS)


def rejection_notice(application: Application, event, reasons: str) -> None:
    """The applicant's notice of a confirmed rejection (`event`), sent once whoever sends it:
    this service, or the signing of the letter in a BSrE region."""
    notify(
        recipients=[application.applicant],
        kind="rejected",
        application=application,
        context={"reasons": reasons},
        url=reverse("applications:detail", args=[application.pk]),
        dedupe=f"event:{event.pk}",
    )


# The `auto` policy's issuance (permits.tasks, named: this app sits below permits).
DEEMED_ISSUE_TASK = "permits.tasks.issue_deemed_permit"


def signers_of(application: Application):
    return User.objects.filter(
        is_active=True,
        memberships__agency__region=application.region_id,
        memberships__role=Role.SIGNER,
        memberships__is_active=True,
    ).distinct()


def application_settle(
    *,
    application_id: int,
    actor,
    review: Review | None = None,
    note: str = "",
    data: dict | None = None,
) -> Application:
    """Bring the application's status in line with its reviews after a review changed.

    Called inside the transaction of the review change, by the actor who caused it (the
    "recommend" step is taken by the system). When every OPD of a stage has recommended and a
    later stage waits, that stage's reviews are created (`routing.route_open_next_stage`) and
    the file stays in review. When every OPD has recommended, the issuance clock starts and
    the signers are told.
    """
    application = Application.objects.select_for_update(no_key=True).get(pk=application_id)
    statuses = list(application.reviews.values_list("status", flat=True))
    desired = status_for_reviews(statuses)
    # A route in stages (issue 18): every review so far recommends; while a later stage
    # waits, it opens now (in this transaction) and the file stays in review.
    if (
        desired == Status.RECOMMENDED
        and application.status == Status.IN_REVIEW
        and route_open_next_stage(application=application)
    ):
        return application
    if desired == Status.RECOMMENDED and gates.levy_of_application(application) is not None:
        desired = Status.AWAITING_PAYMENT
    if desired == application.status and desired != Status.REVISION_REQUESTED:
        return application
    action = settle_action(application.status, desired)
    if action is None:
        return application
    if action == Action.REQUEST_REVISION and desired == application.status:
        return application  # already waiting for the applicant; the review carries the request
    application, event = application_transition(
        application_id=application.pk,
        action=action,
        actor=None if action in (Action.RECOMMEND, Action.AWAIT_PAYMENT) else actor,
        review=review,
        note=note,
        data=data,
    )
    if action == Action.RECOMMEND:
        _to_the_signer(application, event)
    elif action == Action.AWAIT_PAYMENT:
        application.due_at = None  # the applicant's time: no stage clock runs
        application.save(update_fields=["due_at", "updated_at"])
        gates.bill(application, actor=actor)
    elif action == Action.PROPOSE_REJECTION:
        notify(
            recipients=signers_of(application),
            kind="rejection_proposed",
            application=application,
            context={"agency": review.agency.name if review else ""},
            url=reverse("applications:rejection", args=[application.pk]),
            dedupe=f"event:{event.pk}",
        )
    return application


def _to_the_signer(application: Application, event) -> None:
    """Recommended (and paid, when levied): the issuance clock starts, the signers are told."""
    calendar = Calendar(application.region)
    application.due_at = calendar.add_working_days(
        timezone.now(), application.catalog_version.snapshot["issuance_days"]
    )
    application.save(update_fields=["due_at", "updated_at"])
    notify(
        recipients=signers_of(application),
        kind="recommended",
        application=application,
        url=reverse("permits:sign", args=[application.pk]),
        dedupe=f"event:{event.pk}",
    )


def application_payment_confirm(
    *, application_id: int, actor=None, note: str = "", data=None
) -> Application:
    """The levy of a file waiting for payment is paid: it moves to the signer's queue.

    Who may call: `fees` (the bank's payment post, the treasurer's confirmation), inside the
    transaction that records the payment; the transition is the system's (the bank) or the
    region's treasurer's (`actor`, a proof confirmed). Changes: the
    application awaiting_payment → recommended (event "payment_confirmed"), its issuance
    deadline. Sends: the signers' notice. Raises Conflict when the file is not waiting for
    payment (e.g. already moved on)."""
    with transaction.atomic():
        application, event = application_transition(
            application_id=application_id,
            action=Action.PAYMENT_CONFIRMED,
            actor=actor,
            note=note,
            data=data,
        )
        _to_the_signer(application, event)
        legal = legal_of(application.catalog_version.snapshot) or {}
        if application.legal_state == LegalState.DEEMED and legal.get("policy") == "auto":
            # A deemed approval under `auto` waited for its levy (PP 16/2021): issue it now.
            enqueue(
                DEEMED_ISSUE_TASK,
                args=[application.pk],
                dedupe_key=f"deemed-issue:{application.pk}:paid:{event.pk}",
            )
    return application


def application_bill_deemed(*, application_id: int, actor, note: str = "", data=None):
    """A levied file deemed approved before its levy was billed: the region's treasurer has
    assessed the levy (`fees.cases.deemed_levy_assess`, in this transaction); the file waits
    for payment like any levied file. Who may call: `fees`, inside the transaction that stores
    the assessment. Changes: recommended → awaiting_payment (event "bill_deemed", by the
    treasurer), no stage deadline while the applicant pays, the bill (through
    `applications.gates`). Raises Conflict when the file is not a recommended one."""
    with transaction.atomic():
        application, _event = application_transition(
            application_id=application_id,
            action=Action.BILL_DEEMED,
            actor=actor,
            note=note,
            data=data,
        )
        application.due_at = None  # the applicant's time: no stage clock runs
        application.save(update_fields=["due_at", "updated_at"])
        gates.bill(application, actor=actor)
    return application


def application_confirm_rejection(*, application_id: int, actor, note: str = "") -> Application:
    """The signer confirms an OPD's proposed rejection: the application is rejected, the other
    open reviews are closed, the applicant is told the reasons, and a signed rejection letter
    is produced (after commit). In a region that signs with BSrE (`rejection_notice_deferred`)
    the letter waits for a signer's BSrE passphrase or code and the applicant is told when it
    is signed, not now."""
    with transaction.atomic():
        application, event = application_transition(
            application_id=application_id, action=Action.CONFIRM_REJECTION, actor=actor, note=note
        )
        rejected = list(
            application.reviews.filter(status=ReviewStatus.REJECTED).select_related("agency")
        )
        for other in application.reviews.filter(
            status__in=[ReviewStatus.IN_REVIEW, ReviewStatus.REVISION_REQUESTED]
        ):
            review_transition(
                review_id=other.pk,
                action=Action.REVIEW_CANCEL,
                actor=None,
                note=str(_("Application rejected")),
            )
        application.closed_at = timezone.now()
        application.due_at = None
        application.save(update_fields=["closed_at", "due_at", "updated_at"])
        reasons = "\n".join(f"{r.agency.name}: {r.reasons}" for r in rejected)
        if not rejection_notice_deferred(application):
            rejection_notice(application, event, reasons)
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
            application_check(application, Action.SEND_BACK_REJECTION, actor)
        reviews = list(
            application.reviews.filter(status=ReviewStatus.REJECTED).select_related("assignee")
        )
        events = [
            review_transition(
                review_id=review.pk, action=Action.REVIEW_SEND_BACK, actor=actor, note=note
            )[1]
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


def application_bill_expired(
    *, application_id: int, reassess: bool, note: str = "", data=None
) -> Application:
    """The levy bill of a file waiting for payment expired unpaid; the region's rule says what
    follows. Who may call: `fees` (its expiry sweep), inside the transaction that marks the
    bill expired; the move is the system's.

    `reassess`: the file goes back to the assessing agency — its review reopens (recommended →
    in review, a fresh review budget) for a new assessment, and its recommendation bills again.
    Otherwise the file is closed (rejected: no permit without the levy paid). Changes: the
    application's status and event (`bill_expired_reassess` / `bill_expired_close`), the
    review (back in the agency's queue). Sends: the applicant's notice. Raises
    Conflict when the file is not waiting for payment.

    A deemed approval (its assessing OPD's review closed by the deemed approval) has no
    review to reopen: under `reassess` it goes back to recommended, on the treasurer's list
    of deemed files to assess (`bill_expired_deemed`)."""
    with transaction.atomic():
        deemed = (
            reassess
            and Application.objects.filter(
                pk=application_id, legal_state=LegalState.DEEMED
            ).exists()
        )
        if deemed:
            action = Action.BILL_EXPIRED_DEEMED
        else:
            action = Action.BILL_EXPIRED_REASSESS if reassess else Action.BILL_EXPIRED_CLOSE
        application, event = application_transition(
            application_id=application_id, action=action, actor=None, note=note, data=data
        )
        if reassess and not deemed:
            levy = gates.levy_of_application(application)
            review = (
                application.reviews.filter(
                    agency_id=levy["assessing_agency_id"] if levy else None,
                    status=ReviewStatus.RECOMMENDED,
                )
                .order_by("-id")
                .first()
            )
            if review is not None:
                review, _event = review_transition(
                    review_id=review.pk, action=Action.REVIEW_REOPEN, actor=None, note=note
                )
                review.due_at = Calendar(application.region).add_working_days(
                    timezone.now(), review.budget_days
                )
                review.decided_at = None
                review.decided_by = None
                review.save(update_fields=["due_at", "decided_at", "decided_by"])
        elif not reassess:
            # Closed without a permit. (A deemed file under reassess stays open: it waits,
            # recommended, for the treasurer's new assessment.)
            application.closed_at = timezone.now()
        application.due_at = None
        application.save(update_fields=["closed_at", "due_at", "updated_at"])
        notify(
            recipients=[application.applicant],
            kind="skrd_expired",
            application=application,
            context={"reassess": reassess, "deemed": deemed, "note": note},
            url=reverse("applications:detail", args=[application.pk]),
            dedupe=f"event:{event.pk}",
        )
    return application

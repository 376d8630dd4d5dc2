"""The workflow: every status change of an application, a review or a permit, in one module.

Three tables (application, review, permit); each row says which action moves which statuses to
which, and who may do it. Services call `application_transition` / `review_transition` /
`permit_transition`, which check the table and the actor, change the status and write the event
in one transaction. Side effects (routing, notifications, issuance) are enqueued by the calling
service after commit, never here.

How the application follows its reviews is part of the application's table: the rows marked
`follows_reviews` are the moves `applications.services.outcome.application_settle` takes, and
`status_for_reviews` says which status the reviews call for.

`Action` names every event the log can hold, derived from the tables (and the few events that
change no status, `RECORDED_EVENTS`): code that reads or writes events uses it, not strings.

Actor kinds ("who") are relative to the application:
- applicant: the application's owner;
- verifier, signer, monitor, treasurer: DPMPTSP staff of the application's region;
- officer: the review's assignee (or an officer of the review's agency, for inspections);
- head: the head of the review's agency;
- system: background work (actor None).
"""

import enum
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Role
from agencies.selectors import memberships_of
from applications import gates
from applications.models import Application, Event, Review, ReviewStatus, Status
from applications.signals import event_recorded
from catalog.legal import legal_of
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
    # The application's rows that `application_settle` takes when its reviews change.
    follows_reviews: bool = False
    # The permit's rows: the event written on the application (None: the application's own
    # transition in the same service records the act).
    event: str | None = None


def _t(action: str, sources, target, who, label, **extra) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(who), label, **extra)


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
            follows_reviews=True,
        ),
        _t(
            "answer_revision",
            [S.REVISION_REQUESTED],
            S.IN_REVIEW,
            [APPLICANT],
            _("Revision answered"),
            follows_reviews=True,
        ),
        _t(
            "propose_rejection",
            [S.IN_REVIEW, S.REVISION_REQUESTED],
            S.REJECTION_PROPOSED,
            [Role.OFFICER, Role.HEAD],
            _("Rejection proposed by an OPD"),
            follows_reviews=True,
        ),
        _t(
            "recommend",
            [S.IN_REVIEW],
            S.RECOMMENDED,
            [SYSTEM],
            _("Recommended by every OPD"),
            follows_reviews=True,
        ),
        # A levied permit type (issue 17): once every OPD recommends, the file waits for the
        # applicant to pay the bill (the SKRD, issued by `fees` through `applications.gates`);
        # the bank's confirmation or the treasurer's moves it to the signer.
        _t(
            "await_payment",
            [S.IN_REVIEW],
            S.AWAITING_PAYMENT,
            [SYSTEM],
            _("Recommended by every OPD; levy billed, waiting for payment"),
            follows_reviews=True,
        ),
        _t(
            "payment_confirmed",
            [S.AWAITING_PAYMENT],
            S.RECOMMENDED,
            [SYSTEM, Role.TREASURER],
            _("Levy paid; awaiting signature"),
        ),
        # The bill expired unpaid (the fees sweep, per the region's levy policy): either back
        # to the assessing agency, whose review reopens for a new assessment and SKRD, or the
        # file is closed without a permit (PP 16/2021: no permit before the levy is paid).
        _t(
            "bill_expired_reassess",
            [S.AWAITING_PAYMENT],
            S.IN_REVIEW,
            [SYSTEM],
            _("Levy bill expired unpaid; back to the assessing agency"),
        ),
        _t(
            "bill_expired_close",
            [S.AWAITING_PAYMENT],
            S.REJECTED,
            [SYSTEM],
            _("Levy bill expired unpaid; file closed"),
        ),
        # A levied file deemed approved before its levy was billed (deemed from review: the
        # assessing OPD never recommended): the DPMPTSP's treasurer assesses the levy from the
        # application and issues the SKRD (fees.cases.deemed_levy_assess); the payment then
        # returns it to the signer or to the automatic issuance. Its bill expiring unpaid under
        # a "reassess" rule brings it back to the treasurer's list (no OPD review to reopen).
        _t(
            "bill_deemed",
            [S.RECOMMENDED],
            S.AWAITING_PAYMENT,
            [Role.TREASURER],
            _("Deemed approval's levy assessed by the treasurer; waiting for payment"),
        ),
        _t(
            "bill_expired_deemed",
            [S.AWAITING_PAYMENT],
            S.RECOMMENDED,
            [SYSTEM],
            _("Levy bill expired unpaid; the deemed approval waits for a new assessment"),
        ),
        # Issue 18: no decision within the legal deadline - deemed granted by law (UU 30/2014
        # art. 53, fiktif positif); the file goes to the signer as a deemed approval. Only the
        # sweep's legal guard takes it (applications/sla/legal.py).
        _t(
            "deem_approve",
            [S.IN_REVIEW, S.REJECTION_PROPOSED, S.RECOMMENDED],
            S.RECOMMENDED,
            [SYSTEM],
            _("Deemed approved by law (fiktif positif); awaiting signature"),
        ),
        _t("confirm_rejection", [S.REJECTION_PROPOSED], S.REJECTED, [Role.SIGNER], _("Rejected")),
        _t(
            "send_back_rejection",
            [S.REJECTION_PROPOSED],
            S.IN_REVIEW,
            [Role.SIGNER],
            _("Rejection sent back to the OPD"),
            follows_reviews=True,
        ),
        _t(
            "start_issuance",
            [S.RECOMMENDED],
            S.ISSUING,
            [Role.SIGNER],
            _("Signed; permit being issued"),
        ),
        # Issue 18, the `auto` policy: a deemed approval issued with no person signing, sealed
        # by the region's own certificate (permits.services.issuance.permit_issue_deemed).
        _t(
            "issue_deemed",
            [S.RECOMMENDED],
            S.ISSUING,
            [SYSTEM],
            _("Deemed approval issued automatically (electronic seal)"),
        ),
        _t("issue", [S.ISSUING], S.ISSUED, [SYSTEM], _("Permit issued")),
        _t("issuance_failed", [S.ISSUING], S.RECOMMENDED, [SYSTEM], _("Issuance failed")),
        # The applicant's correction period ended unanswered (issue 18 part B,
        # applications.sla.corrections): the file lapses (final), or, for an OPD's revision
        # request where the type says so, goes back to the OPD (not a `follows_reviews` row:
        # the system takes it, never `application_settle`).
        _t(
            "lapse",
            [S.RETURNED, S.REVISION_REQUESTED],
            S.LAPSED,
            [SYSTEM],
            _("Lapsed: not corrected within the period"),
        ),
        _t(
            "correction_expired",
            [S.REVISION_REQUESTED],
            S.IN_REVIEW,
            [SYSTEM],
            _("Correction period ended; back to the OPD"),
        ),
        _t(
            "withdraw",
            # awaiting_payment too (issue 17): the unpaid SKRD is cancelled with it (fees
            # listens to the event, fees.cases.bill_cancel_on_withdraw); a paid one has moved on.
            [
                S.DRAFT,
                S.SUBMITTED,
                S.RETURNED,
                S.IN_REVIEW,
                S.REVISION_REQUESTED,
                S.AWAITING_PAYMENT,
            ],
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
        # Issue 18: where the route step asks for it, the officer's recommendation waits for
        # the agency head, who approves it (then it counts) or sends it back with a note.
        # `recommend_action` says which of the two rows a recommendation takes.
        _t(
            "submit_for_approval",
            [R.IN_REVIEW],
            R.AWAITING_HEAD_APPROVAL,
            [Role.OFFICER],
            _("Recommendation sent to the agency head for approval"),
        ),
        _t(
            "head_approve",
            [R.AWAITING_HEAD_APPROVAL],
            R.RECOMMENDED,
            [Role.HEAD],
            _("Recommendation approved by the agency head"),
        ),
        _t(
            "head_send_back",
            [R.AWAITING_HEAD_APPROVAL],
            R.IN_REVIEW,
            [Role.HEAD],
            _("Recommendation sent back by the agency head"),
        ),
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
            "correction_expired",
            [R.REVISION_REQUESTED],
            R.IN_REVIEW,
            [SYSTEM],
            _("Correction period ended; back to the OPD"),
        ),
        _t(
            "reassign",
            [R.IN_REVIEW, R.REVISION_REQUESTED, R.AWAITING_HEAD_APPROVAL],
            None,
            [Role.HEAD],
            _("Reassigned"),
        ),
        _t(
            "cancel",
            [R.IN_REVIEW, R.REVISION_REQUESTED, R.REJECTED, R.AWAITING_HEAD_APPROVAL],
            R.CANCELLED,
            [SYSTEM],
            _("Closed without a decision"),
        ),
        # Issue 18: the file was deemed approved by law while this review was open; it ends
        # without the OPD's decision (only the legal guard takes it, `applications.sla.legal`).
        # A terminal state: nothing moves a review out of it (`review_transition` says why).
        _t(
            "close_deemed",
            [R.IN_REVIEW, R.REVISION_REQUESTED, R.AWAITING_HEAD_APPROVAL],
            R.CLOSED_DEEMED,
            [SYSTEM],
            _("Closed: deemed approved by law"),
        ),
        _t(
            "reopen",
            [R.RECOMMENDED],
            R.IN_REVIEW,
            [SYSTEM],
            _("Reopened: the levy bill expired unpaid"),
        ),
    ]
}


# A permit's statuses (the values of `permits.models.Permit.Status`; a test keeps them equal).
# The workflow sits below `permits`, so it names them rather than importing them.
PERMIT_ISSUING = "issuing"
PERMIT_VALID = "valid"
PERMIT_REVOKED = "revoked"
PERMIT_EXPIRED = "expired"

# The permit's table. A permit is created issuing (by `permits.services.issuance.permit_issue`).
PERMIT_TRANSITIONS = {
    t.action: t
    for t in [
        _t(
            "retry_issuance",
            [PERMIT_ISSUING],
            PERMIT_ISSUING,
            [Role.SIGNER],
            _("Issuance tried again"),
        ),
        _t("complete_issuance", [PERMIT_ISSUING], PERMIT_VALID, [SYSTEM], _("Permit signed")),
        _t(
            "revoke",
            [PERMIT_VALID],
            PERMIT_REVOKED,
            [Role.SIGNER],
            _("Permit revoked"),
            event="permit_revoked",
        ),
        _t(
            "expire",
            [PERMIT_VALID],
            PERMIT_EXPIRED,
            [SYSTEM],
            _("Permit expired"),
            event="permit_expired",
        ),
    ]
}

# Events that change no status (`record_event`), with their words for the timeline.
RECORDED_EVENTS = {
    "routed": _("Sent for technical review"),
    "inspection_scheduled": _("Field inspection scheduled"),
    "inspection_recorded": _("Field inspection done"),
    "inspection_cancelled": _("Field inspection cancelled"),
    "levy_assessed": _("Levy assessed"),
    "skrd_issued": _("Levy bill (SKRD) issued"),
    "strd_issued": _("Late-payment interest bill (STRD) issued"),
    "decided_late": _("Decided after the legal deadline"),
    "intake_late": _("Document check finished after its legal deadline"),
}


def _action_names() -> dict[str, str]:
    names = {action.upper(): action for action in APPLICATION_TRANSITIONS}
    names |= {f"REVIEW_{action.upper()}": f"review_{action}" for action in REVIEW_TRANSITIONS}
    names |= {t.event.upper(): t.event for t in PERMIT_TRANSITIONS.values() if t.event}
    names |= {action.upper(): action for action in RECORDED_EVENTS}
    return names


# Every event action, derived from the tables: `Action.SUBMIT == "submit"`,
# `Action.REVIEW_RECOMMEND == "review_recommend"`, `Action.PERMIT_EXPIRED`, `Action.ROUTED`.
Action = enum.StrEnum("Action", _action_names())


def recommend_action(review: Review, actor) -> str:
    """The review row a recommendation takes: `submit_for_approval` when the route step asks
    for the head's approval and the actor is not the head (the head's own recommendation
    counts at once), else `recommend`."""
    if review.needs_head_approval and Role.HEAD not in actor_kinds(
        actor, review.application, review
    ):
        return "submit_for_approval"
    return "recommend"


def status_for_reviews(statuses: list[str]) -> str:
    """The application status its reviews call for: any rejection proposes rejecting; else any
    revision request waits for the applicant; else recommended once every live review is;
    else in review (a recommendation awaiting the head's approval does not count yet).
    Cancelled reviews, and those closed by a deemed approval, do not count."""
    live = [s for s in statuses if s not in (ReviewStatus.CANCELLED, ReviewStatus.CLOSED_DEEMED)]
    if any(s == ReviewStatus.REJECTED for s in live):
        return Status.REJECTION_PROPOSED
    if any(s == ReviewStatus.REVISION_REQUESTED for s in live):
        return Status.REVISION_REQUESTED
    if live and all(s == ReviewStatus.RECOMMENDED for s in live):
        return Status.RECOMMENDED
    return Status.IN_REVIEW


def settle_action(status: str, desired: str) -> str | None:
    """The application action (a `follows_reviews` row) that moves `status` to `desired`, or
    None when the table has no such move."""
    for transition in APPLICATION_TRANSITIONS.values():
        if (
            transition.follows_reviews
            and status in transition.sources
            and transition.target == desired
        ):
            return transition.action
    return None


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
        if m.role in (Role.VERIFIER, Role.SIGNER, Role.MONITOR, Role.TREASURER):
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
    for choices in (Status, ReviewStatus):
        try:
            return str(choices(status).label)
        except ValueError:
            continue
    return status


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


def allowed_review_actions(review: Review, actor) -> set[str]:
    """Review actions the actor may take now on `review` (for showing buttons; services
    re-check): the review table's answer to "who may decide"."""
    kinds = actor_kinds(actor, review.application, review)
    return {
        a for a, t in REVIEW_TRANSITIONS.items() if t.who & kinds and review.status in t.sources
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
        if action in ("start_issuance", "issue_deemed"):
            # The key safety rule of issue 17: a levied file reaches the signer only paid,
            # whoever calls (web, API, a task); the check fails closed.
            refusal = gates.sign_refusal(application)
            if refusal:
                _refuse(
                    Conflict,
                    refusal,
                    actor=actor,
                    action=action,
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
        event = _write_event(
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


def closed_deemed_message(application: Application) -> str:
    """What an OPD is told when it acts on a review closed by the file's deemed approval."""
    legal = legal_of(application.catalog_version.snapshot) if application.catalog_version else None
    when = ""
    if application.deemed_at:
        when = timezone.localtime(application.deemed_at, ZoneInfo(application.region.timezone))
        when = f"{when:%d-%m-%Y %H:%M} {application.region.timezone_abbreviation}"
    return str(
        _(
            "This review is closed: the file was deemed approved by law on %(when)s (%(basis)s) "
            "because no decision came within the legal deadline. Nothing was recorded; the "
            "file is with the DPMPTSP's signer."
        )
        % {"when": when or "—", "basis": (legal or {}).get("basis", "") or "—"}
    )


def review_transition(
    *,
    review_id: int,
    action: str,
    actor,
    note: str = "",
    data: dict | None = None,
) -> tuple[Review, Event]:
    """Move a review by `action`, locking it (and its application, first, to keep lock order);
    write the event. `action` is the review table's key ("recommend") or its event name
    (`Action.REVIEW_RECOMMEND`). Raises NotAllowed or Conflict like `application_transition`."""
    action = str(action).removeprefix("review_")
    transition = REVIEW_TRANSITIONS[action]
    with transaction.atomic():
        application_id = Review.objects.values_list("application_id", flat=True).get(pk=review_id)
        application = Application.objects.select_for_update(no_key=True).get(pk=application_id)
        review = (
            Review.objects.select_for_update(no_key=True).select_related("agency").get(pk=review_id)
        )
        kinds = actor_kinds(actor, application, review)
        if review.status == ReviewStatus.CLOSED_DEEMED and transition.who & kinds:
            # Who may act gets the reason (the wrong actor is refused as such, below).
            _refuse(
                Conflict,
                closed_deemed_message(application),
                actor=actor,
                action=action,
                subject=f"review:{review.pk}",
            )
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
        event = _write_event(
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


def permit_transition(*, permit, action: str, actor, note: str = "", data=None) -> Event | None:
    """Move a permit by `action` of the permit table; the caller (permits.services) holds the
    permit row locked, saves it with its other fields, and passes it in. Writes the row's event
    on the application (its status unchanged; the permit's statuses in `data`). Raises
    NotAllowed (wrong actor) or Conflict (wrong state)."""
    transition = PERMIT_TRANSITIONS[action]
    kinds = {SYSTEM} if actor is None else actor_kinds(actor, permit.application)
    check(transition, status=permit.status, kinds=kinds, actor=actor, subject=f"permit:{permit.pk}")
    previous = permit.status
    permit.status = transition.target
    if transition.event is None:
        return None
    application = permit.application
    return _write_event(
        application=application,
        actor=actor,
        at=timezone.now(),
        action=transition.event,
        from_status=application.status,
        to_status=application.status,
        note=note,
        data={"permit": permit.number, "from": previous, "to": transition.target, **(data or {})},
    )


def _write_event(**fields) -> Event:
    """Write one event and tell the apps above (`applications.signals.event_recorded`), in the
    caller's transaction."""
    event = Event.objects.create(**fields)
    event_recorded.send(sender=Event, event=event)
    return event


def record_event(
    *, application: Application, actor, action: str, note: str = "", data=None, review=None
) -> Event:
    """An event without a status change (`RECORDED_EVENTS`: routing, inspections)."""
    if action not in RECORDED_EVENTS:
        raise ValueError(f"not an event without a status change: {action}")
    return _write_event(
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

"""Writes for OPD reviews: routing a file to its agencies, assignment, inspections, decisions
(moved from `agencies.services`, issue 15: a review is part of the case).

Every status change goes through `applications.workflow`; the application's own status follows
its reviews through `applications.services.outcome.application_settle`.
"""

from datetime import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from agencies.models import Role
from agencies.selectors import active_officers, agency_heads, memberships_of
from applications import gates
from applications.business import BUSINESS_FIELDS
from applications.models import Application, Inspection, Review, ReviewStatus, Status
from applications.services.notifications import notify
from applications.services.outcome import application_settle
from applications.services.routing import (  # noqa: F401  (the names stay importable here)
    OPEN_REVIEW_STATUSES,
    least_loaded_officer,
    region_time,
    route_open_next_stage,
)
from applications.sla.corrections import correction_open, local_due
from applications.uploads import check_upload
from applications.workflow import (
    Action,
    closed_deemed_message,
    recommend_action,
    record_event,
    review_transition,
)
from ptsp.errors import Conflict, DomainError, NotAllowed
from ptsp.workdays import Calendar


def application_route(*, application_id: int) -> list[Review]:
    """Open the application's route (as filed): the reviews of its first stage (every agency,
    for a one-stage route), each assigned to the least-loaded officer, with its due time from
    the SLA budget, and notify (`routing.route_open_next_stage`). Later stages open when the
    stage before them has recommended (`outcome.application_settle`).

    Who may call: the routing task (system). Idempotent: the application row is locked and a
    review is created only for agencies that have none, so a duplicate or crashed run still
    leaves exactly one review per agency. Does nothing unless the application is in review.
    """
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(no_key=True)
            .select_related("region", "catalog_version")
            .get(pk=application_id)
        )
        if application.status not in (Status.IN_REVIEW, Status.REVISION_REQUESTED):
            return []
        return route_open_next_stage(application=application)


def review_reassign(*, review_id: int, actor: User, assignee_id: int, note: str = "") -> Review:
    """The agency head gives an open review to another active officer of the agency.

    Raises NotAllowed for anyone but the head, DomainError for an officer outside the agency.
    """
    with transaction.atomic():
        review = Review.objects.select_related("agency", "application__region").get(pk=review_id)
        assignee = active_officers(review.agency).filter(pk=assignee_id).first()
        if assignee is None:
            raise DomainError(_("Choose an active officer of this agency."), field="assignee")
        review, _event = review_transition(
            review_id=review_id,
            action=Action.REVIEW_REASSIGN,
            actor=actor,
            note=note,
            data={"from": review.assignee_id, "to": assignee.pk},
        )
        if review.assignee_id == assignee.pk:
            return review
        Review.objects.filter(pk=review.pk).update(assignee=assignee)
        review.assignee = assignee
        notify(
            recipients=[assignee],
            kind="review_assigned",
            application=review.application,
            context={"due": region_time(review.due_at, review.application.region)},
            url=reverse("applications:review", args=[review.pk]),
            dedupe=f"reassign:{_event.pk}",
        )
    return review


def _officer_of(review: Review, actor: User) -> bool:
    return any(
        m.agency_id == review.agency_id and m.role in (Role.OFFICER, Role.HEAD)
        for m in memberships_of(actor)
    )


def inspection_schedule(
    *, review_id: int, actor: User, scheduled_for: datetime, place: str
) -> Inspection:
    """An officer or head of the reviewing agency schedules a field inspection; the applicant is told."""
    with transaction.atomic():
        review = (
            Review.objects.select_for_update(no_key=True)
            .select_related("application", "agency")
            .get(pk=review_id)
        )
        if not _officer_of(review, actor):
            raise NotAllowed(_("You may not do this."))
        if review.status != ReviewStatus.IN_REVIEW:
            raise DomainError(_("An inspection can be scheduled only while the review is open."))
        if not place.strip():
            raise DomainError(_("Say where the inspection takes place."), field="place")
        if scheduled_for <= timezone.now():
            raise DomainError(
                _("The inspection must be scheduled in the future."), field="scheduled_for"
            )
        inspection = Inspection.objects.create(
            review=review, scheduled_for=scheduled_for, place=place.strip(), scheduled_by=actor
        )
        record_event(
            application=review.application,
            actor=actor,
            action=Action.INSPECTION_SCHEDULED,
            review=review,
            data={"when": scheduled_for.isoformat(), "place": inspection.place},
        )
        notify(
            recipients=[review.application.applicant],
            kind="inspection_scheduled",
            application=review.application,
            context={
                "agency": review.agency.name,
                "when": region_time(scheduled_for, review.application.region),
                "place": inspection.place,
            },
            dedupe=f"inspection:{inspection.pk}",
        )
    return inspection


def inspection_record(*, inspection_id: int, actor: User, result: str, photos=()) -> Inspection:
    """Record the result (berita acara) of an inspection, with optional photos (JPEG/PNG).

    Who: an officer or the head of the review's agency. Once recorded the result is the
    record of what was seen: it cannot be written again (Conflict), nothing changes."""
    with transaction.atomic():
        inspection = (
            Inspection.objects.select_for_update()
            .select_related("review__application")
            .get(pk=inspection_id)
        )
        review = inspection.review
        if not _officer_of(review, actor):
            raise NotAllowed(_("You may not do this."))
        if inspection.recorded_at is not None:
            raise Conflict(
                _(
                    "The result of this inspection was already recorded and cannot be changed. "
                    "Schedule a new inspection to record another visit."
                )
            )
        if not result.strip():
            raise DomainError(_("Write the result of the inspection."), field="result")
        inspection.result = result.strip()
        inspection.recorded_at = timezone.now()
        inspection.save(update_fields=["result", "recorded_at"])
        for photo in photos:
            checked = check_upload(photo, accepted_kinds=["jpeg", "png"], max_size_kb=10240)
            photo_row = inspection.photos.model(
                inspection=inspection,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
            )
            photo_row.file.save("photo", ContentFile(checked.data), save=True)
        record_event(
            application=review.application,
            actor=actor,
            action=Action.INSPECTION_RECORDED,
            review=review,
            note=inspection.result,
            data={"inspection": inspection.pk, "photos": len(photos)},
        )
    return inspection


def inspection_cancel(*, inspection_id: int, actor: User, reason: str) -> Inspection:
    """Cancel a scheduled inspection that will not take place, with the reason. Who: an officer
    or the head of the review's agency. Changes: `cancelled_at/by`, `cancel_reason`; an event on
    the application. Raises DomainError (no reason), NotAllowed (someone else), Conflict (the
    result is recorded or it was cancelled already)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        inspection = (
            Inspection.objects.select_for_update()
            .select_related("review__application")
            .get(pk=inspection_id)
        )
        review = inspection.review
        if not _officer_of(review, actor):
            raise NotAllowed(_("You may not do this."))
        if not inspection.is_open:
            raise Conflict(_("This inspection already has a result or was cancelled."))
        if not reason:
            raise DomainError(_("Say why the inspection is cancelled."), field="cancel_reason")
        inspection.cancelled_at = timezone.now()
        inspection.cancelled_by = actor
        inspection.cancel_reason = reason
        inspection.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
        record_event(
            application=review.application,
            actor=actor,
            action=Action.INSPECTION_CANCELLED,
            review=review,
            note=reason,
            data={"inspection": inspection.pk},
        )
    return inspection


DECISIONS = {"recommend", "reject", "request_revision"}


def _clean_revision_items(items: list[dict], application: Application) -> list[dict]:
    """Each item names a document (requirement code) or a field (key) of the filed version and
    says what must change. Unknown targets and empty notes are refused."""
    snapshot = application.catalog_version.snapshot
    documents = {r["code"]: r for r in snapshot.get("requirements", [])}
    fields = {f["key"]: f for f in snapshot.get("fields", [])}
    business = set(BUSINESS_FIELDS)
    cleaned = []
    for item in items:
        kind, key, note = item.get("kind"), item.get("key", ""), (item.get("note") or "").strip()
        if not note:
            continue
        if kind == "document" and key in documents:
            label = documents[key].get("name_id") or key
        elif kind == "field" and (key in fields or key in business):
            label = fields[key].get("label_id", key) if key in fields else key
        else:
            raise DomainError(
                _("A revision request names an unknown document or field."), field="revision_items"
            )
        cleaned.append({"kind": kind, "key": key, "label": label, "note": note})
    return cleaned


def review_decide(
    *,
    review_id: int,
    actor: User,
    decision: str,
    reasons: str = "",
    revision_items: list[dict] | None = None,
    letter=None,
    restart: bool = False,
) -> Review:
    """The assigned officer (or the agency head) decides a review: recommend, reject (reasons
    required) or request revision (at least one document or field with what must change).
    Where the route step asks for the head's approval, an officer's recommendation goes to
    `awaiting_head_approval` (the head is told, the head's due time set) and counts only once
    the head approves it (`review_head_decide`).

    Changes the review and, through `application_settle`, the application. Notifies the
    applicant (revision) or the signers (all recommended / rejection proposed). Raises
    NotAllowed for anyone else, Conflict when the review was already decided (a second click,
    another officer first), DomainError for missing reasons or items.

    A revision request starts the applicant's correction period (applications.sla.corrections);
    `restart` makes it a re-confirmation (OSS 43): when answered, the review's clock restarts
    with its whole budget instead of the days it had left.
    """
    if decision not in DECISIONS:
        raise DomainError(_("Choose recommend, reject or request revision."), field="decision")
    reasons = (reasons or "").strip()
    if decision == "reject" and not reasons:
        raise DomainError(_("A rejection needs its reasons."), field="reasons")
    with transaction.atomic():
        review = Review.objects.select_related(
            "application__catalog_version", "application__region", "agency"
        ).get(pk=review_id)
        if review.status == ReviewStatus.CLOSED_DEEMED:
            # Deemed approved by law meanwhile (issue 18): refused, nothing recorded.
            raise Conflict(closed_deemed_message(review.application), code="closed_deemed")
        if decision in ("recommend", "reject") and any(i.is_open for i in review.inspections.all()):
            raise DomainError(
                _(
                    "A scheduled inspection has no result yet: record its result, or cancel it "
                    "with the reason, before deciding."
                ),
                code="inspection_open",
            )
        if decision == "recommend":
            refusal = gates.recommend_refusal(review)
            if refusal:
                raise DomainError(refusal, code="levy_not_assessed")
        items: list[dict] = []
        if decision == "request_revision":
            items = _clean_revision_items(revision_items or [], review.application)
            if not items:
                raise DomainError(
                    _("Say what must change: at least one document or field with a note."),
                    field="revision_items",
                )
        action = recommend_action(review, actor) if decision == "recommend" else decision
        review, event = review_transition(
            review_id=review_id,
            action=action,
            actor=actor,
            note=reasons,
            data=({"items": items} | ({"restart": True} if restart else {})) if items else {},
        )
        review.decided_at = timezone.now() if decision != "request_revision" else None
        review.decided_by = actor if decision != "request_revision" else None
        review.reasons = reasons
        review.revision_items = items if items else review.revision_items
        fields = ["decided_at", "decided_by", "reasons", "revision_items"]
        if action == "submit_for_approval":
            # The head's own clock: the recommendation counts once approved (issue 18).
            review.head_due_at = Calendar(review.application.region).add_working_days(
                timezone.now(), review.head_budget_days or 1
            )
            fields.append("head_due_at")
        if letter is not None:
            checked = check_upload(letter, accepted_kinds=["pdf"], max_size_kb=10240)
            review.letter.save("letter.pdf", ContentFile(checked.data), save=False)
            fields.append("letter")
        review.save(update_fields=fields)
        if action == "submit_for_approval":
            notify(
                recipients=agency_heads(review.agency),
                kind="head_approval_requested",
                application=review.application,
                context={
                    "officer": actor.full_name,
                    "due": region_time(review.head_due_at, review.application.region),
                },
                url=reverse("applications:review", args=[review.pk]),
                dedupe=f"event:{event.pk}",
            )
            return review
        application = application_settle(
            application_id=review.application_id,
            actor=actor,
            review=review,
            note=reasons,
            data={"restart": True} if decision == "request_revision" and restart else None,
        )
        if decision == "request_revision":
            period = correction_open(
                application=application, stage="review", review=review, restart=restart
            )
            notify(
                recipients=[application.applicant],
                kind="revision_requested",
                application=application,
                context={
                    "agency": review.agency.name,
                    "items": items,
                    "correction_due": local_due(period.due_at, application.region),
                },
                url=reverse("applications:revision", args=[application.pk, review.pk]),
                dedupe=f"event:{event.pk}",
            )
    return review


HEAD_DECISIONS = {"approve", "send_back"}


def review_head_decide(*, review_id: int, actor: User, decision: str, note: str = "") -> Review:
    """The agency head approves an officer's recommendation awaiting approval (it counts now:
    the application follows its reviews, a next stage may open) or sends it back with a note
    (the review is the officer's again; the officer reads the note and decides again).

    Who may call: the head of the review's agency (web and API). Changes: the review's status
    (`head_approve` / `head_send_back` in the review table), its `head_note`, and through
    `application_settle` the application. Sends: the officer's notice on a send-back. Raises
    DomainError (unknown decision, a send-back without a note), NotAllowed (anyone but the
    head), Conflict (nothing awaits approval: a second click, already decided).
    """
    note = (note or "").strip()
    if decision not in HEAD_DECISIONS:
        raise DomainError(_("Choose approve or send back."), field="decision")
    if decision == "send_back" and not note:
        raise DomainError(_("Say why the recommendation is sent back."), field="note")
    with transaction.atomic():
        review, event = review_transition(
            review_id=review_id,
            action="head_approve" if decision == "approve" else "head_send_back",
            actor=actor,
            note=note,
        )
        review.head_due_at = None
        review.head_note = note
        fields = ["head_due_at", "head_note"]
        if decision == "send_back":
            review.decided_at = None
            review.decided_by = None
            fields += ["decided_at", "decided_by"]
        review.save(update_fields=fields)
        if decision == "approve":
            application_settle(
                application_id=review.application_id, actor=actor, review=review, note=note
            )
        else:
            notify(
                recipients=[review.assignee],
                kind="head_approval_sent_back",
                application=review.application,
                context={"note": note, "head": actor.full_name},
                url=reverse("applications:review", args=[review.pk]),
                dedupe=f"event:{event.pk}",
            )
    return review

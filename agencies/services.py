"""Writes for OPD reviews: routing a file to its agencies, assignment, inspections, decisions.

Every status change goes through `applications.workflow`; the application's own status follows
its reviews through `applications.services.outcome.application_settle`.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from agencies.models import Agency, Inspection, Review, ReviewStatus, Role
from agencies.selectors import active_officers
from applications.models import Application, Status
from applications.services.notifications import notify
from applications.workflow import record_event, review_transition
from ptsp.errors import Conflict, DomainError, NotAllowed
from ptsp.workdays import Calendar

OPEN_REVIEW_STATUSES = [ReviewStatus.IN_REVIEW, ReviewStatus.REVISION_REQUESTED]


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


def agency_heads(agency: Agency):
    return User.objects.filter(
        is_active=True,
        memberships__agency=agency,
        memberships__role=Role.HEAD,
        memberships__is_active=True,
    ).distinct()


def application_route(*, application_id: int) -> list[Review]:
    """Create one review per agency of the application's route (as filed), assign each to the
    least-loaded officer, set its due time from the SLA budget, and notify.

    Who may call: the routing task (system). Idempotent: the application row is locked and a
    review is created only for agencies that have none, so a duplicate or crashed run still
    leaves exactly one review per agency. Does nothing unless the application is in review.
    """
    created: list[Review] = []
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(no_key=True)
            .select_related("region", "catalog_version")
            .get(pk=application_id)
        )
        if application.status not in (Status.IN_REVIEW, Status.REVISION_REQUESTED):
            return []
        existing = set(application.reviews.values_list("agency_id", flat=True))
        calendar = Calendar(application.region)
        now = timezone.now()
        steps = application.catalog_version.snapshot.get("route", [])
        agencies = Agency.objects.in_bulk([step["agency_id"] for step in steps])
        for step in steps:
            agency = agencies[step["agency_id"]]
            if agency.pk in existing:
                continue
            assignee = least_loaded_officer(agency)
            review = Review.objects.create(
                application=application,
                agency=agency,
                assignee=assignee,
                budget_days=step["review_days"],
                due_at=calendar.add_working_days(now, step["review_days"]),
            )
            record_event(
                application=application,
                actor=None,
                action="routed",
                review=review,
                data={"agency": agency.code, "assignee": assignee.pk if assignee else None},
            )
            due = region_time(review.due_at, application.region)
            notify(
                recipients=[assignee],
                kind="review_assigned",
                application=application,
                context={"due": due},
                url=f"/reviews/{review.pk}/",
                dedupe=f"review:{review.pk}",
            )
            notify(
                recipients=agency_heads(agency),
                kind="review_routed_head",
                application=application,
                context={"due": due, "assignee": assignee.full_name if assignee else "—"},
                url=f"/reviews/{review.pk}/",
                dedupe=f"review:{review.pk}",
            )
            created.append(review)
    return created


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
            action="reassign",
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
            url=f"/reviews/{review.pk}/",
            dedupe=f"reassign:{_event.pk}",
        )
    return review


def _officer_of(review: Review, actor: User) -> bool:
    from agencies.selectors import memberships_of

    return any(
        m.agency_id == review.agency_id and m.role in (Role.OFFICER, Role.HEAD)
        for m in memberships_of(actor)
    )


def region_time(instant, region) -> str:
    """`instant` as a person in `region` reads it: local time with the zone's label (WIB, WITA,
    WIT), the same on every page, e-mail and document (issue 21 item 2)."""
    local = timezone.localtime(instant, ZoneInfo(region.timezone))
    return f"{local:%d-%m-%Y %H:%M} {region.timezone_abbreviation}"


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
            action="inspection_scheduled",
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
    from django.core.files.base import ContentFile

    from applications.uploads import check_upload

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
            action="inspection_recorded",
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
            action="inspection_cancelled",
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
    business = {"business_name", "nib", "kbli", "address", "kelurahan", "kecamatan"}
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
) -> Review:
    """The assigned officer (or the agency head) decides a review: recommend, reject (reasons
    required) or request revision (at least one document or field with what must change).

    Changes the review and, through `application_settle`, the application. Notifies the
    applicant (revision) or the signers (all recommended / rejection proposed). Raises
    NotAllowed for anyone else, Conflict when the review was already decided (a second click,
    another officer first), DomainError for missing reasons or items.
    """
    from applications.services.outcome import application_settle

    if decision not in DECISIONS:
        raise DomainError(_("Choose recommend, reject or request revision."), field="decision")
    reasons = (reasons or "").strip()
    if decision == "reject" and not reasons:
        raise DomainError(_("A rejection needs its reasons."), field="reasons")
    with transaction.atomic():
        review = Review.objects.select_related("application__catalog_version", "agency").get(
            pk=review_id
        )
        if decision in ("recommend", "reject") and any(i.is_open for i in review.inspections.all()):
            raise DomainError(
                _(
                    "A scheduled inspection has no result yet: record its result, or cancel it "
                    "with the reason, before deciding."
                ),
                code="inspection_open",
            )
        items: list[dict] = []
        if decision == "request_revision":
            items = _clean_revision_items(revision_items or [], review.application)
            if not items:
                raise DomainError(
                    _("Say what must change: at least one document or field with a note."),
                    field="revision_items",
                )
        review, event = review_transition(
            review_id=review_id,
            action=decision,
            actor=actor,
            note=reasons,
            data={"items": items} if items else {},
        )
        review.decided_at = timezone.now() if decision != "request_revision" else None
        review.decided_by = actor if decision != "request_revision" else None
        review.reasons = reasons
        review.revision_items = items if items else review.revision_items
        fields = ["decided_at", "decided_by", "reasons", "revision_items"]
        if letter is not None:
            from django.core.files.base import ContentFile

            from applications.uploads import check_upload

            checked = check_upload(letter, accepted_kinds=["pdf"], max_size_kb=10240)
            review.letter.save("letter.pdf", ContentFile(checked.data), save=False)
            fields.append("letter")
        review.save(update_fields=fields)
        application = application_settle(
            application_id=review.application_id, actor=actor, review=review, note=reasons
        )
        if decision == "request_revision":
            notify(
                recipients=[application.applicant],
                kind="revision_requested",
                application=application,
                context={"agency": review.agency.name, "items": items},
                url=f"/applications/{application.pk}/revisions/{review.pk}/",
                dedupe=f"event:{event.pk}",
            )
    return review

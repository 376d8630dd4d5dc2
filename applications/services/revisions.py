"""The revision loop: an OPD asked the applicant to change documents or fields; the applicant
replaces them, corrects fields and answers; the same review continues with the same officer,
its clock running again with the days it had left."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Application, Document, Review, ReviewStatus, Status
from applications.services.filing import store_document
from applications.services.intake import remaining_days, segment_start
from applications.services.notifications import notify
from applications.services.outcome import application_settle
from applications.sla.corrections import correction_answer
from applications.workflow import Action, review_transition
from ptsp.errors import DomainError, NotAllowed
from ptsp.workdays import Calendar


def _request_event(review: Review):
    return (
        review.events.filter(action=Action.REVIEW_REQUEST_REVISION).order_by("-at", "-id").first()
    )


def revision_answer(*, review_id: int, actor, note: str = "") -> Review:
    """The applicant answers a revision request. Every document named in the request must have
    been replaced since the request. Raises NotAllowed for anyone but the applicant, Conflict
    when there is no open request (a second click), DomainError when something is missing."""
    with transaction.atomic():
        review = Review.objects.select_related("application__region", "agency", "assignee").get(
            pk=review_id
        )
        application = review.application
        if application.applicant_id != getattr(actor, "pk", None):
            raise NotAllowed(_("You may not do this."))
        request = _request_event(review)
        # In time (up to the deadline itself) closes the correction period; late is refused.
        period = correction_answer(application=application, stage="review", review=review)
        if review.status == ReviewStatus.REVISION_REQUESTED and request is not None:
            requested_docs = [i["key"] for i in review.revision_items if i["kind"] == "document"]
            replaced = set(
                application.documents.filter(
                    is_current=True, requirement_code__in=requested_docs, uploaded_at__gt=request.at
                ).values_list("requirement_code", flat=True)
            )
            missing = [
                i["label"]
                for i in review.revision_items
                if i["kind"] == "document" and i["key"] not in replaced
            ]
            if missing:
                raise DomainError(
                    _("Replace these documents first: %(names)s.") % {"names": ", ".join(missing)},
                    code="documents_missing",
                )
        review, event = review_transition(
            review_id=review.pk,
            action=Action.REVIEW_ANSWER_REVISION,
            actor=actor,
            note=note.strip(),
        )
        calendar = Calendar(application.region)
        left = (
            review.budget_days  # a re-confirmation (OSS 43/44): the clock restarts from zero
            if period is not None and period.restart
            else remaining_days(
                calendar,
                request.at,
                review.due_at,
                started_at=segment_start(
                    review.events,
                    request.at,
                    {"routed", "review_answer_revision", "review_send_back"},
                ),
            )
            if request
            else review.budget_days
        )
        review.due_at = calendar.add_working_days(timezone.now(), left)
        review.save(update_fields=["due_at"])
        application_settle(
            application_id=application.pk,
            actor=actor,
            review=review,
            note=note,
            data={"restart": True} if period is not None and period.restart else None,
        )
        notify(
            recipients=[review.assignee],
            kind="revision_answered",
            application=application,
            url=reverse("applications:review", args=[review.pk]),
            dedupe=f"event:{event.pk}",
        )
    return review


def replaceable_requirements(
    application, *, documents: list[dict] | None = None, reviews: list[dict] | None = None
) -> set[str]:
    """Which documents the applicant may replace now: after a return, the rejected ones; during
    a revision request, the ones an OPD named. Nothing in any other status.

    A page that has read the file's current documents (`requirement_code`, `verdict`) or its
    reviews (`status`, `revision_items`) as rows passes them: no query then."""
    if application.status == Status.RETURNED:
        if documents is not None:
            return {
                d["requirement_code"]
                for d in documents
                if d["verdict"] == Document.Verdict.REJECTED
            }
        return set(
            application.documents.filter(
                is_current=True, verdict=Document.Verdict.REJECTED
            ).values_list("requirement_code", flat=True)
        )
    if application.status == Status.REVISION_REQUESTED:
        if reviews is None:
            reviews = list(
                application.reviews.filter(status=ReviewStatus.REVISION_REQUESTED).values(
                    "status", "revision_items"
                )
            )
        codes = set()
        for review in reviews:
            if review["status"] == ReviewStatus.REVISION_REQUESTED:
                codes |= {i["key"] for i in review["revision_items"] if i["kind"] == "document"}
        return codes
    return set()


def document_replace(*, application_id: int, requirement_code: str, upload, actor):
    """The applicant replaces a document that the front office rejected or an OPD asked to
    change. The old version stays; the new one waits for a fresh verdict. Raises NotAllowed for
    anyone but the applicant, DomainError for a document that may not be replaced now or a bad
    file."""
    with transaction.atomic():
        application = Application.objects.select_for_update(no_key=True).get(pk=application_id)
        if application.applicant_id != getattr(actor, "pk", None):
            raise NotAllowed(_("You may not do this."))
        if requirement_code not in replaceable_requirements(application):
            raise DomainError(_("This document cannot be replaced now."), code="not_replaceable")
        return store_document(
            application=application, requirement_code=requirement_code, upload=upload, actor=actor
        )

"""The OPD's pages: the officer's inbox, the head's queue, the review page with its decision and
field inspections (moved from `agencies.views`, issue 15; the URL paths are the same)."""

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agencies import selectors as org
from agencies.models import Role
from agencies.permissions import role_required
from applications import selectors, workflow
from applications.models import Inspection
from applications.selectors import application_page_context
from applications.services.reviews import (
    DECISIONS,
    inspection_cancel,
    inspection_record,
    inspection_schedule,
    review_decide,
    review_head_decide,
    review_reassign,
)
from ptsp.errors import DomainError
from ptsp.web import run_service


@role_required(Role.OFFICER)
def inbox(request):
    """The officer's inbox: reviews assigned to me, due soonest first, with filters."""
    filters = {
        "status": request.GET.get("status", "open"),
        "permit": request.GET.get("permit", ""),
        "q": request.GET.get("q", "").strip(),
    }
    reviews = selectors.inbox_rows(request.user, **filters)
    return render(
        request,
        "applications/reviews/inbox.html",
        {"reviews": reviews, "filters": filters, "now": timezone.now()},
    )


@role_required(Role.HEAD)
def agency_queue(request):
    """The agency head's queue: every open review of the agency, with reassignment."""
    agencies = org.agencies_of(request.user, Role.HEAD)
    reviews = selectors.agency_queue_reviews(request.user)
    officers = {a.pk: list(org.active_officers(a)) for a in agencies}
    for review in reviews:
        review.officer_choices = officers.get(review.agency_id, [])
    return render(
        request,
        "applications/reviews/agency_queue.html",
        {"reviews": reviews, "agencies": agencies, "now": timezone.now()},
    )


@role_required(Role.HEAD)
def head_approvals(request):
    """The agency head's approvals (issue 18): the officers' recommendations that count only
    once the head approves them, the head's due time soonest first."""
    return render(
        request,
        "applications/reviews/head_approvals.html",
        {"reviews": selectors.reviews_awaiting_approval(request.user), "now": timezone.now()},
    )


@role_required(Role.HEAD)
@require_POST
def head_decision(request, pk: int):
    """The head approves an officer's recommendation or sends it back with a note."""
    review = get_object_or_404(selectors.reviews_visible_to(request.user), pk=pk)
    decision = request.POST.get("decision", "")
    return run_service(
        request,
        lambda: review_head_decide(
            review_id=review.pk,
            actor=request.user,
            decision=decision,
            note=request.POST.get("note", ""),
        ),
        success=(
            _("Recommendation approved; it counts now.")
            if decision == "approve"
            else _("Recommendation sent back to the officer.")
        ),
        redirect_to=reverse("applications:head_approvals"),
        error_redirect=reverse("applications:review", args=[review.pk]),
    )


@role_required(Role.HEAD)
@require_POST
def reassign(request, pk: int):
    review = get_object_or_404(selectors.reviews_visible_to(request.user), pk=pk)
    return run_service(
        request,
        lambda: review_reassign(
            review_id=review.pk,
            actor=request.user,
            assignee_id=int(request.POST.get("assignee") or 0),
            note=request.POST.get("note", ""),
        ),
        success=_("Review reassigned."),
        redirect_to=reverse("applications:agency_queue"),
        error_redirect=reverse("applications:agency_queue"),
    )


@role_required(Role.OFFICER, Role.HEAD)
def review_detail(request, pk: int):
    """The review page: the application, its documents and history, inspections, the decision."""
    review = get_object_or_404(
        selectors.reviews_visible_to(request.user).select_related(
            "application__catalog_version",
            "application__permit_type",
            "application__applicant",
            "agency",
            "assignee",
        ),
        pk=pk,
    )
    context = application_page_context(review.application)
    context.update(
        {
            "review": review,
            "inspections": list(
                review.inspections.prefetch_related("photos").order_by("scheduled_for")
            ),
            # Who may decide is the review table's answer, not a second rule here.
            "can_decide": bool(DECISIONS & workflow.allowed_review_actions(review, request.user)),
            "can_approve": "head_approve" in workflow.allowed_review_actions(review, request.user),
            "requirements": context["snapshot"].get("requirements", []),
            "form_fields": context["snapshot"].get("fields", []),
            "now": timezone.now(),
        }
    )
    return render(request, "applications/reviews/review_detail.html", context)


def _revision_items(post) -> list[dict]:
    items = []
    for key in post.getlist("item_key"):
        kind, _sep, code = key.partition(":")
        note = post.get(f"item_note_{key}", "")
        if note.strip():
            items.append({"kind": kind, "key": code, "note": note})
    return items


@role_required(Role.OFFICER, Role.HEAD)
@require_POST
def review_decision(request, pk: int):
    review = get_object_or_404(
        selectors.reviews_visible_to(request.user).select_related("application"), pk=pk
    )
    decision = request.POST.get("decision", "")
    to_the_head = workflow.recommend_action(review, request.user) == "submit_for_approval"
    messages_by_decision = {
        "recommend": (
            _("Recommendation sent to the agency head for approval.")
            if to_the_head
            else _("Recommendation recorded.")
        ),
        "reject": _("Rejection proposed; the signer will confirm it."),
        "request_revision": _("Revision requested from the applicant."),
    }
    return run_service(
        request,
        lambda: review_decide(
            review_id=review.pk,
            actor=request.user,
            decision=decision,
            reasons=request.POST.get("reasons", ""),
            revision_items=_revision_items(request.POST),
            letter=request.FILES.get("letter"),
            restart=request.POST.get("restart") == "1",
        ),
        success=messages_by_decision.get(decision, _("Saved.")),
        redirect_to=reverse("applications:review", args=[review.pk]),
        error_redirect=reverse("applications:review", args=[review.pk]),
    )


@role_required(Role.OFFICER, Role.HEAD)
@require_POST
def inspection_new(request, pk: int):
    review = get_object_or_404(selectors.reviews_visible_to(request.user), pk=pk)
    raw = request.POST.get("scheduled_for", "")
    when = parse_datetime(raw) if raw else None
    if when is not None and timezone.is_naive(when):
        when = timezone.make_aware(when, timezone.get_current_timezone())

    def schedule():
        if when is None:
            raise DomainError(_("Give the date and time of the inspection."), field="scheduled_for")
        inspection_schedule(
            review_id=review.pk,
            actor=request.user,
            scheduled_for=when,
            place=request.POST.get("place", ""),
        )

    return run_service(
        request,
        schedule,
        success=_("Inspection scheduled; the applicant has been told."),
        redirect_to=reverse("applications:review", args=[review.pk]),
        error_redirect=reverse("applications:review", args=[review.pk]),
    )


# Closing a scheduled inspection: with its result (berita acara, photos) or cancelled with the
# reason (issue 21 item 8). One view for both URLs; each says which by `close`.
_INSPECTION_CLOSE = {
    "result": (
        lambda request, inspection: inspection_record(
            inspection_id=inspection.pk,
            actor=request.user,
            result=request.POST.get("result", ""),
            photos=request.FILES.getlist("photos"),
        ),
        gettext_lazy("Inspection result recorded."),
    ),
    "cancel": (
        lambda request, inspection: inspection_cancel(
            inspection_id=inspection.pk,
            actor=request.user,
            reason=request.POST.get("cancel_reason", ""),
        ),
        gettext_lazy("Inspection cancelled."),
    ),
}


@role_required(Role.OFFICER, Role.HEAD)
@require_POST
def inspection_close(request, pk: int, close: str):
    """Record an inspection's result or cancel it (`close`: "result" or "cancel")."""
    inspection = get_object_or_404(
        Inspection.objects.filter(review__in=selectors.reviews_visible_to(request.user)), pk=pk
    )
    service, success = _INSPECTION_CLOSE[close]
    target = reverse("applications:review", args=[inspection.review_id])
    return run_service(
        request,
        lambda: service(request, inspection),
        success=str(success),
        redirect_to=target,
        error_redirect=target,
    )

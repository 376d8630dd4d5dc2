from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies import selectors
from agencies.models import Inspection, Role
from agencies.permissions import role_required
from agencies.services import (
    inspection_cancel,
    inspection_record,
    inspection_schedule,
    review_decide,
    review_reassign,
)
from applications.selectors import application_page_context
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
        "agencies/inbox.html",
        {"reviews": reviews, "filters": filters, "now": timezone.now()},
    )


@role_required(Role.HEAD)
def agency_queue(request):
    """The agency head's queue: every open review of the agency, with reassignment."""
    agencies = selectors.agencies_of(request.user, Role.HEAD)
    reviews = selectors.agency_open_reviews(agencies)
    officers = {a.pk: list(selectors.active_officers(a)) for a in agencies}
    for review in reviews:
        review.officer_choices = officers.get(review.agency_id, [])
    return render(
        request,
        "agencies/agency_queue.html",
        {"reviews": reviews, "agencies": agencies, "now": timezone.now()},
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
        redirect_to=reverse("agencies:agency_queue"),
        error_redirect=reverse("agencies:agency_queue"),
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
            "can_decide": review.status == "in_review"
            and (
                review.assignee_id == request.user.pk or selectors.has_role(request.user, Role.HEAD)
            ),
            "requirements": context["snapshot"].get("requirements", []),
            "form_fields": context["snapshot"].get("fields", []),
            "now": timezone.now(),
        }
    )
    return render(request, "agencies/review_detail.html", context)


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
    review = get_object_or_404(selectors.reviews_visible_to(request.user), pk=pk)
    decision = request.POST.get("decision", "")
    messages_by_decision = {
        "recommend": _("Recommendation recorded."),
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
        ),
        success=messages_by_decision.get(decision, _("Saved.")),
        redirect_to=reverse("agencies:review", args=[review.pk]),
        error_redirect=reverse("agencies:review", args=[review.pk]),
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
        redirect_to=reverse("agencies:review", args=[review.pk]),
        error_redirect=reverse("agencies:review", args=[review.pk]),
    )


@role_required(Role.OFFICER, Role.HEAD)
@require_POST
def inspection_result(request, pk: int):
    inspection = get_object_or_404(
        Inspection.objects.filter(review__in=selectors.reviews_visible_to(request.user)), pk=pk
    )
    target = reverse("agencies:review", args=[inspection.review_id])
    return run_service(
        request,
        lambda: inspection_record(
            inspection_id=inspection.pk,
            actor=request.user,
            result=request.POST.get("result", ""),
            photos=request.FILES.getlist("photos"),
        ),
        success=_("Inspection result recorded."),
        redirect_to=target,
        error_redirect=target,
    )


@role_required(Role.OFFICER, Role.HEAD)
@require_POST
def inspection_cancel_view(request, pk: int):
    """Cancel a scheduled inspection, with the reason (issue 21 item 8)."""
    inspection = get_object_or_404(
        Inspection.objects.filter(review__in=selectors.reviews_visible_to(request.user)), pk=pk
    )
    target = reverse("agencies:review", args=[inspection.review_id])
    return run_service(
        request,
        lambda: inspection_cancel(
            inspection_id=inspection.pk,
            actor=request.user,
            reason=request.POST.get("cancel_reason", ""),
        ),
        success=_("Inspection cancelled."),
        redirect_to=target,
        error_redirect=target,
    )

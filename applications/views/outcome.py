from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agencies.models import Role
from agencies.permissions import role_required
from agencies.selectors import agencies_of
from applications.models import Application, Status
from applications.selectors import application_page_context, rejected_reviews
from applications.services.outcome import (
    application_confirm_rejection,
    application_send_back_rejection,
)
from ptsp.web import run_service


def _signer_applications(user):
    regions = [a.region_id for a in agencies_of(user, Role.SIGNER)]
    return Application.objects.filter(region_id__in=regions)


@role_required(Role.SIGNER)
def rejection_queue(request):
    applications = (
        _signer_applications(request.user)
        .filter(status=Status.REJECTION_PROPOSED)
        .select_related("permit_type", "applicant")
        .order_by("updated_at")
    )
    return render(request, "applications/rejection_queue.html", {"applications": applications})


@role_required(Role.SIGNER)
@require_http_methods(["GET", "POST"])
def rejection(request, pk: int):
    """The signer confirms an OPD's proposed rejection or sends it back with a note."""
    application = get_object_or_404(
        _signer_applications(request.user).select_related(
            "catalog_version", "permit_type", "applicant"
        ),
        pk=pk,
    )
    if request.method == "POST":
        note = request.POST.get("note", "")
        if request.POST.get("action") == "confirm":
            return run_service(
                request,
                lambda: application_confirm_rejection(
                    application_id=application.pk, actor=request.user, note=note
                ),
                success=_("Rejection confirmed; the applicant has been told the reasons."),
                redirect_to=reverse("applications:rejection_queue"),
            )
        return run_service(
            request,
            lambda: application_send_back_rejection(
                application_id=application.pk, actor=request.user, note=note
            ),
            success=_("Sent back to the agency."),
            redirect_to=reverse("applications:rejection_queue"),
        )
    context = application_page_context(application)
    context["rejected_reviews"] = rejected_reviews(application)
    return render(request, "applications/rejection.html", context)

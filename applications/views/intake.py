from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agencies.models import Role
from agencies.permissions import role_required
from applications import selectors
from applications.services.intake import application_accept, application_return
from ptsp.web import run_service


@role_required(Role.VERIFIER)
def intake_queue(request):
    return render(
        request,
        "applications/intake_queue.html",
        # `now` marks the files past their intake deadline.
        {"applications": selectors.intake_queue_rows(request.user), "now": timezone.now()},
    )


@role_required(Role.VERIFIER)
@require_http_methods(["GET", "POST"])
def intake_check(request, pk: int):
    """The verifier's check page: every document inline with a verdict; accept or return."""
    files = selectors.intake_visible(request.user).select_related(
        "catalog_version", "permit_type", "applicant", "region"
    )
    application = get_object_or_404(files, pk=pk)
    if request.method == "POST":
        verdicts = {}
        for document in application.documents.filter(is_current=True):
            verdict = request.POST.get(f"verdict_{document.pk}", "")
            verdicts[document.pk] = {
                "verdict": verdict,
                "note": request.POST.get(f"note_{document.pk}", ""),
            }
        if request.POST.get("action") == "accept":
            return run_service(
                request,
                lambda: application_accept(
                    application_id=application.pk, actor=request.user, verdicts=verdicts
                ),
                success=_("Accepted: the file is being routed to the technical agencies."),
                redirect_to=reverse("applications:intake_queue"),
            )
        return run_service(
            request,
            lambda: application_return(
                application_id=application.pk,
                actor=request.user,
                verdicts=verdicts,
                note=request.POST.get("note", ""),
            ),
            success=_("Returned to the applicant with your notes."),
            redirect_to=reverse("applications:intake_queue"),
        )
    context = selectors.application_page_context(application)
    context["now"] = timezone.now()
    return render(request, "applications/intake_check.html", context)

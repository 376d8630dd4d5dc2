from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agencies.models import Role
from agencies.permissions import role_required
from applications.selectors import (
    application_page_context,
    rejected_reviews,
    rejections_for_signer,
    signer_applications,
)
from applications.services.outcome import (
    application_confirm_rejection,
    application_send_back_rejection,
    rejection_notice_deferred,
)
from applications.workflow import Action, allowed_actions
from ptsp.errors import DomainError
from ptsp.web import run_service
from security.forms import StepUpForm


@role_required(Role.SIGNER)
def rejection_queue(request):
    applications = (
        rejections_for_signer(request.user)
        .select_related("permit_type", "applicant")
        .order_by("updated_at")
    )
    return render(request, "applications/rejection_queue.html", {"applications": applications})


@role_required(Role.SIGNER)
@require_http_methods(["GET", "POST"])
def rejection(request, pk: int):
    """The signer confirms an OPD's proposed rejection (with the step-up) or sends it back with
    a note. Only files of the signer's region past the draft (never an applicant's draft)."""
    application = get_object_or_404(
        signer_applications(request.user).select_related(
            "catalog_version", "permit_type", "applicant"
        ),
        pk=pk,
    )
    form = StepUpForm()
    if request.method == "POST":
        note = request.POST.get("note", "")
        if request.POST.get("action") != "confirm":
            return run_service(
                request,
                lambda: application_send_back_rejection(
                    application_id=application.pk, actor=request.user, note=note
                ),
                success=_("Sent back to the agency."),
                redirect_to=reverse("applications:rejection_queue"),
            )
        form = StepUpForm(request.POST)
        if form.verify(actor=request.user, request=request):
            try:
                application = application_confirm_rejection(
                    application_id=application.pk, actor=request.user, note=note
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                if rejection_notice_deferred(application):
                    messages.success(
                        request,
                        _(
                            "Rejection confirmed. Its letter waits for your BSrE signature "
                            "under Permits to sign; the applicant is told once it is signed."
                        ),
                    )
                else:
                    messages.success(
                        request, _("Rejection confirmed; the applicant has been told the reasons.")
                    )
                return redirect("applications:rejection_queue")
    context = application_page_context(application)
    context["rejected_reviews"] = rejected_reviews(application)
    context["form"] = form
    # What the signer may do here is the workflow table's answer, not the page's.
    allowed = allowed_actions(application, request.user)
    context["can_confirm"] = Action.CONFIRM_REJECTION in allowed
    context["can_send_back"] = Action.SEND_BACK_REJECTION in allowed
    return render(
        request, "applications/rejection.html", context, status=400 if form.errors else 200
    )

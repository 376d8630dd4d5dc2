"""The signer's pages: the queue, the sign page with a preview, "sign and issue" with step-up,
the issuance progress (HTMX partial), and revocation."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from agencies.models import Role
from agencies.permissions import role_required
from applications.models import Application, Review, Status
from applications.selectors import applications_filtered, signer_applications
from permits.models import Permit, SigningBatchItem
from permits.selectors import signer_permits
from permits.services.batch_signing import permits_sign
from permits.services.issuance import permit_issue, permit_revoke
from ptsp.errors import DomainError
from security.forms import StepUpForm


def _application_for_signer(user, pk: int, *, related: tuple[str, ...]) -> Application:
    """An application of the signer's region past intake, with the `related` rows the page
    shows loaded along (its permit, at least); others get 404."""
    return get_object_or_404(
        applications_filtered(
            signer_applications(user),
            status=[Status.RECOMMENDED, Status.ISSUING, Status.ISSUED],
        ).select_related("permit", *related),
        pk=pk,
    )


class SignForm(StepUpForm):
    """Sign and issue: the step-up only (security.forms.StepUpForm)."""


class RevokeForm(StepUpForm):
    reason = forms.CharField(
        label=_("Reason for the revocation"), widget=forms.Textarea(attrs={"rows": 3})
    )
    field_order = ["reason", "password", "code"]


@role_required(Role.SIGNER)
def signing_queue(request):
    """The queue, with the form that signs the chosen files (or all) in one step."""
    from permits.views.batch import queue_context

    return render(request, "permits/signing_queue.html", queue_context(request))


def _permit_of(application: Application) -> Permit | None:
    """The application's permit, loaded with it by `_application_for_signer` (None before the
    first signing; a fresh query after `refresh_from_db`)."""
    try:
        return application.permit
    except Permit.DoesNotExist:
        return None


def _sign_context(request, application, form=None, revoke_form=None, remote=None):
    from permits.views.batch import BatchSignForm, region_signs_remotely

    permit = _permit_of(application)
    reviews = Review.objects.filter(application=application).select_related("agency", "decided_by")
    remote, problem = remote or region_signs_remotely(request.user, application.region)
    last_item = (
        SigningBatchItem.objects.filter(application=application).order_by("-pk").first()
        if remote
        else None
    )
    return {
        "application": application,
        "permit": permit,
        "reviews": reviews,
        "form": form or (BatchSignForm(remote=True) if remote else SignForm()),
        "revoke_form": revoke_form or RevokeForm(),
        "remote": remote,
        "signer_problem": problem,
        "last_item": last_item,
    }


@role_required(Role.SIGNER)
def sign_page(request, pk: int):
    application = _application_for_signer(
        request.user, pk, related=("permit_type", "applicant", "region")
    )
    from permits.views.batch import BatchSignForm, region_signs_remotely

    signs_remotely = region_signs_remotely(request.user, application.region)
    remote = signs_remotely[0]
    form = SignForm()
    if request.method == "POST" and remote:
        # BSrE: one file is a batch of one (permits.services.batch_signing).
        form = BatchSignForm(request.POST, remote=True)
        if form.verify(actor=request.user, request=request):
            try:
                batch = permits_sign(
                    application_ids=[application.pk],
                    actor=request.user,
                    credential=form.credential(),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("permits:batch", pk=batch.pk)
        application.refresh_from_db()
        return render(
            request,
            "permits/sign.html",
            _sign_context(request, application, form, remote=signs_remotely),
            status=400,
        )
    if request.method == "POST":
        form = SignForm(request.POST)
        if form.verify(actor=request.user, request=request):
            try:
                permit_issue(application_id=application.pk, actor=request.user)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Signed. The permit is being issued."))
                return redirect("permits:sign", pk=application.pk)
        application.refresh_from_db()
        return render(
            request,
            "permits/sign.html",
            _sign_context(request, application, form, remote=signs_remotely),
            status=400,
        )
    return render(
        request,
        "permits/sign.html",
        _sign_context(request, application, form, remote=signs_remotely),
    )


@role_required(Role.SIGNER)
def issuance_status(request, pk: int):
    """The progress partial, polled by HTMX while the permit is being issued."""
    application = _application_for_signer(request.user, pk, related=())
    permit = _permit_of(application)
    return render(
        request,
        "permits/_issuance_status.html",
        {"application": application, "permit": permit},
    )


@xframe_options_sameorigin
@role_required(Role.SIGNER)
def permit_preview(request, pk: int):
    """The permit as it will be printed (HTML of the PDF template): the same layout, number
    format, validity text and issuer footnote as the issued file (issue 21 item 10)."""
    # Inside: WeasyPrint (permits.rendering) is loaded by the preview only, not by every page.
    from permits.rendering import permit_html
    from permits.services.issuance import permit_preview

    application = _application_for_signer(
        request.user, pk, related=("permit_type", "region", "applicant", "catalog_version")
    )
    permit = _permit_of(application)
    if permit is None:
        permit = permit_preview(application=application, actor=request.user)
    response = HttpResponse(permit_html(permit))
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    )
    return response


@require_POST
@role_required(Role.SIGNER)
def revoke(request, pk: int):
    """Revoke a valid permit: a reason and the step-up (password and a fresh code)."""
    permit = get_object_or_404(signer_permits(request.user), pk=pk)
    form = RevokeForm(request.POST)
    if form.verify(actor=request.user, request=request):
        try:
            permit_revoke(
                permit_id=permit.pk, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The permit is revoked."))
            return redirect("permits:sign", pk=permit.application_id)
    application = _application_for_signer(
        request.user, permit.application_id, related=("permit_type", "applicant")
    )
    return render(
        request,
        "permits/sign.html",
        _sign_context(request, application, revoke_form=form),
        status=400,
    )

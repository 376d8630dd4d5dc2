"""The public verification page, reached from the QR code on a permit.

It shows the permit's public facts only (number, business name, permit type, dates, status,
file hash) and lets anyone check a PDF against it, a limited number of times per client address
and per permit (`permits.verification.file_check_count`; viewing the page is never limited). An unknown or malformed token gets the same
plain "not found" page, with no hint whether a permit exists.
"""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from agencies.public_pages import render_public
from permits.selectors import permit_by_verification_token
from permits.verification import (
    TooManyFileChecks,
    check_file,
    check_upload,
    file_check_count,
    stored_signature,
)
from ptsp.localcache import loaded_values
from ptsp.ratelimit import client_address


class CheckFileForm(forms.Form):
    file = forms.FileField(label=_("PDF file to check"))

    def clean_file(self):
        return check_upload(self.cleaned_data["file"])


def _not_found(request):
    return render(request, "permits/verify_not_found.html", status=404)


@require_http_methods(["GET", "POST"])
def verify(request, token: str):
    permit = permit_by_verification_token(token)
    if permit is None:
        return _not_found(request)
    if request.method != "POST":
        # The permit's facts as just read and the empty check form: the same for every visitor,
        # rendered once per process for each content of the permit (agencies.public_pages).
        return render_public(
            request,
            "permits/verify.html",
            lambda: _page_context(permit, CheckFileForm()),
            key=(loaded_values(permit),),
        )
    report, refusal, status, retry_after = None, "", 200, None
    form = CheckFileForm()
    try:
        file_check_count(permit=permit, client_address=client_address(request))
    except TooManyFileChecks as exc:
        refusal, status = exc.message, exc.status_code  # the file is not even looked at
        retry_after = exc.retry_after
    else:
        form = CheckFileForm(request.POST, request.FILES)
        if form.is_valid():
            report = check_file(form.cleaned_data["file"].read(), permit=permit)
        else:
            status = 400
    response = render(
        request,
        "permits/verify.html",
        _page_context(permit, form, report=report, refusal=refusal),
        status=status,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _page_context(permit, form, *, report=None, refusal: str = "") -> dict:
    return {
        "permit": permit,
        "form": form,
        "report": report,
        "refusal": refusal,
        "signature": stored_signature(permit),
    }

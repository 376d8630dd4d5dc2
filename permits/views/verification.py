"""The public verification page, reached from the QR code on a permit.

It shows the permit's public facts only (number, business name, permit type, dates, status,
file hash) and lets anyone check a PDF against it, a limited number of times per client address
and per permit (`permits.verification.file_check_count`; viewing the page is never limited). An unknown or malformed token gets the same
plain "not found" page, with no hint whether a permit exists.
"""

import re

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from permits.models import Permit
from permits.verification import TooManyFileChecks, check_file, file_check_count
from ptsp.ratelimit import client_address

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
MAX_UPLOAD = 20 * 1024 * 1024
PUBLIC_STATUSES = [Permit.Status.VALID, Permit.Status.REVOKED, Permit.Status.EXPIRED]


class CheckFileForm(forms.Form):
    file = forms.FileField(label=_("PDF file to check"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError(_("This is not a PDF file."))
        return upload


def _not_found(request):
    return render(request, "permits/verify_not_found.html", status=404)


@require_http_methods(["GET", "POST"])
def verify(request, token: str):
    if not TOKEN_RE.match(token or ""):
        return _not_found(request)
    permit = (
        Permit.objects.select_related("permit_type", "region")
        .filter(verification_token=token, status__in=PUBLIC_STATUSES)
        .only(
            "number",
            "business_name",
            "issued_at",
            "valid_until",
            "status",
            "sha256",
            "signing_cert_sha256",
            "revoked_at",
            "permit_type__name_id",
            "permit_type__name_en",
            "permit_type__region_id",
            "region__name",
            "region__code",
            "region__timezone",
        )
        .first()
    )
    if permit is None:
        return _not_found(request)
    report, refusal, status, retry_after = None, "", 200, None
    form = CheckFileForm()
    if request.method == "POST":
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
        {"permit": permit, "form": form, "report": report, "refusal": refusal},
        status=status,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response

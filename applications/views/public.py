"""The public tracking page: tracking number plus the applicant's e-mail or phone gives the
status and stage only, never personal data. Failed guesses are throttled per client address and
per tracking number (`ptsp.ratelimit`: the database cache, so it holds across workers)."""

import re

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from applications.models import Application
from applications.timeline import holder_of
from ptsp import ratelimit

MAX_FAILURES = 10
WINDOW_SECONDS = 15 * 60


def _phone_digits(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    return digits


def _matches(application: Application, contact: str) -> bool:
    contact = contact.strip()
    if not contact:
        return False
    user = application.applicant
    if "@" in contact:
        return contact.lower() == user.email.lower()
    profile = getattr(user, "applicant_profile", None)
    digits = _phone_digits(contact)
    return bool(profile and len(digits) >= 8 and digits == _phone_digits(profile.phone))


@never_cache
def track(request):
    number = request.POST.get("tracking_number") or request.GET.get("tracking_number") or ""
    number = number.strip().upper()[:32]
    contact = (request.POST.get("contact") or "")[:254]
    result, error, status = None, "", 200
    if request.method == "POST":
        ip_key = f"track:ip:{ratelimit.client_address(request)}"
        number_key = f"track:number:{number}"
        if any(n >= MAX_FAILURES for n in ratelimit.counts([ip_key, number_key]).values()):
            error = _("Too many attempts. Please wait a few minutes and try again.")
            status = 429
        else:
            application = (
                Application.objects.select_related(
                    "applicant__applicant_profile", "permit_type", "region", "catalog_version"
                )
                .filter(tracking_number=number)
                # Only what the page shows and the contact check reads (issue 20).
                .only(
                    "tracking_number",
                    "status",
                    "applicant__email",
                    "applicant__applicant_profile__phone",
                    "permit_type__name_id",
                    "permit_type__name_en",
                    "region__name",
                    "catalog_version__snapshot",
                )
                .first()
                if number
                else None
            )
            if application is not None and _matches(application, contact):
                result = {
                    "tracking_number": application.tracking_number,
                    "permit": application.permit_type.name,
                    "region": application.region.name,
                    "status": application.status,
                    "status_label": application.get_status_display(),
                    "stage": holder_of(application),
                }
            else:
                ratelimit.hit(ip_key, WINDOW_SECONDS)
                ratelimit.hit(number_key, WINDOW_SECONDS)
                error = _(
                    "No application matches this tracking number and contact. Check both and "
                    "try again."
                )
                status = 404
    return render(
        request,
        "applications/track.html",
        {"tracking_number": number, "result": result, "error": error},
        status=status,
    )

"""The public tracking page: tracking number plus the applicant's e-mail or phone gives the
status and stage only, never personal data. Failed guesses are throttled per client address and
per tracking number (`ptsp.ratelimit`: the database cache, so it holds across workers)."""

import re

from django.db.models import F
from django.db.models.fields.json import KeyTransform
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from agencies.public_pages import render_public
from applications.models import Application, Status
from applications.timeline import holder_from
from catalog.selectors import permit_name_columns, with_permit_name
from ptsp import ratelimit

MAX_FAILURES = 10
WINDOW_SECONDS = 15 * 60


def _phone_digits(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    return digits


# What a tracking number can look like (`BTG-2026-000123`, and older or OSS-made ones of the
# same alphabet): anything else — a NUL byte, a quote, a script — is answered "no match" without
# a lookup, counted against the client's address only (it names no real file to protect).
NUMBER_SHAPE = re.compile(r"[A-Z0-9][A-Z0-9-]{0,31}")


def _matches(row: dict, contact: str) -> bool:
    contact = contact.strip()
    if not contact:
        return False
    if "@" in contact:
        return contact.lower() == (row["email"] or "").lower()
    digits = _phone_digits(contact)
    return bool(row["phone"] and len(digits) >= 8 and digits == _phone_digits(row["phone"]))


def _tracked_file(number: str) -> dict | None:
    """The one row the page shows and the contact check reads (issue 20): no model objects.
    The route is read only from the catalog version's snapshot key, not the whole snapshot."""
    rows = with_permit_name(
        list(
            Application.objects.filter(tracking_number=number).values(
                "tracking_number",
                "status",
                email=F("applicant__email"),
                phone=F("applicant__applicant_profile__phone"),
                region_name=F("region__name"),
                route=KeyTransform("route", "catalog_version__snapshot"),
                **permit_name_columns(),
            )[:1]
        )
    )
    return rows[0] if rows else None


@never_cache
def track(request):
    number = request.POST.get("tracking_number") or request.GET.get("tracking_number") or ""
    number = number.strip().upper()[:32]
    well_formed = bool(NUMBER_SHAPE.fullmatch(number))
    if not well_formed:
        number = ""  # never echoed back nor looked up
    if request.method != "POST":
        # The empty form (or one with a well-formed number filled in): the same for every
        # visitor, rendered once per process (agencies.public_pages).
        return render_public(
            request,
            "applications/track.html",
            lambda: {"tracking_number": number, "result": None, "error": ""},
        )
    contact = (request.POST.get("contact") or "")[:254]
    result, error, status = None, "", 200
    if request.method == "POST":
        ip_key = f"track:ip:{ratelimit.client_address(request)}"
        number_key = f"track:number:{number}"
        keys = [ip_key, number_key] if well_formed else [ip_key]
        if any(n >= MAX_FAILURES for n in ratelimit.counts(keys).values()):
            error = _("Too many attempts. Please wait a few minutes and try again.")
            status = 429
        else:
            row = _tracked_file(number) if well_formed else None
            if row is not None and _matches(row, contact):
                result = {
                    "tracking_number": row["tracking_number"],
                    "permit": row["permit_name"],
                    "region": row["region_name"],
                    "status": row["status"],
                    "status_label": Status(row["status"]).label,
                    "stage": holder_from(row["status"], {"route": row["route"] or []}),
                }
            else:
                for key in keys:
                    ratelimit.hit(key, WINDOW_SECONDS)
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

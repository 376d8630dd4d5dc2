from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agencies.models import Role
from agencies.permissions import role_required
from ptsp.errors import DomainError
from security import totp
from security.selectors import document_accesses_visible_to


@role_required(Role.MONITOR)
def access_log(request):
    """The monitor's page: who viewed or downloaded which applicant document, and when."""
    page = Paginator(document_accesses_visible_to(request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "security/access_log.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def totp_enrol(request):
    """Set up an authenticator app: scan the QR code, confirm with a first code."""
    if totp.confirmed_device(request.user):
        messages.info(request, _("Your authenticator app is already set up."))
        return redirect("accounts:profile")
    secret = totp.pending_secret(request.session)
    error = ""
    if request.method == "POST":
        try:
            totp.device_confirm(
                actor=request.user, secret=secret, code=request.POST.get("code", "")
            )
        except DomainError as exc:
            error = exc.message
        else:
            request.session.pop(totp.PENDING_SECRET, None)
            request.session[totp.VERIFIED] = True
            messages.success(request, _("Your authenticator app is set up."))
            return redirect("home")
    return render(
        request,
        "security/totp_enrol.html",
        {
            # segno's own SVG markup of our own URI: no user-controlled markup.
            "qr_svg": mark_safe(totp.qr_svg(secret, request.user.email)),
            "secret": secret,
            "required": totp.required_for(request.user),
            "error": error,
        },
        status=400 if error else 200,
    )


def _safe_next(request) -> str:
    """The `next` target after the second step: a path of this site only (an off-site or
    scheme-relative URL, e.g. `https://evil.example/`, falls back to the home page)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@login_required
@require_http_methods(["GET", "POST"])
def totp_verify(request):
    """The second step after the password: the 6-digit code from the authenticator app."""
    if request.session.get(totp.VERIFIED) or not totp.confirmed_device(request.user):
        return redirect("home")
    error = ""
    status = 200
    if request.method == "POST":
        try:
            totp.code_verify(actor=request.user, code=request.POST.get("code", ""), request=request)
        except DomainError as exc:
            error = exc.message
            status = exc.status_code
        else:
            request.session.cycle_key()
            request.session[totp.VERIFIED] = True
            return redirect(_safe_next(request))
    return render(request, "security/totp_verify.html", {"error": error}, status=status)

"""The TOTP second factor: enrolment, verification after the password, and the middleware that
holds a logged-in session at the verification (or enrolment) step until it is done."""

import time

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts.lockout import otp_failed, otp_refusal
from agencies.selectors import has_role
from ptsp.errors import DomainError, Throttled
from security.models import TOTPDevice

VERIFIED = "_ptsp_2fa_verified"
ISSUER = "PTSP Online"
STEP = 30


def required_for(user) -> bool:
    """Signers (settings.TOTP_REQUIRED_ROLES) must use a second factor."""
    roles = getattr(settings, "TOTP_REQUIRED_ROLES", [])
    return bool(roles) and has_role(user, *roles)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def has_confirmed_device(user) -> bool:
    """Whether `user` has a confirmed authenticator app: the request's cached flag
    (security.identity) when there is one, else the database."""
    flag = getattr(user, "_ptsp_has_device", None)
    if flag is None:
        return confirmed_device(user) is not None
    return flag


PENDING_SECRET = "_ptsp_totp_pending"  # noqa: S105 - a session key name


def pending_secret(session) -> str:
    """The secret shown during enrolment, kept in the session until confirmed (a GET of the
    enrolment page stores nothing in the database)."""
    secret = session.get(PENDING_SECRET)
    if not secret:
        secret = session[PENDING_SECRET] = pyotp.random_base32()
    return secret


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(secret: str, email: str) -> str:
    """The enrolment QR code as inline SVG (no external image, no script)."""
    return segno.make(provisioning_uri(secret, email), error="m").svg_inline(scale=5)


def _matching_step(secret: str, code: str) -> int | None:
    """The time step whose code `code` is (the current one or one either side), or None."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time())
    for offset in (0, -1, 1):
        step = now // STEP + offset
        if totp.at(step * STEP) == code:
            return step
    return None


WRONG_CODE = _("That code is not right. Enter the 6 digits your app shows now.")
REUSED_CODE = _(
    "This code was already used. Each code works once: wait for the next code in your app "
    "(a new one every 30 seconds) and enter that."
)


def device_confirm(*, actor, secret: str, code: str) -> TOTPDevice:
    """Save `actor`'s authenticator app once a first code from it is right.

    Raises DomainError for a wrong code, or when an app is already set up (a platform admin must
    reset it first). Changes: one TOTPDevice row (the first code counts as used)."""
    with transaction.atomic():
        if TOTPDevice.objects.select_for_update().filter(user=actor).exists():
            raise DomainError(_("An authenticator app is already set up for this account."))
        step = _matching_step(secret, code)
        if step is None:
            raise DomainError(WRONG_CODE, code="otp_wrong", field="code")
        return TOTPDevice.objects.create(
            user=actor, secret=secret, confirmed_at=timezone.now(), last_used_step=step
        )


def code_verify(*, actor, code: str, request) -> None:
    """Check a second-factor code of `actor`: after the password, and at every step-up (signing,
    revoking, confirming a rejection), on the web and through the API.

    A code works once: a right code of a step already used is refused as "already used". Wrong
    and reused codes are counted per account and per client address (accounts.lockout); over
    the limit every code is refused for a while, the right one too. Changes: the device's last
    used step (a conditional UPDATE: two requests racing with one code cannot both pass).
    Raises DomainError (codes otp_locked, otp_not_enrolled, otp_wrong, otp_reused)."""
    refusal = otp_refusal(request, actor.email)
    if refusal:
        raise Throttled(refusal, code="otp_locked", field="code")
    device = confirmed_device(actor)
    if device is None:
        raise DomainError(
            _("No authenticator app is set up for this account. Set one up first."),
            code="otp_not_enrolled",
            field="code",
        )
    step = _matching_step(device.secret, code)
    if step is None:
        otp_failed(request, actor.email, reason="wrong")
        raise DomainError(WRONG_CODE, code="otp_wrong", field="code")
    used = not TOTPDevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(
        last_used_step=step
    )
    if used:
        otp_failed(request, actor.email, reason="reused")
        raise DomainError(REUSED_CODE, code="otp_reused", field="code")


# URL names reachable while the second step is pending.
_OPEN = {
    "security:totp_verify",
    "security:totp_enrol",
    "accounts:logout",
    "accounts:language",
}


class TwoFactorMiddleware:
    """After SessionLifetimeMiddleware: a session whose user has an authenticator app (or must
    have one) reaches nothing but the verification or enrolment page until the code is given."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            getattr(settings, "TOTP_ENFORCED", True)
            and user is not None
            and user.is_authenticated
            and not request.session.get(VERIFIED)
            and not request.path.startswith(settings.STATIC_URL)
        ):
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            name = match.view_name if match else ""
            if name not in _OPEN:
                if has_confirmed_device(user):
                    target = reverse("security:totp_verify")
                    if request.method == "GET":
                        target += "?" + urlencode({"next": request.get_full_path()})
                    return redirect(target)
                if required_for(user):
                    return redirect(reverse("security:totp_enrol"))
        return self.get_response(request)

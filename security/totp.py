"""The TOTP second factor: enrolment, verification after the password, and the middleware that
holds a logged-in session at the verification (or enrolment) step until it is done."""

import time

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ptsp.errors import DomainError
from security.models import TOTPDevice

VERIFIED = "_ptsp_2fa_verified"
ISSUER = "PTSP Online"
STEP = 30


def required_for(user) -> bool:
    """Signers (settings.TOTP_REQUIRED_ROLES) must use a second factor."""
    from agencies.selectors import has_role

    roles = getattr(settings, "TOTP_REQUIRED_ROLES", [])
    return bool(roles) and has_role(user, *roles)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


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


def _matching_step(secret: str, code: str, after: int) -> int | None:
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time())
    for offset in (0, -1, 1):
        step = now // STEP + offset
        if step > after and totp.at(step * STEP) == code:
            return step
    return None


def _check_secret(device: TOTPDevice, code: str) -> bool:
    step = _matching_step(device.secret, code, 0)
    if step is None:
        return False
    device.last_used_step = step
    return True


def _check(device: TOTPDevice, code: str) -> bool:
    """True for a right code not used before (one step either side allowed); marks it used, so
    a code cannot be replayed."""
    step = _matching_step(device.secret, code, device.last_used_step)
    if step is None:
        return False
    updated = TOTPDevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(
        last_used_step=step
    )
    return bool(updated)


def device_confirm(*, actor, secret: str, code: str) -> TOTPDevice:
    """Save `actor`'s authenticator app once a first code from it is right.

    Raises DomainError for a wrong code, or when an app is already set up (a platform admin must
    reset it first). Changes: one TOTPDevice row."""
    with transaction.atomic():
        if TOTPDevice.objects.select_for_update().filter(user=actor).exists():
            raise DomainError(_("An authenticator app is already set up for this account."))
        device = TOTPDevice(user=actor, secret=secret)
        if not _check_secret(device, code):
            raise DomainError(_("That code is not right. Enter the 6 digits your app shows now."))
        device.confirmed_at = timezone.now()
        device.save()
    return device


def code_verify(*, actor, code: str) -> None:
    """The step after the password. Wrong codes count as failed logins (security.lockout)."""
    from django.contrib.auth.signals import user_login_failed

    device = confirmed_device(actor)
    if device is None or not _check(device, code):
        user_login_failed.send(sender=__name__, credentials={"username": actor.email}, request=None)
        raise DomainError(_("That code is not right. Enter the 6 digits your app shows now."))


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
            from django.urls import Resolver404, resolve

            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            name = match.view_name if match else ""
            if name not in _OPEN:
                if confirmed_device(user):
                    return redirect(f"{reverse('security:totp_verify')}")
                if required_for(user):
                    return redirect(reverse("security:totp_enrol"))
        return self.get_response(request)

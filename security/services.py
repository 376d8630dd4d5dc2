"""Writes of the security app: the signer's step-up and the document access log."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

from accounts import lockout
from ptsp.errors import DomainError, Throttled
from security import totp
from security.models import DocumentAccess


def client_ip(request) -> str | None:
    """The client's address as our nearest proxy saw it: REMOTE_ADDR, set from X-Forwarded-For
    by `ptsp.middleware.ClientAddressMiddleware` (TRUSTED_PROXY_COUNT)."""
    return request.META.get("REMOTE_ADDR") or None


def document_access_record(*, document, actor, inline: bool, ip_address: str | None = None):
    """Record that `actor` (someone other than the applicant) opened `document`.

    Called by the download view for every staff view or download; the owner's own downloads are
    not recorded. Changes: one append-only DocumentAccess row. Sends nothing, raises nothing.
    """
    application = document.application
    if actor.pk == application.applicant_id:
        return None
    return DocumentAccess.objects.create(
        document_id=document.pk,
        application_id=application.pk,
        region_id=application.region_id,
        user=actor,
        action=DocumentAccess.Action.VIEW if inline else DocumentAccess.Action.DOWNLOAD,
        ip_address=ip_address,
    )


def step_up_verify(*, actor, request, password: str, code: str) -> None:
    """The signer confirms a legal act (sign and issue, revoke, confirm or send back a
    rejection) with their password and a fresh second-factor code, whichever door is used: the
    web pages and the API call this one function before the act's service.

    The password goes through the login's policy (accounts.lockout): a locked account and
    address pair is refused before the password is looked at, and a wrong password counts
    towards the lockout like one on the login page. The code is single-use and counted per
    account and address (security.totp.code_verify). Changes: the counters, the device's last
    used step. Raises Throttled (locked), DomainError (wrong password, no app, wrong or reused
    code) with a message in the user's language; nothing else changes."""
    refusal = lockout.login_refusal(request, actor.email)
    if refusal:
        raise Throttled(refusal, code="locked", field="password")
    http_request = getattr(request, "_request", request)  # a DRF request wraps Django's
    # A wrong password sends user_login_failed with the request: counted by accounts.lockout.
    if authenticate(http_request, username=actor.email, password=password or "") is None:
        raise DomainError(
            _("The password is not correct. Nothing was done."),
            code="password_incorrect",
            field="password",
        )
    totp.code_verify(actor=actor, code=code, request=http_request)

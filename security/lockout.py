"""Brute-force lockout of the login: at most LOGIN_FAILURE_LIMIT failed attempts per account and
per client IP within LOGIN_FAILURE_WINDOW seconds of the first failure. Counters are
`ptsp.ratelimit`'s, in the database cache (shared by every web node, untouched by a Redis
outage). A successful login clears the account's counter; the IP counter runs out with its
window (so one valid account cannot reset a password spray)."""

import hashlib

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from ptsp import ratelimit


def _limit() -> int:
    return getattr(settings, "LOGIN_FAILURE_LIMIT", 10)


def _window() -> int:
    return getattr(settings, "LOGIN_FAILURE_WINDOW", 15 * 60)


def _account_key(email: str) -> str:
    digest = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]
    return f"login-fail:account:{digest}"


def _ip_key(request) -> str:
    return f"login-fail:ip:{ratelimit.client_address(request)}"


LOCKED_MESSAGE = _(
    "Too many failed log-in attempts. For your safety, logging in is paused for 15 minutes. "
    "You can reset your password with “Forgot your password?”."
)


def is_locked(request, email: str) -> bool:
    limit = _limit()
    counts = ratelimit.counts([_account_key(email), _ip_key(request)])
    return any(value >= limit for value in counts.values())


@receiver(user_login_failed)
def _record_failure(sender, credentials, request=None, **kwargs):
    ratelimit.hit(_account_key(credentials.get("username", "")), _window())
    ratelimit.hit(_ip_key(request), _window())


@receiver(user_logged_in)
def _clear_account(sender, request, user, **kwargs):
    ratelimit.reset(_account_key(user.email))

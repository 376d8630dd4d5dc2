"""Brute-force lockout of the login: at most LOGIN_FAILURE_LIMIT failed attempts per account and
per client IP within LOGIN_FAILURE_WINDOW seconds. Counters live in the database cache (shared
by every web node, untouched by a Redis outage). A successful login clears the account's counter;
the IP counter runs out with its window (so one valid account cannot reset a password spray)."""

import hashlib

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _


def _limit() -> int:
    return getattr(settings, "LOGIN_FAILURE_LIMIT", 10)


def _window() -> int:
    return getattr(settings, "LOGIN_FAILURE_WINDOW", 15 * 60)


def _account_key(email: str) -> str:
    digest = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]
    return f"login-fail:account:{digest}"


def _ip_key(request) -> str:
    ip = (request.META.get("REMOTE_ADDR") if request is not None else "") or "unknown"
    return f"login-fail:ip:{ip}"


def _bump(key: str) -> None:
    cache.add(key, 0, _window())
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, _window())


LOCKED_MESSAGE = _(
    "Too many failed log-in attempts. For your safety, logging in is paused for 15 minutes. "
    "You can reset your password with “Forgot your password?”."
)


def is_locked(request, email: str) -> bool:
    limit = _limit()
    counts = cache.get_many([_account_key(email), _ip_key(request)])
    return any(value >= limit for value in counts.values())


@receiver(user_login_failed)
def _record_failure(sender, credentials, request=None, **kwargs):
    _bump(_account_key(credentials.get("username", "")))
    _bump(_ip_key(request))


@receiver(user_logged_in)
def _clear_account(sender, request, user, **kwargs):
    cache.delete(_account_key(user.email))

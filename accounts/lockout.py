"""The sign-in policy against guessing, for every door (the login page, the second-factor page,
the signer's step-up on the web and through the API). Counters are `ptsp.ratelimit`'s, in the
database cache (shared by every web node, untouched by a Redis outage).

Passwords (docs/security.md, ADR 0011):
- **Per account and address**: LOGIN_FAILURE_LIMIT failures for one account from one client
  address within LOGIN_FAILURE_WINDOW lock that pair only. The real user, from another address,
  still gets in: ten wrong passwords from anywhere no longer lock a person out everywhere.
- **Per address**: LOGIN_ADDRESS_FAILURE_LIMIT failures from one address, whatever the accounts
  (a password spray), lock that address.
- **Per account, slowly**: past LOGIN_FAILURE_LIMIT failures of one account from all addresses
  within LOGIN_ACCOUNT_WINDOW (a distributed attack), each further attempt waits a growing
  delay after the last failure (1 s, 2 s, 4 s … at most LOGIN_ACCOUNT_MAX_DELAY). A browser that
  logged in to the account before (a signed "known browser" cookie) is not slowed down.
- A correct password clears its own pair only; a password reset lifts every lock of the account
  (`account_unlock`).

Second-factor codes are counted apart (`otp_refusal`, `otp_failed`): OTP_FAILURE_LIMIT wrong
codes per account and per address within OTP_FAILURE_WINDOW, never cleared by a correct
password (the hole of issue 14: each right password reset the count, so codes could be guessed
forever).

Every refusal and failure goes through `security_event` (one signal, one place), where the
structured log lines of the authentication events belong.
"""

import hashlib
import math
import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core import signing
from django.core.cache import cache
from django.dispatch import Signal, receiver
from django.utils.translation import gettext, ngettext

from ptsp import ratelimit

# One signal for every authentication event of this module: kind ("login_failed", "locked",
# "login_refused", "otp_failed", "otp_locked", "otp_refused", "unlocked"), email, client
# address, detail. security.audit writes each as a structured log line.
security_event = Signal()

KNOWN_BROWSER_COOKIE = "ptsp_known"
KNOWN_BROWSER_SALT = "ptsp.security.known-browser"
KNOWN_BROWSER_DAYS = 180


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def record_event(kind: str, *, request=None, email: str = "", **detail) -> None:
    """The one place where an authentication event of the sign-in policy is announced."""
    security_event.send(
        sender=__name__,
        kind=kind,
        email=(email or "").strip().lower(),
        client_address=ratelimit.client_address(request),
        request=request,
        detail=detail,
    )


def _account(email: str) -> str:
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]


def _generation(account: str) -> int:
    """Bumped by a password reset: the pair counters of older generations no longer count."""
    return int(cache.get(f"ratelimit:login-gen:{account}") or 0)


def _pair_key(account: str, request, generation: int) -> str:
    return f"login-fail:pair:{account}:{generation}:{ratelimit.client_address(request)}"


def _address_key(request) -> str:
    return f"login-fail:ip:{ratelimit.client_address(request)}"


def _account_key(account: str, generation: int) -> str:
    return f"login-fail:account:{account}:{generation}"


def _last_failure_key(account: str, generation: int) -> str:
    return f"ratelimit:login-last:{account}:{generation}"


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def _wait_message(seconds: float) -> str:
    if seconds < 60:
        n = max(1, math.ceil(seconds))
        return ngettext("%(n)d second", "%(n)d seconds", n) % {"n": n}
    n = _minutes(seconds)
    return ngettext("%(n)d minute", "%(n)d minutes", n) % {"n": n}


def account_delay(failures: int) -> int:
    """Seconds an attempt must wait after the last failure once an account has `failures`
    failures from all addresses: none up to LOGIN_FAILURE_LIMIT (what one address can do before
    its pair is locked), then 1, 2, 4 … seconds, at most LOGIN_ACCOUNT_MAX_DELAY."""
    limit = _setting("LOGIN_FAILURE_LIMIT", 10)
    if failures <= limit:
        return 0
    return min(2 ** (failures - limit - 1), _setting("LOGIN_ACCOUNT_MAX_DELAY", 300))


def _remaining(key: str) -> float:
    """Seconds until the window of the counter `key` ends (0 when it has none)."""
    entry = cache.get(ratelimit.PREFIX + key)
    if isinstance(entry, tuple) and len(entry) == 2:
        return max(0.0, entry[1] - time.time())
    return 0.0


def is_known_browser(request, email: str) -> bool:
    """True when the request carries the signed cookie that this browser logged in to `email`'s
    account before (set by `known_browser_cookie`)."""
    cookies = getattr(request, "COOKIES", None) or {}
    value = cookies.get(KNOWN_BROWSER_COOKIE)
    if not value:
        return False
    try:
        account = signing.loads(
            value, salt=KNOWN_BROWSER_SALT, max_age=KNOWN_BROWSER_DAYS * 24 * 3600
        )
    except signing.BadSignature:
        return False
    return account == _account(email)


def known_browser_cookie(email: str) -> tuple[str, int]:
    """The value and lifetime (seconds) of the known-browser cookie for `email`."""
    return signing.dumps(_account(email), salt=KNOWN_BROWSER_SALT), KNOWN_BROWSER_DAYS * 24 * 3600


def login_refusal(request, email: str) -> str | None:
    """Why a password attempt for `email` from this request must not be tried now (a message in
    the active language), or None. Checked before the password, by every door."""
    account = _account(email)
    generation = _generation(account)
    limit = _setting("LOGIN_FAILURE_LIMIT", 10)
    pair_key = _pair_key(account, request, generation)
    address_key = _address_key(request)
    account_key = _account_key(account, generation)
    counts = ratelimit.counts([pair_key, address_key, account_key])
    message = None
    if counts[pair_key] >= limit:
        message = gettext(
            "Too many failed log-in attempts for this account from your network. Logging in to "
            "this account from here is paused for %(wait)s; other networks are not affected. "
            "To lift the pause at once, reset your password with “Forgot your password?”."
        ) % {"wait": _wait_message(_remaining(pair_key))}
    elif counts[address_key] >= _setting("LOGIN_ADDRESS_FAILURE_LIMIT", 30):
        message = gettext(
            "Too many failed log-in attempts from your network. Logging in from here is paused "
            "for %(wait)s."
        ) % {"wait": _wait_message(_remaining(address_key))}
    elif not is_known_browser(request, email):
        delay = account_delay(counts[account_key])
        last = (cache.get(_last_failure_key(account, generation)) or 0) if delay else 0
        wait = last + delay - time.time()
        if delay and wait > 0:
            message = gettext(
                "This account has had many failed log-in attempts. For its safety, wait "
                "%(wait)s before trying again."
            ) % {"wait": _wait_message(wait)}
    if message:
        record_event("login_refused", request=request, email=email, reason=message)
    return message


def login_failed(request, email: str) -> None:
    """Count one wrong password for `email` from this request."""
    account = _account(email)
    generation = _generation(account)
    window = _setting("LOGIN_FAILURE_WINDOW", 15 * 60)
    pair = ratelimit.hit(_pair_key(account, request, generation), window)
    address = ratelimit.hit(_address_key(request), window)
    account_window = _setting("LOGIN_ACCOUNT_WINDOW", 60 * 60)
    total = ratelimit.hit(_account_key(account, generation), account_window)
    cache.set(_last_failure_key(account, generation), time.time(), timeout=account_window)
    record_event("login_failed", request=request, email=email)
    # The failure that locks: announced once, when a counter reaches its limit.
    limit = _setting("LOGIN_FAILURE_LIMIT", 10)
    if pair == limit:
        record_event("locked", request=request, email=email, scope="account_and_address")
    if address == _setting("LOGIN_ADDRESS_FAILURE_LIMIT", 30):
        record_event("locked", request=request, email=email, scope="address")
    if total == limit + 1:
        record_event("locked", request=request, email=email, scope="account_slowed")


def login_succeeded(request, email: str) -> None:
    """A correct password clears the counter of its own account and address pair only: never
    the address's (a sprayer with one valid account cannot reset it), nor the account's (a
    distributed attack is not reset by the real user's login), nor the second factor's."""
    account = _account(email)
    ratelimit.reset(_pair_key(account, request, _generation(account)))


def account_unlock(email: str, *, request=None) -> None:
    """Lift every password lock of the account (after a password reset): the pairs of every
    address and the per-account slow-down. The address counters and the second-factor counters
    stay."""
    account = _account(email)
    key = f"ratelimit:login-gen:{account}"
    cache.set(key, _generation(account) + 1, timeout=None)
    record_event("unlocked", request=request, email=email)


@receiver(user_login_failed)
def _record_failure(sender, credentials, request=None, **kwargs):
    login_failed(request, credentials.get("username", ""))


@receiver(user_logged_in)
def _record_success(sender, request, user, **kwargs):
    login_succeeded(request, user.email)


# --- The second factor -----------------------------------------------------------------------


def _otp_keys(email: str, request) -> tuple[str, str]:
    return (
        f"otp-fail:account:{_account(email)}",
        f"otp-fail:ip:{ratelimit.client_address(request)}",
    )


def otp_refusal(request, email: str) -> str | None:
    """Why a second-factor code for `email` from this request must not be tried now, or None."""
    limit = _setting("OTP_FAILURE_LIMIT", 5)
    account_key, address_key = _otp_keys(email, request)
    counts = ratelimit.counts([account_key, address_key])
    message = None
    if counts[account_key] >= limit:
        message = gettext(
            "Too many wrong codes for this account. For its safety, codes are not accepted for "
            "%(wait)s. If you did not type them, change your password."
        ) % {"wait": _wait_message(_remaining(account_key))}
    elif counts[address_key] >= limit:
        message = gettext(
            "Too many wrong codes from your network. Codes are not accepted from here for %(wait)s."
        ) % {"wait": _wait_message(_remaining(address_key))}
    if message:
        record_event("otp_refused", request=request, email=email, reason=message)
    return message


def otp_failed(request, email: str, *, reason: str = "wrong") -> None:
    """Count one wrong (or replayed) code for `email`, per account and per address."""
    window = _setting("OTP_FAILURE_WINDOW", 15 * 60)
    account_hits, address_hits = (ratelimit.hit(key, window) for key in _otp_keys(email, request))
    record_event("otp_failed", request=request, email=email, reason=reason)
    limit = _setting("OTP_FAILURE_LIMIT", 5)
    if account_hits == limit:
        record_event("otp_locked", request=request, email=email, scope="account")
    if address_hits == limit:
        record_event("otp_locked", request=request, email=email, scope="address")

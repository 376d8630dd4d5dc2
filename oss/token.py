"""The `Token` header OSS puts on the pushes it makes to us (`receiveNIB`, `receiveFileDS`).

The guide: ``Token: SHA1(USERNAME + PASSWORD + NIB + DATE(Ymd))`` — the credentials a region
agreed with OSS, the pushed NIB, and the day as eight digits, hashed with SHA-1 and sent as hex.

Which day: the guide does not name a time zone. OSS is a national system run from Jakarta and
its examples are in WIB, so the date is taken in **Asia/Jakarta** (UTC+7), whatever the region's
own zone (a WITA or WIT region computes the same token as OSS). Only *today's* token is accepted:
a token of yesterday or tomorrow is refused (and reported as `stale_date`, so that an operator can
tell a clock or zone problem from wrong credentials). A push signed at 23:59:59 WIB that reaches
us after midnight is therefore refused; OSS sends it again (docs/oss.md, "The token").

Who calls it: the inbound views (phase 2) call `check_token` before reading the body any further;
the simulator and the tests call `make_token` to sign their pushes. Nothing here logs a credential.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

#: The zone of the token's date (see the module docstring).
OSS_TIMEZONE = ZoneInfo("Asia/Jakarta")

_NIB = re.compile(r"[0-9]{13}")
_HEX40 = re.compile(r"[0-9a-fA-F]{40}")


class TokenError(Exception):
    """A push's token is refused. `reason` is stable and safe to log (never the token itself):
    `not_configured`, `missing`, `malformed`, `invalid_nib`, `stale_date`, `mismatch`."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def oss_today(now: datetime | None = None) -> date:
    """Today's date in Asia/Jakarta (`now` defaults to the clock; a naive `now` is refused)."""
    moment = now if now is not None else datetime.now(tz=OSS_TIMEZONE)
    if moment.tzinfo is None:
        raise ValueError("oss_today needs a timezone-aware datetime")
    return moment.astimezone(OSS_TIMEZONE).date()


def make_token(*, username: str, password: str, nib: str, on: date) -> str:
    """The token OSS sends for `nib` on day `on`: lowercase SHA-1 hex of
    USERNAME + PASSWORD + NIB + YYYYMMDD (UTF-8). Called by the simulator and by `check_token`."""
    material = f"{username}{password}{nib}{on:%Y%m%d}".encode()
    # SHA-1 is what the guide prescribes; the value authenticates, it is not stored.
    return hashlib.sha1(material).hexdigest()  # noqa: S324


def check_token(
    token: str | None,
    *,
    username: str,
    password: str,
    nib: object,
    now: datetime | None = None,
) -> None:
    """Accept today's token for `nib`, or raise `TokenError`.

    Who calls it: the inbound `receiveNIB` / `receiveFileDS` views, before storing anything.
    Fails closed: missing credentials, a NIB that is not 13 digits (letters, spaces, a number of
    another length) and anything but 40 hex digits are refused. The comparison is constant-time
    (`hmac.compare_digest`); hex case is ignored.
    """
    if not username or not password:
        raise TokenError("not_configured", "No OSS credentials are configured for this region.")
    if not isinstance(nib, str) or not _NIB.fullmatch(nib):
        raise TokenError("invalid_nib", "The NIB must be 13 digits.")
    if token is None or not str(token).strip():
        raise TokenError("missing", "The Token header is missing.")
    given = str(token).strip()
    if not _HEX40.fullmatch(given):
        raise TokenError("malformed", "The Token header is not a SHA-1 hex digest.")
    given = given.lower()
    today = oss_today(now)
    expected = make_token(username=username, password=password, nib=nib, on=today)
    if hmac.compare_digest(given.encode(), expected.encode()):
        return
    for other_day in (today - timedelta(days=1), today + timedelta(days=1)):
        other = make_token(username=username, password=password, nib=nib, on=other_day)
        if hmac.compare_digest(given.encode(), other.encode()):
            raise TokenError(
                "stale_date",
                f"The token is for {other_day:%Y-%m-%d}, not today ({today:%Y-%m-%d}, WIB).",
            )
    raise TokenError("mismatch", "The token does not match.")

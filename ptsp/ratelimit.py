"""Counters for rate limits: the login lockout (`accounts.lockout`), the tracking page's guesses
(`applications.views.public`) and the verification page's file checks (`permits.verification`).

Counters live in Django's cache, which is the database cache (`ptsp_cache`): shared by every web
process and node, unaffected by a Redis outage. A counter's window opens at its first hit and
lasts `window` seconds, however many hits follow; the first hit after it opens a new window.
A hit is one read and one write, not an atomic step: two requests racing on the same key may be
counted once, so a limit may let through a request or two more under a concurrent burst.

`cache.incr` is not used: on the database cache it stores the new value with the cache's default
timeout (300 s), which silently turned a 15-minute window into "5 minutes after the last hit".

The address to count by is `client_address(request)`: REMOTE_ADDR, which
`ptsp.middleware.ClientAddressMiddleware` has set to the client's address behind our proxy.
"""

import math
import time
from collections.abc import Iterable

from django.core.cache import cache

PREFIX = "ratelimit:"


def _cache_key(key: str) -> str:
    return PREFIX + key


def _live_hits(entry, now: float) -> int:
    """The hits of a stored (hits, window end) pair, 0 when its window has passed."""
    if isinstance(entry, tuple) and len(entry) == 2 and entry[1] > now:
        return int(entry[0])
    return 0


def hit(key: str, window: int) -> int:
    """Count one event under `key` and return the count in the current window."""
    now = time.time()
    entry = cache.get(_cache_key(key))
    hits = _live_hits(entry, now)
    ends = entry[1] if hits else now + window
    hits += 1
    cache.set(_cache_key(key), (hits, ends), timeout=max(1, math.ceil(ends - now)))
    return hits


def count(key: str) -> int:
    """The events counted under `key` in its current window (0 when none)."""
    return _live_hits(cache.get(_cache_key(key)), time.time())


def counts(keys: Iterable[str]) -> dict[str, int]:
    """`count` of several keys with one cache read."""
    keys = list(keys)
    now = time.time()
    stored = cache.get_many([_cache_key(key) for key in keys])
    return {key: _live_hits(stored.get(_cache_key(key)), now) for key in keys}


def remaining(key: str) -> int:
    """Whole seconds until the window of `key` ends (0 when it has no live window): the
    `Retry-After` of a refusal."""
    entry = cache.get(_cache_key(key))
    now = time.time()
    if _live_hits(entry, now):
        return max(1, math.ceil(entry[1] - now))
    return 0


def reset(key: str) -> None:
    """Forget the events counted under `key`."""
    cache.delete(_cache_key(key))


def client_address(request) -> str:
    """The client's address to count by ("unknown" when there is none, e.g. no request)."""
    meta = getattr(request, "META", None) or {}
    return meta.get("REMOTE_ADDR") or "unknown"

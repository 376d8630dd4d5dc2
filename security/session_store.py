"""Sessions read from Redis on the hot path, kept in the database as the record (issue 20):
Django's "cached_db" engine, made to keep working when Redis is down and never to serve a
session that the database no longer holds as it is.

- Every write goes to the database first (the record), then to the cache.
- A read tries the cache; on a miss, an error, or while the cache is known to be down (for
  BREAKER_SECONDS after an error, so that a dead Redis costs no timeout per request), it reads
  the database: people stay logged in through a Redis outage.
- A write or delete that could not reach the cache (a logout, a login's new key, the idle stamp,
  a disabled account's sessions ended) leaves an older copy there, which a Redis that comes back
  with its data would serve. So such a write also raises the *fence*: a time kept in the
  database cache (CACHES["default"]); every cached copy stored before the fence is ignored and
  read again from the database. Each process reads the fence at most every FENCE_SECONDS, and at
  once after its own failures. Fails closed: a fence that cannot be read, or a cached copy in any
  other shape, means a database read.
"""

import logging
import threading
import time

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.core.cache import caches

logger = logging.getLogger("ptsp.security")

KEY_PREFIX = "ptsp.session."
FENCE_KEY = "ptsp:session-cache-fence"
BREAKER_SECONDS = 5.0
FENCE_SECONDS = 5.0
# A copy stored this close to the fence is read again too (clocks of two nodes differ a little).
FENCE_MARGIN = 2.0


class _CacheState:
    """Per process: until when the session cache is skipped, and the fence last read."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.fence = 0.0
        self.fence_read_at = float("-inf")

    def reset(self) -> None:
        with self.lock:
            self.down_until = 0.0
            self.fence = 0.0
            self.fence_read_at = float("-inf")


state = _CacheState()


def _cache():
    return caches[settings.SESSION_CACHE_ALIAS]


def _cache_up() -> bool:
    return time.monotonic() >= state.down_until


def _cache_failed(operation: str, error: Exception) -> None:
    with state.lock:
        first = _cache_up()
        state.down_until = time.monotonic() + BREAKER_SECONDS
    if first:
        logger.warning(
            "session cache unavailable (%s: %s): sessions are read from the database",
            operation,
            type(error).__name__,
        )


def raise_fence() -> None:
    """Make every cached session copy stored until now count as stale (read from the database
    again). Who calls it: the store, after a write or delete that did not reach the cache."""
    now = time.time()
    caches["default"].set(FENCE_KEY, now, None)
    with state.lock:
        state.fence = max(state.fence, now)
        state.fence_read_at = time.monotonic()


def _fence() -> float | None:
    """The fence, read from the database cache at most every FENCE_SECONDS; None when it cannot
    be read (then no cached copy is trusted)."""
    now = time.monotonic()
    if now - state.fence_read_at < FENCE_SECONDS:
        return state.fence
    try:
        value = float(caches["default"].get(FENCE_KEY, 0.0))
    except Exception:  # fail closed: read the database
        logger.exception("session cache fence unreadable")
        return None
    with state.lock:
        state.fence = max(state.fence, value)
        state.fence_read_at = now
    return state.fence


class SessionStore(DBStore):
    cache_key_prefix = KEY_PREFIX

    @property
    def cache_key(self):
        return self.cache_key_prefix + self._get_or_create_session_key()

    def _cached(self):
        if not _cache_up():
            return None
        try:
            entry = _cache().get(self.cache_key)
        except Exception as error:  # any cache failure: the database decides
            _cache_failed("get", error)
            return None
        if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], dict)):
            return None
        stored_at, data = entry
        fence = _fence()
        if fence is None or not isinstance(stored_at, float) or stored_at <= fence + FENCE_MARGIN:
            return None
        return data

    def _cache_store(self, data: dict, timeout: int) -> bool:
        if not _cache_up():
            return False
        try:
            _cache().set(self.cache_key, (time.time(), data), timeout)
        except Exception as error:
            _cache_failed("set", error)
            return False
        return True

    def load(self):
        data = self._cached()
        if data is None:
            s = self._get_session_from_db()
            if s:
                data = self.decode(s.session_data)
                self._cache_store(data, self.get_expiry_age(expiry=s.expire_date))
            else:
                data = {}
        return data

    def exists(self, session_key):
        # The database holds every session; a cache that is down must not make a key look free.
        return super().exists(session_key)

    def save(self, must_create=False):
        super().save(must_create)
        if not self._cache_store(self._session, self.get_expiry_age()):
            raise_fence()

    def delete(self, session_key=None):
        super().delete(session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        reached = False
        if _cache_up():
            try:
                _cache().delete(self.cache_key_prefix + session_key)
                reached = True
            except Exception as error:
                _cache_failed("delete", error)
        if not reached:
            raise_fence()

    @classmethod
    def clear_expired(cls):
        DBStore.clear_expired()

    # The async doors do the same as the sync ones (Django's DBStore would skip the cache).
    async def aload(self):
        return await sync_to_async(self.load)()

    async def aexists(self, session_key):
        return await sync_to_async(self.exists)(session_key)

    async def asave(self, must_create=False):
        return await sync_to_async(self.save)(must_create)

    async def adelete(self, session_key=None):
        return await sync_to_async(self.delete)(session_key)

"""Exactly one Celery beat sends the periodic work, however many are started.

Compose runs a dedicated `beat` service with one replica; this lock is the second guard, for a
scheduler started by mistake (a scaled service, a manual `celery beat` on another host). Run
beat with `-S ptsp.observability.scheduler:LockedScheduler`.

Each tick, the scheduler takes or renews a Redis lock (`SET NX PX`, renewed only by its owner
through a compare-and-set script). A scheduler that does not hold it sends nothing and checks
again a few seconds later; when the holder stops (its lock is released on close) or dies (the
lock expires after `SCHEDULER_LOCK_TTL` seconds), a standby takes over. Every tick also touches
the heartbeat file `SCHEDULER_HEARTBEAT_FILE`, which the container health check reads.
"""

import contextlib
import logging
import os
import socket
import time
import uuid
from pathlib import Path

import redis
from celery.beat import PersistentScheduler

logger = logging.getLogger(__name__)

LOCK_KEY = "ptsp:scheduler:lock"
RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class SchedulerLock:
    """A Redis lock owned by one scheduler, renewed while it runs."""

    def __init__(self, url: str, *, ttl: float = 30.0, key: str = LOCK_KEY):
        self.client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
        self.ttl_ms = int(ttl * 1000)
        self.key = key
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.held = False

    def acquire_or_renew(self) -> bool:
        """True when this scheduler holds the lock now. False (never raises) if Redis is down."""
        try:
            if self.held and self.client.eval(RENEW, 1, self.key, self.owner, self.ttl_ms):
                return True
            self.held = bool(self.client.set(self.key, self.owner, nx=True, px=self.ttl_ms))
        except redis.RedisError as exc:
            logger.warning("scheduler lock: Redis unavailable (%s)", exc.__class__.__name__)
            self.held = False
        return self.held

    def release(self) -> None:
        try:
            if self.held:
                self.client.eval(RELEASE, 1, self.key, self.owner)
        except redis.RedisError:
            pass
        self.held = False

    def holder(self) -> str | None:
        value = self.client.get(self.key)
        return value.decode() if value else None


class LockedScheduler(PersistentScheduler):
    """Celery beat's persistent scheduler that sends only while it holds the lock."""

    def __init__(self, *args, **kwargs):
        app = kwargs.get("app") or (args[0] if args else None)
        ttl = float(os.environ.get("SCHEDULER_LOCK_TTL", "30"))
        url = app.conf.broker_url or ""
        # Only a Redis broker can hold the lock; with another broker this is plain beat.
        self.lock = (
            SchedulerLock(url, ttl=ttl) if url.startswith(("redis://", "rediss://")) else None
        )
        self.lock_check_interval = max(1.0, ttl / 3)
        heartbeat = os.environ.get("SCHEDULER_HEARTBEAT_FILE", "")
        self.heartbeat_file = Path(heartbeat) if heartbeat else None
        self._was_leader = None
        super().__init__(*args, **kwargs)

    def _beat(self) -> None:
        if self.heartbeat_file:
            with contextlib.suppress(OSError):
                self.heartbeat_file.touch()

    def tick(self, *args, **kwargs):
        self._beat()
        if self.lock is None:
            return super().tick(*args, **kwargs)
        leader = self.lock.acquire_or_renew()
        if leader != self._was_leader:
            if leader:
                logger.info("scheduler: this process holds the lock and sends periodic work")
            else:
                logger.warning(
                    "scheduler: another scheduler holds the lock; standing by and sending nothing"
                )
            self._was_leader = leader
        if not leader:
            return self.lock_check_interval
        return min(super().tick(*args, **kwargs), self.lock_check_interval)

    def close(self):
        try:
            super().close()
        finally:
            if self.lock is not None:
                self.lock.release()


def heartbeat_age(path: str) -> float:
    """Seconds since the scheduler last ticked (for the health check)."""
    return time.time() - Path(path).stat().st_mtime

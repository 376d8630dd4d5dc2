"""Health of the things a request and a task need: the database and the broker."""

import logging
import time

import redis
from django.conf import settings
from django.db import connection
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, "ok"
    except Exception as exc:
        return False, exc.__class__.__name__


def check_broker() -> tuple[bool, str]:
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return True, "not checked"
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=1, socket_timeout=1, retry=Retry(NoBackoff(), 0)
        )
        client.ping()
        client.close()
        return True, "ok"
    except Exception as exc:
        return False, exc.__class__.__name__


def health_report() -> tuple[bool, dict]:
    started = time.monotonic()
    db_ok, db_detail = check_database()
    broker_ok, broker_detail = check_broker()
    from outbox.services import pending_count, unfinished_count

    report = {
        "status": "ok" if db_ok and broker_ok else "unavailable",
        "database": db_detail,
        "broker": broker_detail,
        "outbox_pending": pending_count() if db_ok else None,
        # Handed over and not completed yet (or waiting): work the reconciler watches.
        "outbox_unfinished": unfinished_count() if db_ok else None,
        "elapsed_ms": round((time.monotonic() - started) * 1000, 1),
    }
    return db_ok and broker_ok, report

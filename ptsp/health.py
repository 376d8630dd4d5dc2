"""Health of the things a request and a task need: the database and the broker, and the facts
the apps add to the report (the outbox's backlog: registered by outbox.apps)."""

import logging
import time
from collections.abc import Callable

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


# Facts read from the database for the report, by name: an app that owns them registers each in
# its AppConfig.ready(). They inform (a backlog), they do not decide the status.
_database_facts: dict[str, Callable[[], object]] = {}


def health_fact_register(name: str, read: Callable[[], object]) -> None:
    _database_facts[name] = read


def health_report() -> tuple[bool, dict]:
    started = time.monotonic()
    db_ok, db_detail = check_database()
    broker_ok, broker_detail = check_broker()
    report = {
        "status": "ok" if db_ok and broker_ok else "unavailable",
        "database": db_detail,
        "broker": broker_detail,
    }
    for name, read in _database_facts.items():
        report[name] = read() if db_ok else None
    report["elapsed_ms"] = round((time.monotonic() - started) * 1000, 1)
    return db_ok and broker_ok, report

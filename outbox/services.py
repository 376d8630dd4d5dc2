"""The one way to enqueue background work (docs/adr/0003-celery-and-the-outbox.md).

Call `enqueue` inside the transaction that makes the change: the work is stored with it, so it
is never lost, and it is published to the broker only after commit, so a worker never sees a
row that does not exist yet. A dead broker costs the request at most the connect timeout; the
relay publishes the message when the broker is back.
"""

import logging
import socket
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from outbox.models import OutboxMessage

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)


def enqueue(
    task_name: str,
    *,
    args: list | tuple = (),
    kwargs: dict | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Record `task_name(*args, **kwargs)` and publish it after the surrounding commit.

    Who may call: any service. Changes: one OutboxMessage row. Sends: the task, on commit.
    With a `dedupe_key` already recorded, nothing new is recorded and None is returned.
    """
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                task_name=task_name,
                args=list(args),
                kwargs=kwargs or {},
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        if dedupe_key is None:
            raise
        return None
    if settings.OUTBOX_PUBLISH_ON_COMMIT:
        transaction.on_commit(lambda: dispatch(message.pk))
    return message


def dispatch(message_id: int) -> bool:
    """Publish one pending message. Safe to call concurrently: a lease lets one caller win.

    Returns True when the broker took the message. Never raises on broker failure: the error
    is recorded and the relay tries again.
    """
    from ptsp.celery import app

    now = timezone.now()
    claimed = OutboxMessage.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now),
        pk=message_id,
        dispatched_at__isnull=True,
    ).update(locked_until=now + LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        # The Redis client retries a refused connection with back-off for seconds; a plain TCP
        # probe answers at once, so that a request never waits for a dead broker.
        if not broker_reachable(app.conf.broker_url):
            raise ConnectionRefusedError("broker unreachable")
        app.send_task(
            message.task_name,
            args=message.args,
            kwargs=message.kwargs,
            task_id=f"outbox-{message.pk}",
            retry=False,
        )
    except Exception as exc:  # broker down or unreachable: leave it for the relay
        logger.warning(
            "outbox: broker refused message %s: %s: %s", message.pk, exc.__class__.__name__, exc
        )
        OutboxMessage.objects.filter(pk=message.pk).update(
            locked_until=None, last_error=f"{exc.__class__.__name__}: {exc}"[:2000]
        )
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(
        dispatched_at=timezone.now(), locked_until=None, last_error=""
    )
    return True


def broker_reachable(url: str, timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections at the broker's address (redis:// URLs)."""
    parsed = urlsplit(url)
    if parsed.scheme not in ("redis", "rediss") or not parsed.hostname:
        return True
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=timeout):
            return True
    except OSError:
        return False


def relay_pending(*, limit: int = 500) -> int:
    """Publish messages that were not published at commit (broker down, process died).

    Called by the periodic `outbox.tasks.relay` and by `manage.py outbox_relay`. Returns how many
    messages the broker took. Stops at the first broker failure: the broker is down.
    """
    now = timezone.now()
    pending = list(
        OutboxMessage.objects.filter(
            Q(locked_until__isnull=True) | Q(locked_until__lt=now),
            dispatched_at__isnull=True,
        )
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in pending:
        if dispatch(pk):
            sent += 1
        elif OutboxMessage.objects.filter(
            pk=pk, dispatched_at__isnull=True, locked_until__isnull=True
        ).exists():
            break
    return sent


def pending_count() -> int:
    return OutboxMessage.objects.filter(dispatched_at__isnull=True).count()

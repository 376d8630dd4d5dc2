"""The one way to enqueue background work (docs/adr/0003-celery-and-the-outbox.md).

Call `enqueue` inside the transaction that makes the change: the work is stored with it, so it
is never lost, and it is published to the broker only after commit, so a worker never sees a
row that does not exist yet. A request waits at most OUTBOX_PUBLISH_TIMEOUT_MS for the broker;
after a failure a circuit breaker keeps the request path from trying again for
OUTBOX_BREAKER_SECONDS. The relay (beat, and a thread in every worker) publishes what waits and
hands over again what was handed over but never completed.
"""

import contextvars
import logging
import socket
import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from outbox.models import OutboxMessage
from ptsp.celery import app

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
TASK_ID_PREFIX = "outbox-"


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
        transaction.on_commit(lambda: publish_after_commit(message.pk))
    return message


def reopen(*, dedupe_key: str, task_name: str, args: list | tuple = ()) -> str:
    """Make sure the work named `dedupe_key` will run (again): the invariant checks' repair.

    Who may call: operations.invariants. Changes: the message with that key back to pending
    (completed or failed ones too: the check found their effect missing), or a new message.
    Returns "reopened", "created" or "waiting" (already pending or handed over recently).
    """
    now = timezone.now()
    reopened = OutboxMessage.objects.filter(dedupe_key=dedupe_key).filter(
        Q(completed_at__isnull=False) | Q(failed_at__isnull=False) | Q(redeliver_after__lt=now)
    )
    if reopened.update(
        dispatched_at=None,
        completed_at=None,
        failed_at=None,
        redeliver_after=None,
        locked_until=None,
        redeliveries=F("redeliveries") + 1,
    ):
        return "reopened"
    if OutboxMessage.objects.filter(dedupe_key=dedupe_key).exists():
        return "waiting"
    enqueue(task_name, args=args, dedupe_key=dedupe_key)
    return "created"


# --- Publishing --------------------------------------------------------------------------------


class CircuitBreaker:
    """After a publish that timed out (a hung broker), the request path does not try the broker
    for `seconds` (per process): the work waits in the outbox for the relay, and requests do
    not pay the timeout again and again."""

    def __init__(self):
        self.open_until = 0.0
        self.lock = threading.Lock()

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self, seconds: float) -> None:
        with self.lock:
            self.open_until = time.monotonic() + seconds

    def reset(self) -> None:
        with self.lock:
            self.open_until = 0.0


breaker = CircuitBreaker()


def publish_after_commit(message_id: int) -> bool:
    """The request's publish: bounded by OUTBOX_PUBLISH_TIMEOUT_MS, skipped while the breaker
    is open. Never raises."""
    if breaker.is_open():
        return False
    try:
        sent = dispatch(message_id, timeout=settings.OUTBOX_PUBLISH_TIMEOUT_MS / 1000)
    except Exception:  # the database itself failed: the relay will find the row
        logger.exception("outbox: publish of message %s failed", message_id)
        sent = False
    # Only a broker that does not answer trips the breaker: a refused connection is known at
    # once (the TCP probe) and costs a request nothing.
    if (
        not sent
        and OutboxMessage.objects.filter(
            pk=message_id, dispatched_at__isnull=True, last_error__startswith="TimeoutError"
        ).exists()
    ):
        breaker.trip(settings.OUTBOX_BREAKER_SECONDS)
    return sent


def _send(message: OutboxMessage) -> None:
    # The Redis client retries a refused connection with back-off for seconds; a plain TCP
    # probe answers at once when nothing listens.
    if not broker_reachable(app.conf.broker_url):
        raise ConnectionRefusedError("broker unreachable")
    app.send_task(
        message.task_name,
        args=message.args,
        kwargs=message.kwargs,
        task_id=f"{TASK_ID_PREFIX}{message.pk}",
        retry=False,
    )


def _mark_dispatched(message_id: int) -> None:
    now = timezone.now()
    OutboxMessage.objects.filter(pk=message_id).update(
        dispatched_at=now,
        redeliver_after=now + timedelta(seconds=settings.OUTBOX_REDELIVER_SECONDS),
        locked_until=None,
        last_error="",
    )


def _send_bounded(message: OutboxMessage, timeout: float) -> None:
    """Send in a helper thread and wait at most `timeout` seconds. A hung broker (a stopped
    process whose port still accepts) keeps the helper thread until the client's own socket
    timeout; the caller is free at once. A send that succeeds after the caller gave up (a slow
    first connection of a process) records the message as handed over itself and closes the
    breaker again, so that the message is not published twice."""
    state = {"gave_up": False}
    lock = threading.Lock()

    def run():
        try:
            _send(message)
        except Exception as exc:
            state["error"] = exc
            return
        with lock:
            state["ok"] = True
            late = state["gave_up"]
        if late:
            try:
                _mark_dispatched(message.pk)
                breaker.reset()
                logger.info("outbox: message %s was taken by the broker late", message.pk)
            except Exception:
                logger.exception("outbox: could not record the late hand-over of %s", message.pk)
            finally:
                connection.close()

    # The request's context (request id, user: ptsp.observability) travels with the message.
    context = contextvars.copy_context()
    thread = threading.Thread(
        target=context.run, args=(run,), name=f"outbox-publish-{message.pk}", daemon=True
    )
    thread.start()
    thread.join(timeout)
    with lock:
        if not state.get("ok") and "error" not in state:
            state["gave_up"] = True
            raise TimeoutError(f"broker did not answer within {timeout * 1000:.0f} ms")
    if "error" in state:
        raise state["error"]


def dispatch(message_id: int, *, timeout: float | None = None) -> bool:
    """Publish one pending message. Safe to call concurrently: a lease lets one caller win.

    Returns True when the broker took the message. Never raises on broker failure: the error
    is recorded and the relay tries again.
    """
    if timeout is None:
        timeout = float(settings.OUTBOX_RELAY_PUBLISH_TIMEOUT)
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now),
        pk=message_id,
        dispatched_at__isnull=True,
        completed_at__isnull=True,
        failed_at__isnull=True,
    ).update(locked_until=now + LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        _send_bounded(message, timeout)
    except Exception as exc:  # broker down, hung or unreachable: leave it for the relay
        logger.warning(
            "outbox: broker refused message %s: %s: %s", message.pk, exc.__class__.__name__, exc
        )
        OutboxMessage.objects.filter(pk=message.pk).update(
            locked_until=None, last_error=f"{exc.__class__.__name__}: {exc}"[:2000]
        )
        return False
    _mark_dispatched(message.pk)
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


# --- The relay and the reconciler --------------------------------------------------------------


def reconcile_handed_over() -> int:
    """Hand over again what was handed over but not completed in time (the broker lost it, a
    worker was killed): back to pending, for the relay. After OUTBOX_MAX_REDELIVERIES the
    message is marked failed and logged at ERROR. Returns how many were reopened."""
    now = timezone.now()
    stale = OutboxMessage.objects.filter(
        dispatched_at__isnull=False,
        completed_at__isnull=True,
        failed_at__isnull=True,
        redeliver_after__lt=now,
    )
    given_up = list(
        stale.filter(redeliveries__gte=settings.OUTBOX_MAX_REDELIVERIES).values_list(
            "pk", flat=True
        )
    )
    if given_up:
        OutboxMessage.objects.filter(pk__in=given_up).update(
            failed_at=now,
            last_error=f"not completed after {settings.OUTBOX_MAX_REDELIVERIES} redeliveries",
        )
        logger.error("outbox: gave up on messages %s (never completed)", given_up)
    reopened = stale.filter(redeliveries__lt=settings.OUTBOX_MAX_REDELIVERIES).update(
        dispatched_at=None, redeliver_after=None, redeliveries=F("redeliveries") + 1
    )
    if reopened:
        logger.warning(
            "outbox: %s message(s) handed over but not completed within %s s: handing over again",
            reopened,
            settings.OUTBOX_REDELIVER_SECONDS,
        )
    return reopened


def relay_pending(*, limit: int = 500) -> int:
    """Reconcile (`reconcile_handed_over`), then publish messages that wait (broker was down,
    process died, handed over again).

    Called by the periodic `outbox.tasks.relay`, by the relay thread of every worker
    (outbox.worker) and by `manage.py outbox_relay`. Returns how many messages the broker took.
    Stops at the first broker failure: the broker is down.
    """
    reconcile_handed_over()
    now = timezone.now()
    pending = list(
        OutboxMessage.objects.filter(
            Q(locked_until__isnull=True) | Q(locked_until__lt=now),
            dispatched_at__isnull=True,
            completed_at__isnull=True,
            failed_at__isnull=True,
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
    if sent:
        breaker.reset()
    return sent


def pending_count() -> int:
    """Messages waiting to be handed to the broker."""
    return OutboxMessage.objects.filter(
        dispatched_at__isnull=True, completed_at__isnull=True, failed_at__isnull=True
    ).count()


def unfinished_count() -> int:
    """Messages not completed and not failed: waiting, or handed over and not done yet."""
    return OutboxMessage.objects.filter(completed_at__isnull=True, failed_at__isnull=True).count()


# --- What the worker reports (outbox.signals) --------------------------------------------------


def message_id_of(task_id: str | None) -> int | None:
    if task_id and task_id.startswith(TASK_ID_PREFIX):
        try:
            return int(task_id[len(TASK_ID_PREFIX) :])
        except ValueError:
            return None
    return None


def message_started(task_id: str | None) -> None:
    """A worker began the task: the reconciler waits OUTBOX_REDELIVER_SECONDS from now."""
    pk = message_id_of(task_id)
    if pk:
        OutboxMessage.objects.filter(pk=pk, completed_at__isnull=True).update(
            redeliver_after=timezone.now() + timedelta(seconds=settings.OUTBOX_REDELIVER_SECONDS)
        )


def message_retrying(task_id: str | None, countdown: float) -> None:
    """The task will run again in `countdown` s: the reconciler waits for that too."""
    pk = message_id_of(task_id)
    if pk:
        OutboxMessage.objects.filter(pk=pk, completed_at__isnull=True).update(
            redeliver_after=timezone.now()
            + timedelta(seconds=countdown + settings.OUTBOX_REDELIVER_SECONDS)
        )


def message_completed(task_id: str | None) -> None:
    """The task returned: its effect is committed (tasks commit before they return)."""
    pk = message_id_of(task_id)
    if pk:
        OutboxMessage.objects.filter(pk=pk, completed_at__isnull=True).update(
            completed_at=timezone.now(), locked_until=None
        )


def message_failed(task_id: str | None, error: str) -> None:
    """The task failed after its retries: the failed-work page has it; no more redeliveries."""
    pk = message_id_of(task_id)
    if pk:
        OutboxMessage.objects.filter(pk=pk, completed_at__isnull=True).update(
            failed_at=timezone.now(), last_error=error[:2000]
        )

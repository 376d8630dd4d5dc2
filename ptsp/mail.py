"""E-mail sent exactly once (docs/adr/0003-celery-and-the-outbox.md, "Mail").

A mail row is *claimed* in its own committed update before the mail server is talked to, and
*marked* sent after. A second delivery of the task, a retry or a "run again" from the
failed-work page finds it sent (does nothing) or claimed (tries again later, once the claim is
old enough to mean that its holder died). Database errors after the send are retried in place,
on a fresh connection, so that a sent mail is not sent again because its mark could not be
written. Every message carries a stable Message-ID, so that the one case left — a worker killed
after the server took the mail and before the mark — gives the receiving side a copy it can
recognise as the same message.
"""

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import DatabaseError, connection
from django.db.models import Q, QuerySet
from django.utils import timezone

logger = logging.getLogger("ptsp.mail")

# A claim older than this belongs to a worker that died (the mail tasks' hard time limit, 45 s,
# is below it): the mail may be sent again, with the same Message-ID.
CLAIM_SECONDS = 50
MARK_ATTEMPTS = 6


class MailClaimed(Exception):
    """Another delivery of the same mail holds a fresh claim: try again in `retry_in` s, when
    the claim has expired if its holder died."""

    def __init__(self, message: str, retry_in: float):
        super().__init__(message)
        self.retry_in = retry_in


def stable_message_id(kind: str, pk: int) -> str:
    """`<kind-pk@domain>`, the domain of DEFAULT_FROM_EMAIL: the same for every delivery."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL or "")[1].rpartition("@")[2] or "ptsp.local"
    return f"<{kind}-{pk}@{domain}>"


def _with_db_retries(fn: Callable[[], object]) -> object:
    delay = 0.2
    for attempt in range(1, MARK_ATTEMPTS + 1):
        try:
            return fn()
        except DatabaseError as exc:
            if attempt == MARK_ATTEMPTS:
                raise
            logger.warning("mail: database error, retrying in %.1fs: %s", delay, exc)
            connection.close()  # a terminated backend: the next try opens a new connection
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
    return None


def send_once(
    *,
    rows: QuerySet,
    pk: int,
    claimed_field: str,
    sent_field: str,
    build: Callable[[object], EmailMessage | None],
    message_id: str,
) -> str:
    """Send the mail of row `pk` of `rows` at most once; returns "sent", "already sent" or
    "nothing to send" (the row is gone or `build` returns None). Raises MailClaimed (a fresh
    claim is held by another delivery), OSError (the mail server; the claim is released so that
    the retry sends) or DatabaseError (before the send: nothing was sent)."""
    now = timezone.now()
    stale = now - timedelta(seconds=CLAIM_SECONDS)
    claimed = (
        rows.filter(pk=pk, **{f"{sent_field}__isnull": True})
        .filter(Q(**{f"{claimed_field}__isnull": True}) | Q(**{f"{claimed_field}__lt": stale}))
        .update(**{claimed_field: now})
    )
    if not claimed:
        row = rows.filter(pk=pk).values(sent_field, claimed_field).first()
        if row is None:
            return "nothing to send"
        if row[sent_field] is not None:
            return "already sent"
        expires = row[claimed_field] + timedelta(seconds=CLAIM_SECONDS)
        raise MailClaimed(
            f"mail {message_id} is being sent by another delivery",
            retry_in=max(1.0, (expires - now).total_seconds() + 1),
        )
    row = rows.get(pk=pk)
    message = build(row)
    if message is None:
        return "nothing to send"
    message.extra_headers = {**message.extra_headers, "Message-ID": message_id}
    try:
        message.send()
    except OSError:
        # The server refused or was unreachable: the mail was not taken, the retry may send it.
        _with_db_retries(lambda: rows.filter(pk=pk).update(**{claimed_field: None}))
        raise
    _with_db_retries(lambda: rows.filter(pk=pk).update(**{sent_field: timezone.now()}))
    return "sent"

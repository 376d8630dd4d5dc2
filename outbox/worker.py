"""The relay in every worker (docs/adr/0003-celery-and-the-outbox.md): a thread of the worker's
main process runs `relay_pending` every OUTBOX_RELAY_SECONDS, so that work waiting in the
outbox moves while beat is down. Leases make concurrent relays (beat, several workers) safe.
"""

import logging
import threading

from celery import bootsteps
from django.conf import settings
from django.db import connection

from outbox.services import relay_pending

logger = logging.getLogger("outbox")


class OutboxRelay(bootsteps.StartStopStep):
    """Started after the pool (the thread's database connection is never shared with a forked
    child) and stopped first on shutdown."""

    requires = {"celery.worker.components:Pool"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.stopping = threading.Event()
        self.thread = None

    def start(self, worker):
        if not settings.OUTBOX_RELAY_IN_WORKER:
            return
        self.thread = threading.Thread(
            target=self.run,
            args=(float(settings.OUTBOX_RELAY_SECONDS),),
            name="outbox-relay",
            daemon=True,
        )
        self.thread.start()

    def run(self, period: float) -> None:
        while not self.stopping.wait(period):
            try:
                relay_pending()
            except Exception:
                logger.exception("outbox: the worker's relay failed; trying again")
            finally:
                connection.close()

    def stop(self, worker):
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout=10)
            self.thread = None

    # A cold shutdown (SIGQUIT, a second SIGTERM, an embedded worker leaving) calls `terminate`,
    # whose default only stops a step's `obj`: this step has none, so the relay would outlive
    # its worker and keep relaying into whatever broker and database come next.
    terminate = stop

"""The worker's liveness heartbeat: a file touched from the worker's own event loop.

`WORKER_HEARTBEAT_FILE` set: every 10 s the consumer's timer touches it; the compose health
check fails when it is older than 60 s (the worker's loop is stuck or the process is gone).
`celery -A ptsp inspect ping` is the deeper check (a round trip through the broker).
"""

import logging
import os
from pathlib import Path

from celery import bootsteps

logger = logging.getLogger(__name__)

INTERVAL = 10.0


class HeartbeatFile(bootsteps.StartStopStep):
    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        path = os.environ.get("WORKER_HEARTBEAT_FILE", "")
        self.path = Path(path) if path else None
        self.tref = None

    def start(self, worker):
        if self.path:
            self.touch()
            self.tref = worker.timer.call_repeatedly(INTERVAL, self.touch)

    def stop(self, worker):
        if self.tref:
            self.tref.cancel()
            self.tref = None
        if self.path:
            self.path.unlink(missing_ok=True)

    def touch(self):
        try:
            self.path.touch()
        except OSError as exc:
            logger.warning("worker heartbeat file: %s", exc)

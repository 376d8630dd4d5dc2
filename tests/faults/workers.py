"""Real Celery worker processes for fault tests: started, killed and restarted by the test."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent


def worker_env(broker_url: str, **extra) -> dict:
    """The environment of a worker that uses the test database and the test's own broker."""
    db = connection.settings_dict
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": broker_url,
        "OUTBOX_PUBLISH_ON_COMMIT": "true",
        # Production timeouts (visibility 180 s, redelivery after 30 s, relay every 5 s): the
        # fault tests show what production does, not a shortened version of it.
        "OUTBOX_RELAY_IN_WORKER": "true",
    }
    for name in ("CELERY_VISIBILITY_TIMEOUT", "OUTBOX_REDELIVER_SECONDS", "OUTBOX_RELAY_SECONDS"):
        env.pop(name, None)
    env.pop("TEST_DATABASE_NAME", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


class Worker:
    """`celery worker` in its own process group (prefork, one child)."""

    def __init__(self, broker_url: str, name: str = "fault", **env):
        self.env = worker_env(broker_url, **env)
        self.name = name
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "ptsp",
                "worker",
                "-P",
                "prefork",
                "-c",
                "1",
                "-n",
                f"{self.name}-{time.monotonic_ns()}@%h",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "WARNING",
            ],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return self

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and its child): a crash, not a shutdown."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

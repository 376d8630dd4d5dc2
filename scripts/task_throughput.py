"""Trivial-task throughput of a running worker (docs/deploy.md, "Sizing").

Publishes N `outbox.tasks.relay` tasks and waits until the worker's own metrics count N more
successes. Needs the worker started with METRICS_PORT and METRICS_TOKEN (and the same
DATABASE_URL / CELERY_BROKER_URL in this shell):

    PYTHONPATH=. python scripts/task_throughput.py 1000 [http://127.0.0.1:9110/metrics]
"""

import os
import re
import sys
import time
import urllib.request

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptsp.settings")
django.setup()

from ptsp.celery import app  # noqa: E402

TASK = "outbox.tasks.relay"


def done(url: str, token: str) -> float:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    text = urllib.request.urlopen(request, timeout=5).read().decode()  # noqa: S310 - local
    match = re.search(
        rf'ptsp_task_duration_seconds_count\{{state="SUCCESS",task="{re.escape(TASK)}"\}} (\S+)',
        text,
    )
    return float(match.group(1)) if match else 0.0


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    url = sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:9110/metrics"
    token = os.environ["METRICS_TOKEN"]
    before = done(url, token)
    started = time.perf_counter()
    with app.producer_or_acquire() as producer:
        for _ in range(count):
            app.send_task(TASK, producer=producer)
    published = time.perf_counter()
    while done(url, token) < before + count:
        time.sleep(0.2)
    finished = time.perf_counter()
    print(
        f"published {count} in {published - started:.2f}s; all done after "
        f"{finished - started:.2f}s -> {count / (finished - started):.0f} tasks/s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

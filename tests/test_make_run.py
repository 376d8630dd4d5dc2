"""`make run` as a newcomer meets it: scripts/run_local.py with no DATABASE_URL nor broker, its
own embedded PostgreSQL (pgserver) and Redis in a fresh var directory, then
scripts/check_local.py walks every demo role's landing page and navigation, /statistics/ and
the catalog, and each answers 200. A second start on the same var directory reuses the data."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from fees.billing import billing_code_make
from ptsp.servers import free_port, port_open

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("default_ports")]

# What the test command sets for pytest, and what a newcomer's shell does not have.
_NOT_A_NEWCOMERS = (
    "DJANGO_ENV",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "TEST_DATABASE_NAME",
    "PTSP_CLOCK_SHIFT",
    "PTSP_LOCAL_REDIS_PORT",
    "SITE_URL",
)


def _env(var: Path, port: int, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in _NOT_A_NEWCOMERS}
    return {**env, "PTSP_VAR_DIR": str(var), "HOST": "127.0.0.1", "PORT": str(port), **extra}


class MakeRun:
    def __init__(self, var: Path, port: int):
        self.var, self.port = var, port
        self.log = var.parent / f"make-run-{time.monotonic_ns()}.log"
        self.process = None

    # A fresh start (embedded PostgreSQL, migrations, the demo, four simulators) once needed
    # more than 150 s on CI's machine loaded by other work. The time is printed, not asserted:
    # this only catches a start that never ends.
    def start(self, timeout: float = 300.0) -> float:
        started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "scripts/run_local.py"],
            cwd=ROOT,
            env=_env(self.var, self.port),
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = started + timeout
        while time.monotonic() < deadline:
            if "PTSP Online is at" in self.output():
                return time.monotonic() - started
            if self.process.poll() is not None:
                pytest.fail(f"make run stopped (exit {self.process.returncode}):\n{self.output()}")
            time.sleep(0.5)
        pytest.fail(f"make run did not serve within {timeout} s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest.fixture
def fresh_dir():
    """A directory outside pytest's own temporary root: pytest makes that root 0700 at every
    session start (another checkout's test run, say), which locks out the `pgserver` system
    user that pgserver runs PostgreSQL as when started by root."""
    path = Path(tempfile.mkdtemp(prefix="ptsp-make-run-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_make_run_serves_every_roles_pages_and_keeps_its_data(fresh_dir):
    var = fresh_dir / "var"
    port = free_port()
    run = MakeRun(var, port)
    try:
        first = run.start()
        out = run.output()
        # SITE_URL (printed from the environment the web and the worker inherit) follows the
        # served port: links in e-mails and QR codes open this portal, not :8000.
        assert f"PTSP Online is at http://127.0.0.1:{port}/" in out
        assert "demo-ptsp-2026" in out and "monitor.btg@ptsp.local" in out  # the logins
        assert "already exists" not in out
        assert "outbox.tasks.relay" not in out  # no relay line every few seconds
        assert "Traceback" not in out
        # the OSS simulator runs beside it and pushed the demo's receiveNIB (docs/oss.md)
        assert "OSS demo: the simulator pushed NIB" in out and "OSS-RBA simulator: http" in out
        # the BSrE simulator too, its CA kept and trusted beside the development CA (issue 19)
        assert "BSrE simulator: http://127.0.0.1:" in out
        bsre_ca = (var / "signing" / "bsre-sim-ca.pem").read_bytes()
        bundle = (var / "signing" / "trust-bundle.pem").read_bytes()
        assert bsre_ca in bundle and bundle.count(b"BEGIN CERTIFICATE") == 2
        # PAdES B-LT: the development CA's OCSP/CRL and TSA beside it (tests/test_make_run_signing.py)
        assert (
            "Signing: PAdES B-LT, the development CA's OCSP/CRL and TSA at http://127.0.0.1:" in out
        )
        assert (var / "signing" / "dev-ca.tsa.pem").is_file()
        # the bank simulator too, its teller page asking this portal's receiver (issue 17): a
        # well-formed billing code that no bill has is answered 14 by the portal, signed and all
        assert "Bank simulator (teller page): http://127.0.0.1:" in out
        _teller_asks_the_portal(out)
        walk = subprocess.run(
            [sys.executable, "scripts/check_local.py", f"http://127.0.0.1:{port}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert walk.returncode == 0, walk.stdout + walk.stderr
        assert "200  /monitoring/" in walk.stdout and "200  /statistics/" in walk.stdout
    finally:
        run.stop()
    assert (var / "pgdata" / "PG_VERSION").exists()
    assert not (var / "pgserver.url").exists()
    assert not port_open("127.0.0.1", port)

    again = MakeRun(var, port)
    try:
        second = again.start()
        assert "Traceback" not in again.output()
        assert "OSS demo: a business from OSS is already there" in again.output()
        assert (var / "signing" / "bsre-sim-ca.pem").read_bytes() == bsre_ca  # the same root
        login = subprocess.run(
            [sys.executable, "scripts/check_local.py", f"http://127.0.0.1:{port}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert login.returncode == 0, login.stdout
    finally:
        again.stop()
    print(f"make run: first start {first:.1f} s, second start {second:.1f} s")


def _teller_asks_the_portal(out: str) -> None:
    teller = out.split("Bank simulator (teller page): ", 1)[1].split()[0].rstrip("/")
    with urllib.request.urlopen(f"{teller}/", timeout=10) as page:
        assert "Kode bayar" in page.read().decode()
    code = billing_code_make(region_prefix="6474", year=26, serial=999999)
    form = urllib.parse.urlencode({"bank": "BANKKALTIMTARA", "billing_code": code}).encode()
    with urllib.request.urlopen(f"{teller}/teller/inquiry", form, timeout=30) as page:
        answer = page.read().decode()
    assert "<strong>14</strong> Kode bayar tidak ditemukan" in answer, answer


def _hold_port() -> socket.socket:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    return holder


def test_make_run_refuses_a_redis_port_that_another_process_holds(tmp_path):
    with _hold_port() as holder:
        taken = holder.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "scripts/run_local.py"],
            cwd=ROOT,
            env=_env(tmp_path / "var", free_port(), PTSP_LOCAL_REDIS_PORT=str(taken)),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"Port {taken} (PTSP_LOCAL_REDIS_PORT) is already taken by another process" in (
        result.stderr
    )
    assert not (tmp_path / "var" / "pgdata").exists()  # nothing was started


def test_make_run_refuses_a_web_port_in_use_and_a_bad_port(tmp_path):
    with _hold_port() as holder:
        taken = holder.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "scripts/run_local.py"],
            cwd=ROOT,
            env=_env(tmp_path / "var", taken),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"Port {taken} on 127.0.0.1 is already in use" in result.stderr
    bad = subprocess.run(
        [sys.executable, "scripts/run_local.py"],
        cwd=ROOT,
        env={**_env(tmp_path / "var", 1), "PORT": "eighty"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 1 and "PORT='eighty' is not a port number" in bad.stderr
    assert not (tmp_path / "var" / "pgdata").exists()


def test_a_free_redis_port_is_picked_and_recorded_per_checkout(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import run_local
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    var = tmp_path / "var"
    var.mkdir()
    first = run_local.redis_port(var)
    assert (var / "redis.port").read_text().strip() == str(first)
    assert run_local.redis_port(var) == first  # kept while free
    with socket.socket() as other:  # another checkout's broker took it meanwhile
        other.bind(("127.0.0.1", first))
        other.listen()
        moved = run_local.redis_port(var)
    assert moved != first
    assert (var / "redis.port").read_text().strip() == str(moved)

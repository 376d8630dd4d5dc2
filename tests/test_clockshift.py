"""PTSP_CLOCK_SHIFT (tests/clockshift.py): the date-shift run of `make test` / `make test-dates`."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from tests.clockshift import ZONE, ClockShiftError, shifted_instant

ROOT = Path(__file__).resolve().parent.parent


def test_a_year_ahead_on_a_saturday_evening_in_the_region():
    now = datetime.now(UTC)
    target = shifted_instant("365d,sat 19:00", now=now)
    local = target.astimezone(ZONE)
    assert (local.weekday(), local.hour, local.minute) == (5, 19, 0)
    assert timedelta(days=365) <= target - now < timedelta(days=372)
    assert shifted_instant("30d", now=now) == now + timedelta(days=30)
    assert shifted_instant(" 0d , SAT 19:00 ", now=now).astimezone(ZONE).weekday() == 5


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("tomorrow", "is not understood"),
        ("-5d", "is not understood"),
        ("365", "is not understood"),
        ("365d,sat", "is not understood"),
        ("365d,sab 19:00", "'sab' is not a weekday"),
        ("365d,sat 24:00", "24:00 is not a time of day"),
        ("365d,sat 19:60", "19:60 is not a time of day"),
    ],
)
def test_a_malformed_shift_is_refused_by_name(value, message):
    with pytest.raises(ClockShiftError, match=message) as caught:
        shifted_instant(value, now=datetime.now(UTC))
    assert "PTSP_CLOCK_SHIFT" in str(caught.value)


def test_a_malformed_shift_stops_the_session_before_any_test():
    env = {**os.environ, "PTSP_CLOCK_SHIFT": "next saturday"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "tests/test_clockshift.py", "-k", "year_ahead"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 4  # pytest's usage error: nothing ran
    assert "PTSP_CLOCK_SHIFT='next saturday' is not understood" in result.stderr + result.stdout


@pytest.mark.skipif(not os.environ.get("PTSP_CLOCK_SHIFT"), reason="only in the date-shift run")
def test_the_shifted_session_sees_the_shifted_clock(db):
    """In the date-shift run every clock the code reads is the shifted one, the database's too;
    the real one is only behind time_machine's escape hatch."""
    from django.db import connection

    real = datetime.fromtimestamp(time_machine.escape_hatch.time.time(), UTC)
    expected = shifted_instant(os.environ["PTSP_CLOCK_SHIFT"], now=real)
    # The session started a little earlier and has ticked since: within an hour of the target.
    assert abs(timezone.now() - expected) < timedelta(hours=1)
    assert timezone.localdate() != real.date() or expected - real < timedelta(days=1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        database_now = cursor.fetchone()[0]
    # PostgreSQL's own now() stays real: the code takes every time from Python (timezone.now,
    # auto_now), which is shifted.
    assert abs(database_now - real) < timedelta(hours=1)


@pytest.mark.parametrize(
    ("args", "chooses"),
    [
        ([], False),
        (["-q", "--durations=60", "-p", "no:randomly"], False),
        (["--durations", "30", "-x"], False),
        (["tests/test_workflow.py", "-x"], True),
        (["-k", "sweep"], True),
        (["-m", "not browser"], True),
    ],
)
def test_the_fault_tests_are_left_out_of_the_whole_suite_only(args, chooses):
    """scripts/run_tests.py leaves the fault tests out (their own step, make test-faults) when
    the arguments do not choose tests; chosen tests run as chosen."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from run_tests import selects_tests
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert selects_tests(args) is chooses

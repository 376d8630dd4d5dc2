"""Run the tests on another day: `PTSP_CLOCK_SHIFT` moves the whole test session's clock.

The value is `<days>d`, optionally followed by `,<weekday> <HH:MM>`: the clock starts that many
days ahead of the real one, then (if given) moves on to the next such weekday and time in the
region's zone (`Asia/Makassar`, WITA, the first demo region's). `365d,sat 19:00` is a Saturday
evening a year from now: outside service hours, on a weekend, in another year. The clock keeps
ticking from there (`time_machine.travel(..., tick=True)`), in every thread of the test process
(the live server of the browser tests, Celery tasks run eagerly); `time.monotonic` stays real,
so timeouts do too. `make test-dates` runs the date-sensitive tests this way (docs/testing.md).
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

ENV = "PTSP_CLOCK_SHIFT"
ZONE = ZoneInfo("Asia/Makassar")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PATTERN = re.compile(r"^\s*(\d{1,5})d\s*(?:,\s*([a-z]{3})\s+(\d{1,2}):(\d{2})\s*)?$")


class ClockShiftError(ValueError):
    pass


def shifted_instant(value: str, *, now: datetime) -> datetime:
    """The aware instant the session starts at, for the `PTSP_CLOCK_SHIFT` value `value`.
    Raises ClockShiftError naming the expected shape for anything else."""
    match = _PATTERN.match(value.lower())
    if not match:
        raise ClockShiftError(
            f"{ENV}={value!r} is not understood: write '<days>d' or '<days>d,<weekday> <HH:MM>', "
            "e.g. '365d' or '365d,sat 19:00' (weekday: mon tue wed thu fri sat sun)."
        )
    days, weekday, hour, minute = match.groups()
    moment = now.astimezone(ZONE) + timedelta(days=int(days))
    if weekday is None:
        return moment
    if weekday not in WEEKDAYS:
        raise ClockShiftError(f"{ENV}: {weekday!r} is not a weekday (mon tue wed thu fri sat sun).")
    if int(hour) > 23 or int(minute) > 59:
        raise ClockShiftError(f"{ENV}: {hour}:{minute} is not a time of day (00:00 to 23:59).")
    target = moment.replace(hour=int(hour), minute=int(minute), second=0, microsecond=0)
    target += timedelta(days=(WEEKDAYS.index(weekday) - target.weekday()) % 7)
    if target < moment:
        target += timedelta(days=7)
    return target

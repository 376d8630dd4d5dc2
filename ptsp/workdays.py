"""The working-day calendar of a region (hari kerja).

Working days are Monday to Friday, minus Indonesian national holidays (the `holidays` package)
and the region's own days off and cuti bersama (agencies.RegionHoliday, managed by admins, read
through the source the agencies app registers: `holiday_source_register`).
Service hours (default 08:00-16:00) are in the region's own time zone (WIB, WITA or WIT).

Counting convention, used by every SLA clock (docs/sla.md, "Counting", with examples): the day
of receipt does not count. A file received on a working day before the end of service hours is
received that day; one received later, or on a day off, is received on the next working day.
Day 1 is the working day after the day of receipt, and a budget of N working days ends at the
end of service hours of day N. A stage's clock that stops (the file waits for the applicant) has
used the working days after its day of receipt up to and including the day it stopped; when it
runs again, the answer is a new receipt with the days that were left.
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.core.exceptions import ImproperlyConfigured

from ptsp.localcache import ProcessCache

MAX_SCAN_DAYS = 3660  # ten years: no budget or report reaches further


@lru_cache(maxsize=32)
def national_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("ID", years=[year]).keys())


# A region's reference data (its own days off, its DPMPTSP's name), per process: cleared by
# agencies.signals when they change; other processes follow within a minute.
reference_cache = ProcessCache(ttl=60)

# Where a region's own days off come from: (region id, year) -> its dates. The organisation's
# app owns them (agencies.RegionHoliday) and registers the source in its AppConfig.ready().
HolidaySource = Callable[[int, int], Iterable[date]]
_holiday_source: HolidaySource | None = None


def holiday_source_register(source: HolidaySource) -> None:
    global _holiday_source
    _holiday_source = source


def regional_holidays(region_id: int, year: int) -> frozenset[date]:
    """A region's own days off in `year`. With no source registered it refuses: a calendar that
    silently counted the region's days off as working days would set wrong legal deadlines."""
    source = _holiday_source
    if source is None:
        raise ImproperlyConfigured(
            "No source of regional holidays is registered "
            "(agencies.apps.AgenciesConfig.ready registers it)."
        )
    return reference_cache.get_or_compute(
        ("holidays", region_id, year), lambda: frozenset(source(region_id, year))
    )


class Calendar:
    """The working days of one region. Build it once per request or sweep and reuse it: the
    region's own holidays are loaded in one query, lazily, for the years asked about."""

    def __init__(self, region):
        self.region = region
        self.tz = ZoneInfo(region.timezone)
        self.service_start: time = region.service_start
        self.service_end: time = region.service_end
        self._regional: dict[int, frozenset[date]] = {}

    # --- days ------------------------------------------------------------------------------
    def _regional_days(self, year: int) -> frozenset[date]:
        if year not in self._regional:
            self._regional[year] = regional_holidays(self.region.pk, year)
        return self._regional[year]

    def is_working_day(self, day: date) -> bool:
        if day.weekday() >= 5:
            return False
        return day not in national_holidays(day.year) and day not in self._regional_days(day.year)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        for _ in range(MAX_SCAN_DAYS):
            day += timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ValueError("no working day within ten years")

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.tz)

    def receipt_day(self, start: datetime) -> date:
        """The day a file that arrives at `start` counts as received: that day when it is a
        working day and service hours have not ended, else the next working day."""
        local = self.local(start)
        if self.is_working_day(local.date()) and local.time() < self.service_end:
            return local.date()
        return self.next_working_day(local.date())

    def first_day(self, start: datetime) -> date:
        """Day 1 of a stage that starts at `start`: the working day after its day of receipt
        (the day of receipt does not count)."""
        return self.next_working_day(self.receipt_day(start))

    def end_of_service(self, day: date) -> datetime:
        return datetime.combine(day, self.service_end, tzinfo=self.tz)

    # --- arithmetic ------------------------------------------------------------------------
    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The deadline of a budget of `days` working days starting at `start`: the end of
        service hours of day `days` (day 1 being `first_day(start)`)."""
        if days < 1:
            raise ValueError("a budget is at least one working day")
        day = self.first_day(start)
        for _ in range(days - 1):
            day = self.next_working_day(day)
        return self.end_of_service(day)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end (0 when end <= start)."""
        count = 0
        day = start
        for _ in range(MAX_SCAN_DAYS):
            if day >= end:
                return count
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        raise ValueError("range longer than ten years")

    def days_used(self, start: datetime, at: datetime) -> int:
        """Working days a stage that started at `start` has used by `at`: the working days after
        its day of receipt up to and including `at`'s day (0 on the day of receipt)."""
        return self.working_days_between(self.receipt_day(start), self.local(at).date())

    def days_left(self, *, start: datetime, paused_at: datetime, due_at: datetime | None) -> int:
        """The working days a stage still had when its clock stopped at `paused_at` (at least 1):
        the stage's segment started at `start` and was due at `due_at`. The day it stopped on
        counts as used, unless it was before the segment's first counted day."""
        if due_at is None or paused_at >= due_at:
            return 1
        counted_from = max(self.receipt_day(start), self.local(paused_at).date())
        return max(1, self.working_days_between(counted_from, self.local(due_at).date()))

    def day_number(self, start: datetime, at: datetime) -> int:
        """Which working day of a stage `at` falls on ("day N of M"): 1 on the first day. Before
        day 1 begins (on the day of receipt), it is still day 1."""
        first = self.first_day(start)
        local_at = self.local(at).date()
        if local_at <= first:
            return 1
        return 1 + self.working_days_between(first, local_at)

    def working_days_late(self, deadline: datetime, at: datetime) -> int:
        """Working days past a deadline: 0 on time; 1 on the next working day, and so on."""
        if at <= deadline:
            return 0
        return max(1, self.working_days_between(self.local(deadline).date(), self.local(at).date()))


def add_working_days(region, start: datetime, days: int) -> datetime:
    """Shortcut for one-off use: the deadline of `days` working days from `start` in `region`."""
    return Calendar(region).add_working_days(start, days)

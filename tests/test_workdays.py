"""The working-day calendar: weekends, national holidays, a region's own days off, the new year,
time zones and the counting convention."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from agencies.models import RegionHoliday
from ptsp.workdays import Calendar, add_working_days
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db

WITA = ZoneInfo("Asia/Makassar")
WIB = ZoneInfo("Asia/Jakarta")
WIT = ZoneInfo("Asia/Jayapura")


def at(tz, y, m, d, hh=9, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=tz)


@pytest.fixture
def bontang():
    return RegionFactory(code="BTX", timezone="Asia/Makassar")


def test_weekdays_are_working_days_and_weekends_are_not(bontang):
    cal = Calendar(bontang)
    assert cal.is_working_day(date(2026, 11, 23))  # Monday
    assert not cal.is_working_day(date(2026, 11, 28))  # Saturday
    assert not cal.is_working_day(date(2026, 11, 29))  # Sunday


def test_day_of_receipt_does_not_count(bontang):
    # Monday 09:00: received Monday; day 1 is Tuesday, day 5 next Monday.
    deadline = add_working_days(bontang, at(WITA, 2026, 11, 23), 5)
    assert deadline == at(WITA, 2026, 11, 30, 16)


def test_filed_at_15_14_with_one_day_is_due_at_close_of_the_next_working_day(bontang):
    # The report of issue 21: 15:14 on a working day got 16:00 the same day.
    assert add_working_days(bontang, at(WITA, 2026, 11, 23, 15, 14), 1) == at(
        WITA, 2026, 11, 24, 16
    )


def test_weekend_is_skipped(bontang):
    # Thursday received; Friday day 1, Monday day 2, Tuesday day 3.
    assert add_working_days(bontang, at(WITA, 2026, 11, 26), 3) == at(WITA, 2026, 12, 1, 16)


def test_filed_outside_service_hours_is_received_the_next_working_day(bontang):
    # Friday 16:30: received Monday, day 1 Tuesday.
    assert add_working_days(bontang, at(WITA, 2026, 11, 27, 16, 30), 1) == at(WITA, 2026, 12, 1, 16)
    # Saturday: the same.
    assert add_working_days(bontang, at(WITA, 2026, 11, 28, 10), 1) == at(WITA, 2026, 12, 1, 16)
    # Monday 06:00, before opening: received Monday (service opens that day), day 1 Tuesday.
    assert add_working_days(bontang, at(WITA, 2026, 11, 30, 6), 1) == at(WITA, 2026, 12, 1, 16)
    # At 16:00 exactly service has closed: received Tuesday.
    assert add_working_days(bontang, at(WITA, 2026, 11, 30, 16), 1) == at(WITA, 2026, 12, 2, 16)


def test_national_holiday_is_skipped(bontang):
    # 17 August 2026 (Monday) is Independence Day: received Fri 14th, day 1 Tue 18th.
    assert add_working_days(bontang, at(WITA, 2026, 8, 14), 2) == at(WITA, 2026, 8, 19, 16)


def test_regional_day_off_is_skipped_only_in_its_region(bontang):
    other = RegionFactory(code="OTX", timezone="Asia/Makassar")
    RegionHoliday.objects.create(region=bontang, date=date(2026, 11, 24), name="Hari Jadi")
    assert add_working_days(bontang, at(WITA, 2026, 11, 23), 2) == at(WITA, 2026, 11, 26, 16)
    assert add_working_days(other, at(WITA, 2026, 11, 23), 2) == at(WITA, 2026, 11, 25, 16)


def test_deadline_across_the_new_year(bontang):
    # 23 Dec 2026 (Wed) received; 24 Dec day 1; 25 Dec Christmas; weekend; 28-31 Dec days 2-5
    # (unless cuti bersama, which the national package does not list); 1 Jan 2027 holiday;
    # 4 Jan day 6.
    assert add_working_days(bontang, at(WITA, 2026, 12, 23), 6) == at(WITA, 2027, 1, 4, 16)


def test_same_budget_in_wib_and_wit_ends_at_local_end_of_service():
    west = RegionFactory(code="WBX", timezone="Asia/Jakarta")
    east = RegionFactory(code="WTX", timezone="Asia/Jayapura")
    start = datetime(2026, 11, 23, 2, 0, tzinfo=ZoneInfo("UTC"))  # 09:00 WIB, 11:00 WIT
    west_deadline = add_working_days(west, start, 3)
    east_deadline = add_working_days(east, start, 3)
    assert west_deadline == at(WIB, 2026, 11, 26, 16)
    assert east_deadline == at(WIT, 2026, 11, 26, 16)
    assert west_deadline - east_deadline == (at(WIB, 2026, 11, 26, 16) - at(WIT, 2026, 11, 26, 16))
    assert (west_deadline - east_deadline).total_seconds() == 2 * 3600


def test_start_after_hours_in_one_zone_but_not_the_other():
    west = RegionFactory(code="WBY", timezone="Asia/Jakarta")
    east = RegionFactory(code="WTY", timezone="Asia/Jayapura")
    start = datetime(2026, 11, 23, 7, 30, tzinfo=ZoneInfo("UTC"))  # 14:30 WIB, 16:30 WIT
    assert add_working_days(west, start, 1) == at(WIB, 2026, 11, 24, 16)
    assert add_working_days(east, start, 1) == at(WIT, 2026, 11, 25, 16)


def test_day_number_and_days_late(bontang):
    cal = Calendar(bontang)
    start = at(WITA, 2026, 11, 23)  # Monday: received Monday, day 1 Tuesday
    assert cal.day_number(start, at(WITA, 2026, 11, 23, 15)) == 1  # the day of receipt
    assert cal.days_used(start, at(WITA, 2026, 11, 23, 15)) == 0
    assert cal.day_number(start, at(WITA, 2026, 11, 24)) == 1
    assert cal.days_used(start, at(WITA, 2026, 11, 24)) == 1
    assert cal.day_number(start, at(WITA, 2026, 11, 27)) == 4
    assert cal.day_number(start, at(WITA, 2026, 11, 29)) == 4  # Sunday still counts as day 4
    assert cal.day_number(start, at(WITA, 2026, 11, 30)) == 5
    deadline = cal.add_working_days(start, 2)  # Wednesday 16:00
    assert cal.working_days_late(deadline, at(WITA, 2026, 11, 25, 15)) == 0
    assert cal.working_days_late(deadline, at(WITA, 2026, 11, 25, 17)) == 1
    assert cal.working_days_late(deadline, at(WITA, 2026, 11, 30, 9)) == 3


def test_days_left_when_the_clock_stops(bontang):
    cal = Calendar(bontang)
    start = at(WITA, 2026, 11, 23, 10)  # Monday; 5 days due next Monday 16:00
    due = cal.add_working_days(start, 5)
    # Stopped on the day of receipt: nothing used.
    assert cal.days_left(start=start, paused_at=at(WITA, 2026, 11, 23, 14), due_at=due) == 5
    # Stopped on day 2 (Wednesday): that day counts as used.
    assert cal.days_left(start=start, paused_at=at(WITA, 2026, 11, 25, 11), due_at=due) == 3
    # Filed Monday 16:30 (received Tuesday) and returned the same evening: nothing used.
    late = at(WITA, 2026, 11, 23, 16, 30)
    late_due = cal.add_working_days(late, 5)
    assert cal.days_left(start=late, paused_at=at(WITA, 2026, 11, 23, 17), due_at=late_due) == 5
    # Stopped after the deadline: one day, never zero.
    assert cal.days_left(start=start, paused_at=at(WITA, 2026, 12, 2, 9), due_at=due) == 1


def test_service_hours_are_the_regions(bontang):
    bontang.service_end = time(15, 0)
    bontang.save()
    assert add_working_days(bontang, at(WITA, 2026, 11, 23), 1) == at(WITA, 2026, 11, 24, 15)
    # 15:30 is after this region's service hours: received Tuesday, due Wednesday.
    assert add_working_days(bontang, at(WITA, 2026, 11, 23, 15, 30), 1) == at(
        WITA, 2026, 11, 25, 15
    )


def test_a_budget_of_zero_is_refused(bontang):
    with pytest.raises(ValueError):
        add_working_days(bontang, at(WITA, 2026, 11, 23), 0)

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


def test_budget_starting_monday_morning_counts_monday_as_day_one(bontang):
    deadline = add_working_days(bontang, at(WITA, 2026, 11, 23), 5)
    assert deadline == at(WITA, 2026, 11, 27, 16)  # Friday, end of service hours


def test_weekend_is_skipped(bontang):
    assert add_working_days(bontang, at(WITA, 2026, 11, 26), 3) == at(WITA, 2026, 11, 30, 16)


def test_start_after_service_hours_begins_next_working_day(bontang):
    assert add_working_days(bontang, at(WITA, 2026, 11, 27, 16, 30), 1) == at(
        WITA, 2026, 11, 30, 16
    )
    assert add_working_days(bontang, at(WITA, 2026, 11, 28, 10), 1) == at(WITA, 2026, 11, 30, 16)


def test_national_holiday_is_skipped(bontang):
    # 17 August 2026 (Monday) is Independence Day.
    assert add_working_days(bontang, at(WITA, 2026, 8, 14), 2) == at(WITA, 2026, 8, 18, 16)


def test_regional_day_off_is_skipped_only_in_its_region(bontang):
    other = RegionFactory(code="OTX", timezone="Asia/Makassar")
    RegionHoliday.objects.create(region=bontang, date=date(2026, 11, 24), name="Hari Jadi")
    assert add_working_days(bontang, at(WITA, 2026, 11, 23), 2) == at(WITA, 2026, 11, 25, 16)
    assert add_working_days(other, at(WITA, 2026, 11, 23), 2) == at(WITA, 2026, 11, 24, 16)


def test_deadline_across_the_new_year(bontang):
    # 24 Dec 2026 (Thu) day 1; 25 Dec Christmas; weekend; 28-31 Dec; 1 Jan 2027 holiday; 4 Jan.
    assert add_working_days(bontang, at(WITA, 2026, 12, 24), 6) == at(WITA, 2027, 1, 4, 16)


def test_same_budget_in_wib_and_wit_ends_at_local_end_of_service():
    west = RegionFactory(code="WBX", timezone="Asia/Jakarta")
    east = RegionFactory(code="WTX", timezone="Asia/Jayapura")
    start = datetime(2026, 11, 23, 2, 0, tzinfo=ZoneInfo("UTC"))  # 09:00 WIB, 11:00 WIT
    west_deadline = add_working_days(west, start, 3)
    east_deadline = add_working_days(east, start, 3)
    assert west_deadline == at(WIB, 2026, 11, 25, 16)
    assert east_deadline == at(WIT, 2026, 11, 25, 16)
    assert west_deadline - east_deadline == (at(WIB, 2026, 11, 25, 16) - at(WIT, 2026, 11, 25, 16))
    assert (west_deadline - east_deadline).total_seconds() == 2 * 3600


def test_start_after_hours_in_one_zone_but_not_the_other():
    west = RegionFactory(code="WBY", timezone="Asia/Jakarta")
    east = RegionFactory(code="WTY", timezone="Asia/Jayapura")
    start = datetime(2026, 11, 23, 7, 30, tzinfo=ZoneInfo("UTC"))  # 14:30 WIB, 16:30 WIT
    assert add_working_days(west, start, 1) == at(WIB, 2026, 11, 23, 16)
    assert add_working_days(east, start, 1) == at(WIT, 2026, 11, 24, 16)


def test_day_number_and_days_late(bontang):
    cal = Calendar(bontang)
    start = at(WITA, 2026, 11, 23)
    assert cal.day_number(start, at(WITA, 2026, 11, 23, 15)) == 1
    assert cal.day_number(start, at(WITA, 2026, 11, 27)) == 5
    assert cal.day_number(start, at(WITA, 2026, 11, 29)) == 5  # Sunday still counts as day 5
    assert cal.day_number(start, at(WITA, 2026, 11, 30)) == 6
    deadline = cal.add_working_days(start, 2)
    assert cal.working_days_late(deadline, at(WITA, 2026, 11, 24, 15)) == 0
    assert cal.working_days_late(deadline, at(WITA, 2026, 11, 24, 17)) == 1
    assert cal.working_days_late(deadline, at(WITA, 2026, 11, 30, 9)) == 4


def test_service_hours_are_the_regions(bontang):
    bontang.service_end = time(15, 0)
    bontang.save()
    assert add_working_days(bontang, at(WITA, 2026, 11, 23), 1) == at(WITA, 2026, 11, 23, 15)


def test_a_budget_of_zero_is_refused(bontang):
    with pytest.raises(ValueError):
        add_working_days(bontang, at(WITA, 2026, 11, 23), 0)

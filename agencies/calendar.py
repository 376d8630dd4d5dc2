"""Working-day ordinals in the database (agencies.models.WorkingDay, the region's calendar), so that SQL can count working
days: working days from date a (exclusive) to date b (inclusive) = ordinal(b) - ordinal(a)."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from agencies.models import WorkingDay
from ptsp.workdays import Calendar

EPOCH = date(2020, 1, 1)


def _end_for(today: date) -> date:
    return date(today.year + 2, 12, 31)


def working_days_sync(*, region) -> int:
    """Rebuild the region's rows from EPOCH to the end of the year after next. Called when a
    regional holiday changes (signals) and lazily by `ensure_working_days`. Returns the rows."""
    calendar = Calendar(region)
    end = _end_for(timezone.now().date())
    rows = []
    ordinal = 0
    day = EPOCH
    while day <= end:
        working = calendar.is_working_day(day)
        ordinal += 1 if working else 0
        rows.append(WorkingDay(region=region, date=day, ordinal=ordinal, is_working=working))
        day += timedelta(days=1)
    with transaction.atomic():
        WorkingDay.objects.filter(region=region).delete()
        WorkingDay.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def ensure_working_days(regions) -> None:
    """Make sure every region in `regions` has ordinals up to a year from now (one query when
    they do, which is always after the first call)."""
    regions = list(regions)
    horizon = timezone.now().date() + timedelta(days=366)
    covered = set(
        WorkingDay.objects.filter(region__in=regions, date=horizon).values_list(
            "region_id", flat=True
        )
    )
    for region in regions:
        if region.pk not in covered:
            working_days_sync(region=region)

"""A region's reference data that lower layers read: its own days off (the source of
`ptsp.workdays`, registered in AgenciesConfig.ready) and its DPMPTSP's name. Both are cached per
process in `ptsp.workdays.reference_cache`, cleared by agencies.signals when they change."""

from datetime import date

from agencies.models import Agency, RegionHoliday
from ptsp.workdays import reference_cache


def region_days_off(region_id: int, year: int) -> list[date]:
    """The region's own days off and cuti bersama in `year` (one query; the calendar caches)."""
    return list(
        RegionHoliday.objects.filter(region_id=region_id, date__year=year).values_list(
            "date", flat=True
        )
    )


def dpmptsp_name(region_id: int) -> str:
    """The name of the region's DPMPTSP (the office that runs intake and issuance)."""
    return reference_cache.get_or_compute(
        ("dpmptsp", region_id),
        lambda: (
            Agency.objects.filter(region_id=region_id, kind=Agency.Kind.DPMPTSP)
            .order_by("id")
            .values_list("name", flat=True)
            .first()
            or "DPMPTSP"
        ),
    )

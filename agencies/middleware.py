import zoneinfo

from django.utils import timezone

from agencies.selectors import staff_region


class RegionTimezoneMiddleware:
    """Show times to staff in their region's time zone (WIB, WITA or WIT)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        region = staff_region(request.user) if request.user.is_authenticated else None
        if region:
            timezone.activate(zoneinfo.ZoneInfo(region.timezone))
        else:
            timezone.deactivate()
        return self.get_response(request)

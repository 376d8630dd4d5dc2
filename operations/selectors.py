"""Who sees which failed work: platform admins all of it, DPMPTSP monitors their region's."""

from django.db.models import QuerySet

from agencies.models import Agency, Role
from agencies.selectors import memberships_of
from operations.models import FailedTask


def monitored_region_ids(user) -> set[int]:
    return {
        m.agency.region_id
        for m in memberships_of(user)
        if m.role == Role.MONITOR and m.agency.kind == Agency.Kind.DPMPTSP
    }


def may_see_operations(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or bool(monitored_region_ids(user))


def failed_tasks_visible_to(user) -> QuerySet[FailedTask]:
    """Failed work the person may see and run again (none for anyone else)."""
    queryset = FailedTask.objects.select_related("application", "region", "rerun_by")
    if getattr(user, "is_superuser", False):
        return queryset
    regions = monitored_region_ids(user)
    if not regions:
        return queryset.none()
    return queryset.filter(region_id__in=regions)

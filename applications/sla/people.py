"""Who the SLA sweep and the legal guard tell: active people by role, in one agency or at the
region's DPMPTSP."""

from django.db.models import Q

from accounts.models import User
from agencies.models import Agency


def staff_of(region_id: int, roles, agency_id: int | None = None) -> list:
    """Active people holding one of `roles` in one agency (agency_id) or at the region's
    DPMPTSP. One filter() call, so that role and agency are those of the same membership."""
    where = Q(memberships__is_active=True, memberships__role__in=roles)
    if agency_id is not None:
        where &= Q(memberships__agency_id=agency_id)
    else:
        where &= Q(
            memberships__agency__region_id=region_id,
            memberships__agency__kind=Agency.Kind.DPMPTSP,
        )
    return list(User.objects.filter(where, is_active=True).distinct())
